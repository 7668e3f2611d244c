import { createLogger } from '../src/logger.js';
import { startAppWithIssuer } from './harness/app.js';
import { backends, startPausable, whyNotPausable } from './harness/backends.js';

/**
 * A backend that stops answering (SIGSTOP: its sockets stay open, nothing comes back) must turn into a
 * quick 503 on /readyz and a SERVICE_UNAVAILABLE error on a request that needs it, never a hang; once
 * it answers again (SIGCONT), so does the service. Each test pauses a server of its own.
 */

const MONGO_TIMEOUT_MS = 1_000;
const REDIS_COMMAND_TIMEOUT_MS = 500;
const ENV = {
  MONGO_TIMEOUT_MS: String(MONGO_TIMEOUT_MS),
  REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
  REDIS_CONNECT_TIMEOUT_MS: '1000',
};
/** /readyz gives each ping at most 2 s (src/services/status.ts). */
const READY_BOUND_MS = 2_000;
/** A Redis command may wait one timeout for the auto-pipelined batch ahead of it, then its own. */
const REDIS_BOUND_MS = 2 * REDIS_COMMAND_TIMEOUT_MS;
/** The driver retries a read that failed on the network once, each attempt bounded by MONGO_TIMEOUT_MS. */
const MONGO_BOUND_MS = 2 * MONGO_TIMEOUT_MS;
/** Scheduling, HTTP and a loaded test machine. */
const SLACK_MS = 1_000;
/** Far above every bound: a request still open then has none, and fails the test instead of hanging it. */
const CLIENT_DEADLINE_MS = 15_000;

const QUEUE = '{ queue { paused } }';
const JOBS = '{ jobs(first: 1) { totalCount } }';

const log = createLogger('info', 'backends-bounded');

interface Answer {
  status: number;
  requestId: string | null;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };
  ms: number;
}

async function timed(url: string, init?: RequestInit): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(CLIENT_DEADLINE_MS) });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id'), text, body: JSON.parse(text) as Answer['body'], ms: performance.now() - started };
}

const readyz = (baseUrl: string) => timed(`${baseUrl}/readyz`);

const query = (baseUrl: string, q: string, token: string) =>
  timed(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: q }) });

async function untilReady(baseUrl: string): Promise<void> {
  const deadline = Date.now() + CLIENT_DEADLINE_MS;
  for (;;) {
    if ((await readyz(baseUrl)).status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready again within ${CLIENT_DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every error is SERVICE_UNAVAILABLE for `backend`, with the request's correlation id, and nothing of the fault leaks. */
function expectUnavailable(answer: Answer, backend: 'mongodb' | 'redis', backendUrl: string): void {
  expect(answer.status).toBe(200);
  expect(answer.body.errors?.length).toBeGreaterThan(0);
  for (const err of answer.body.errors!) {
    expect(err.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', backend, correlationId: answer.requestId });
    expect(err.message).toMatch(/did not answer in time; try again$/);
  }
  const { host } = new URL(backendUrl);
  expect(answer.text).not.toContain(host);
  expect(answer.text).not.toMatch(/mongodb:\/\/|redis:\/\/|stack|Mongo\w*Error|timed out|\.[jt]s:\d+/);
}

const redisSkip = whyNotPausable('redis');
if (redisSkip) log.warn(`skipped: Redis stopping to answer (${redisSkip})`);
(redisSkip ? test.skip : test)('Redis stops answering: /readyz is 503 and a query that needs Redis is SERVICE_UNAVAILABLE within the bound; both recover when it answers again', async () => {
  const redis = await startPausable('redis');
  const { app, token } = await startAppWithIssuer({ file: import.meta.url, env: ENV, backends: { mongoUri: (await backends()).mongoUri, redisUrl: redis.url } });
  const viewer = await token(['VIEWER']);
  expect((await readyz(app.url)).status).toBe(200);
  expect((await query(app.url, QUEUE, viewer)).body).toEqual({ data: { queue: { paused: false } } });

  await redis.pause();
  let ready: Answer;
  let answer: Answer;
  try {
    // The query first: it meets the backend silent on a connection that was fine a moment ago.
    answer = await query(app.url, QUEUE, viewer);
    ready = await readyz(app.url);
  } finally {
    redis.resume();
  }
  log.info({ readyzMs: Math.round(ready.ms), queryMs: Math.round(answer.ms), commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS }, 'redis paused');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ status: 'unavailable', backends: [{ name: 'mongodb', up: true }, { name: 'redis', up: false }] });
  expect(ready.ms).toBeLessThan(READY_BOUND_MS + SLACK_MS);
  expectUnavailable(answer, 'redis', redis.url);
  expect(answer.ms).toBeLessThan(REDIS_BOUND_MS + SLACK_MS);

  await untilReady(app.url);
  expect((await query(app.url, QUEUE, viewer)).body).toEqual({ data: { queue: { paused: false } } });
});

const mongoSkip = whyNotPausable('mongodb');
if (mongoSkip) log.warn(`skipped: MongoDB stopping to answer (${mongoSkip})`);
(mongoSkip ? test.skip : test)('MongoDB stops answering: /readyz is 503 and a query that needs it is SERVICE_UNAVAILABLE within the bound; both recover when it answers again', async () => {
  const mongo = await startPausable('mongodb');
  const { app, token } = await startAppWithIssuer({ file: import.meta.url, env: ENV, backends: { mongoUri: mongo.url, redisUrl: (await backends()).redisUrl } });
  const viewer = await token(['VIEWER']);
  expect((await readyz(app.url)).status).toBe(200);
  expect((await query(app.url, JOBS, viewer)).body).toEqual({ data: { jobs: { totalCount: 0 } } });

  await mongo.pause();
  let ready: Answer;
  let answer: Answer;
  try {
    // The query first: it meets the backend silent on a connection that was fine a moment ago.
    answer = await query(app.url, JOBS, viewer);
    ready = await readyz(app.url);
  } finally {
    mongo.resume();
  }
  log.info({ readyzMs: Math.round(ready.ms), queryMs: Math.round(answer.ms), timeoutMs: MONGO_TIMEOUT_MS }, 'mongodb paused');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ status: 'unavailable', backends: [{ name: 'mongodb', up: false }, { name: 'redis', up: true }] });
  expect(ready.ms).toBeLessThan(READY_BOUND_MS + SLACK_MS);
  expectUnavailable(answer, 'mongodb', mongo.url);
  expect(answer.ms).toBeLessThan(MONGO_BOUND_MS + SLACK_MS);

  await untilReady(app.url);
  expect((await query(app.url, JOBS, viewer)).body).toEqual({ data: { jobs: { totalCount: 0 } } });
});

test('a long poll waits on pub/sub, so it outlasts the Redis command timeout', async () => {
  const { app, token } = await startAppWithIssuer({ file: import.meta.url, env: ENV });
  const claim = `mutation { jobClaim(input: { workerId: "long-poll", operations: [DELETE_ARCHIVE], waitSeconds: 2 }) { lease { job { id } } reason userErrors { code } } }`;
  const answer = await query(app.url, claim, await token(['WORKER']));
  expect(answer.body).toEqual({ data: { jobClaim: { lease: null, reason: 'EMPTY', userErrors: [] } } });
  expect(answer.ms).toBeGreaterThanOrEqual(2_000 - 50);
  expect(answer.ms).toBeGreaterThan(4 * REDIS_COMMAND_TIMEOUT_MS);
});
