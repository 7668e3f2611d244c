import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { backends, startPausable, whyNotPausable } from './harness/backends.js';
import { until } from './harness/until.js';
import { createJobs, gql, startAppWithIssuer, startTestApp, type UserErr } from './harness/app.js';

/**
 * Prometheus /metrics of real service instances (FerretDB, redis-server, real HTTP and JWTs): a job's
 * life moves the counters and histogram counts by exactly what happened; two instances sharing the
 * backends count their own work; the token guards both ports.
 */
const TOKEN = randomBytes(24).toString('hex');
const LEASE = 'token job { id status }';
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { ${LEASE} } reason userErrors { code } } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id status } userErrors { code } } }`;
const FAIL = `mutation($i: JobFailInput!) { jobFail(input: $i) { job { id status } userErrors { code } } }`;

let a: Awaited<ReturnType<typeof startAppWithIssuer>>;
let b: Awaited<ReturnType<typeof startTestApp>>;
let submitter: string;
let worker: string;

beforeAll(async () => {
  a = await startAppWithIssuer({ file: import.meta.url, env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN }, appOptions: { background: false } });
  // A second instance on the same database and key prefix, with the same issuer.
  b = await startTestApp({ file: import.meta.url, name: a.app.name, jwksUrl: a.jwks.url, env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN }, appOptions: { background: false } });
  submitter = await a.token(['SUBMITTER'], 'sue');
  worker = await a.token(['WORKER'], 'bot');
});

/** One sample's value from the text exposition (0 when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

async function scrape(url: string, token: string | null = TOKEN): Promise<string> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function call<T>(url: string, query: string, input: Record<string, unknown>): Promise<T> {
  const res = await gql<Record<string, T>>(url, query, { i: input }, worker);
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0]!;
}

test('a scrape without the token, or with a wrong one, gets 401 on both ports; /metrics is not on the public port without a token', async () => {
  for (const url of [a.app.metricsUrl!, `${a.app.url}/metrics`]) {
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: TOKEN } })).status).toBe(401);
    expect(sample(await scrape(url), 'jobservice_jobs_created_total')).toBeGreaterThanOrEqual(0);
  }
  // The metrics port serves nothing else.
  expect((await fetch(a.app.metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
  // An instance with a metrics port but no token: open on its own port, absent from the public one.
  const open = await startTestApp({ file: import.meta.url, jwksUrl: a.jwks.url, env: { METRICS_PORT: '0' }, appOptions: { background: false } });
  expect((await fetch(open.metricsUrl!)).status).toBe(200);
  expect((await fetch(`${open.url}/metrics`)).status).toBe(404);
  // Nothing set: no metrics at all.
  const none = await startTestApp({ file: import.meta.url, jwksUrl: a.jwks.url, appOptions: { background: false } });
  expect(none.metricsUrl).toBeUndefined();
  expect(none.observability.metrics).toBeNull();
  expect((await fetch(`${none.url}/metrics`)).status).toBe(404);
});

test("a job's life moves each counter and histogram count by exactly what happened, on the instance that did it", async () => {
  const op = 'DELETE_ARCHIVE';
  const before = await scrape(a.app.metricsUrl!);
  const beforeB = await scrape(b.metricsUrl!);
  const [id] = await createJobs(a.app.url, submitter, [{ target: 'METRICS_LIFE', operation: op }]);
  // Queue gauges are shared state read at most once a second: the same on both instances once both read it again.
  const waiting = sample(before, 'jobservice_jobs_waiting', { operation: op }) + 1;
  for (const url of [a.app.metricsUrl!, b.metricsUrl!]) {
    await until('the waiting gauge shows the new job', async () => sample(await scrape(url), 'jobservice_jobs_waiting', { operation: op }) === waiting, 10_000);
  }

  // Claimed and completed through the other instance.
  const claimed = await call<{ lease: { token: string; job: { id: string } } | null }>(b.url, CLAIM, { workerId: 'metrics-w1', operations: [op] });
  expect(claimed.lease!.job.id).toBe(id);
  const done = await call<{ job: { status: string }; userErrors: UserErr[] }>(b.url, COMPLETE, { id, leaseToken: claimed.lease!.token });
  expect(done.job.status).toBe('COMPLETED');
  // A late second call with the old lease: LEASE_LOST, counted.
  const late = await call<{ userErrors: UserErr[] }>(b.url, FAIL, { id, leaseToken: claimed.lease!.token, reason: 'late' });
  expect(late.userErrors.map((e) => e.code)).toEqual(['LEASE_LOST']);

  const after = await scrape(a.app.metricsUrl!);
  const afterB = await scrape(b.metricsUrl!);
  const delta = (x: string, y: string, name: string, labels: Record<string, string> = {}) => sample(y, name, labels) - sample(x, name, labels);
  const L = { operation: op };
  // Instance A created it; B started and completed it.
  expect(delta(before, after, 'jobservice_jobs_created_total', L)).toBe(1);
  expect(delta(before, after, 'jobservice_jobs_started_total', L)).toBe(0);
  expect(delta(beforeB, afterB, 'jobservice_jobs_created_total', L)).toBe(0);
  expect(delta(beforeB, afterB, 'jobservice_jobs_started_total', L)).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_jobs_completed_total', L)).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_jobs_failed_total', L)).toBe(0);
  expect(delta(beforeB, afterB, 'jobservice_job_wait_seconds_count', L)).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_job_run_seconds_count', { operation: op, outcome: 'completed' })).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_lease_lost_total')).toBe(1);
  // GraphQL requests by root field and outcome.
  expect(delta(before, after, 'jobservice_graphql_request_duration_seconds_count', { operation: 'jobsCreate', outcome: 'ok' })).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_graphql_request_duration_seconds_count', { operation: 'jobClaim', outcome: 'ok' })).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_graphql_request_duration_seconds_count', { operation: 'jobComplete', outcome: 'ok' })).toBe(1);
  // Events: each instance counts what it published.
  expect(delta(before, after, 'jobservice_events_published_total', { topic: 'job' })).toBe(1);
  expect(delta(beforeB, afterB, 'jobservice_events_published_total', { topic: 'job' })).toBe(2);
  // Summed over both instances, the counters tell the whole job.
  const sum = (name: string) => sample(after, name, L) + sample(afterB, name, L) - sample(before, name, L) - sample(beforeB, name, L);
  expect([sum('jobservice_jobs_created_total'), sum('jobservice_jobs_started_total'), sum('jobservice_jobs_completed_total')]).toEqual([1, 1, 1]);
  // Default process metrics are there.
  expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
});

test('unknown root fields and invalid requests collapse into fixed labels (bounded cardinality)', async () => {
  const before = await scrape(a.app.metricsUrl!);
  await gql(a.app.url, '{ noSuchField_abc123 }', undefined, submitter);
  await gql(a.app.url, 'query Whatever { viewer { id } }', undefined, submitter);
  const after = await scrape(a.app.metricsUrl!);
  expect(after).not.toContain('noSuchField_abc123');
  expect(after).not.toContain('Whatever');
  const d = (labels: Record<string, string>) => sample(after, 'jobservice_graphql_request_duration_seconds_count', labels) - sample(before, 'jobservice_graphql_request_duration_seconds_count', labels);
  expect(d({ operation: '(other)', outcome: 'invalid' })).toBe(1);
  expect(d({ operation: 'viewer', outcome: 'ok' })).toBe(1);
});

test('a reaped lease is counted as a lease expiry and an automatic retry', async () => {
  const op = 'ROLLBACK_REMOVE';
  // An instance whose leases last one second; reaping is driven by the test.
  const c = await startTestApp({ file: import.meta.url, name: a.app.name, jwksUrl: a.jwks.url, env: { METRICS_PORT: '0', LEASE_SECONDS: '1', RETRY_BACKOFF_BASE_MS: '0' }, appOptions: { background: false } });
  const [id] = await createJobs(c.url, submitter, [{ target: 'METRICS_REAP', operation: op }]);
  const claimed = await call<{ lease: { token: string; job: { id: string } } | null }>(c.url, CLAIM, { workerId: 'metrics-w2', operations: [op] });
  expect(claimed.lease!.job.id).toBe(id);
  const before = await scrape(c.metricsUrl!, null);
  // Positive sign: the reaper handles the job once its lease has run out.
  let reaped = 0;
  while (reaped === 0) {
    reaped = await c.recovery.reapOnce();
    if (reaped === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const after = await scrape(c.metricsUrl!, null);
  expect(sample(after, 'jobservice_lease_expiries_total') - sample(before, 'jobservice_lease_expiries_total')).toBe(reaped);
  expect(sample(after, 'jobservice_jobs_retried_total', { operation: op, kind: 'automatic' }) - sample(before, 'jobservice_jobs_retried_total', { operation: op, kind: 'automatic' })).toBe(1);
  expect(sample(after, 'jobservice_job_run_seconds_count', { operation: op, outcome: 'retried' }) - sample(before, 'jobservice_job_run_seconds_count', { operation: op, outcome: 'retried' })).toBe(1);
});

test('open sockets and their subscriptions are gauges; events handed to subscribers are counted', async () => {
  const url = a.app.metricsUrl!;
  const base = await scrape(url);
  const client = createClient({ url: `${a.app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${submitter}` }, retryAttempts: 0 });
  const got: unknown[] = [];
  const events = client.iterate({ query: 'subscription { jobEvents(filter: { operations: [SET_STATUS] }) { kind job { id } } }' });
  const reading = (async () => {
    for await (const e of events) {
      got.push(e);
      break;
    }
  })();
  try {
    await until('the socket and its subscription are counted', async () => {
      const t = await scrape(url);
      return sample(t, 'jobservice_websocket_connections') === sample(base, 'jobservice_websocket_connections') + 1 && sample(t, 'jobservice_websocket_operations') === sample(base, 'jobservice_websocket_operations') + 1;
    }, 10_000);
    const before = await scrape(url);
    // The subscription is in place once the bus has a job listener for it; then one event reaches it.
    await until('the subscription listens', () => a.app.bus.subscriberCount('job') > 0, 10_000);
    await createJobs(a.app.url, submitter, [{ target: 'METRICS_WS', operation: 'SET_STATUS', releaseStatus: 'DRAFT' }]);
    await reading;
    expect(got).toHaveLength(1);
    const after = await scrape(url);
    expect(sample(after, 'jobservice_events_delivered_total', { topic: 'job' }) - sample(before, 'jobservice_events_delivered_total', { topic: 'job' })).toBeGreaterThanOrEqual(1);
  } finally {
    await client.dispose();
  }
  await until('the socket is gone from the gauge', async () => sample(await scrape(url), 'jobservice_websocket_connections') === sample(base, 'jobservice_websocket_connections'), 10_000);
});

const redisSkip = whyNotPausable('redis');
(redisSkip ? test.skip : test)('a Redis command that times out during a request is counted as a backend time-out', async () => {
  const redis = await startPausable('redis');
  const app = await startTestApp({
    file: import.meta.url,
    jwksUrl: a.jwks.url,
    env: { METRICS_PORT: '0', REDIS_COMMAND_TIMEOUT_MS: '500', REDIS_CONNECT_TIMEOUT_MS: '1000' },
    appOptions: { background: false },
    backends: { mongoUri: (await backends()).mongoUri, redisUrl: redis.url },
  });
  const viewer = await a.token(['VIEWER'], 'vic');
  const before = await scrape(app.metricsUrl!, null);
  await redis.pause();
  let res;
  try {
    res = await gql(app.url, '{ queue { paused } }', undefined, viewer);
  } finally {
    redis.resume();
  }
  expect(res.body.errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
  const after = await scrape(app.metricsUrl!, null);
  const d = (labels: Record<string, string>) => sample(after, 'jobservice_backend_errors_total', labels) - sample(before, 'jobservice_backend_errors_total', labels);
  expect(d({ backend: 'redis', kind: 'timeout' })).toBeGreaterThanOrEqual(1);
  expect(d({ backend: 'mongodb', kind: 'timeout' }) + d({ backend: 'mongodb', kind: 'error' })).toBe(0);
  expect(sample(after, 'jobservice_graphql_request_duration_seconds_count', { operation: 'queue', outcome: 'error' })).toBe(1);
});
