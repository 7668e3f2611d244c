import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Types } from 'mongoose';
import type { App } from '../src/app.js';
import { pino } from 'pino';
import { connectDatabase } from '../src/db/mongo.js';
import { jobLogModel } from '../src/models/jobLog.js';
import { JobLogStore } from '../src/services/jobLogs.js';
import { WorkerClient } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, startTestApp, uniqueName } from './harness/app.js';
import { backends, startPausable, whyNotPausable } from './harness/backends.js';
import { until } from './harness/until.js';

/**
 * Job log lines go to MongoDB through the log store's flusher (many jobs' lines per command, after
 * JOB_LOG_FLUSH_MS): the instance that wrote a line shows it at once (a mutation's answer, a query, a
 * jobUpdated event), MongoDB has it after the delay, and close() sends what is pending before the
 * connection closes. Real service, FerretDB, redis-server; each test uses its own operation and targets.
 */
let slow: App & { name: string };
let fast: App & { name: string };
let token: (roles: string[], sub?: string) => Promise<string>;
let viewer: string;
let workerToken: string;
let jwksUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  // A flush delay far longer than any test: lines stay pending until 200 of them or close().
  const started = await startAppWithIssuer({ file: import.meta.url, env: { JOB_LOG_FLUSH_MS: '60000', WS_KEEPALIVE_SECONDS: '120' }, appOptions: { background: false } });
  slow = started.app;
  token = started.token;
  jwksUrl = started.jwks.url;
  fast = await startTestApp({ file: import.meta.url, jwksUrl, env: { JOB_LOG_FLUSH_MS: '50' }, appOptions: { background: false } });
  viewer = await token(['VIEWER'], 'vera');
  workerToken = await token(['WORKER'], 'bot');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status log { actor message } } userErrors { code } } }`;
const LOG = `query($id: ID!) { job(id: $id) { log { actor message } } }`;

/** Creates one job of `operation` on `app` and claims it as a worker; `complete(message)` ends it and returns the mutation's answer. */
async function claimOne(app: App, operation: string, target: string) {
  const [id] = await createJobs(app.url, await token(['SUBMITTER'], `sub-${operation}`), [{ target, operation }]);
  const { lease } = await new WorkerClient({ url: app.url, token: workerToken }).claim({ workerId: `w-${operation}`, operations: [operation as 'ADD'], maxJobs: 1 });
  expect(lease?.job.id).toBe(id);
  const complete = async (message: string) => {
    const res = await gql<{ jobComplete: { job: { status: string; log: Array<{ actor: string; message: string }> }; userErrors: unknown[] } }>(app.url, COMPLETE, { i: { id, leaseToken: lease!.token, message } }, workerToken);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.jobComplete.userErrors).toEqual([]);
    return res.body.data!.jobComplete.job;
  };
  return { id: id!, complete };
}

async function logOf(app: App, id: string): Promise<string[]> {
  const res = await gql<{ job: { log: Array<{ message: string }> } }>(app.url, LOG, { id }, viewer);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.job.log.map((l) => l.message);
}

/** The lines MongoDB holds for the job (the log collection itself). */
async function storedLines(app: App, id: string): Promise<string[]> {
  const doc = await app.mongo.db!.collection('joblogs').findOne({ _id: new Types.ObjectId(id) });
  return ((doc?.entries ?? []) as Array<{ message: string }>).map((l) => l.message);
}

test('a line is in `log` as soon as the mutation answers (same instance), and in MongoDB once the flush delay has passed', async () => {
  const { id, complete } = await claimOne(fast, 'CHANGE', 'FLUSH_FAST');
  const answer = await complete('done quickly');
  const expected = ['created', 'claimed (attempt 1 of 3)', 'done quickly'];
  expect(answer.status).toBe('COMPLETED');
  expect(answer.log.map((l) => l.message)).toEqual(expected);
  expect(await logOf(fast, id)).toEqual(expected);
  await until('the lines in the log collection', async () => (await storedLines(fast, id)).length === 3, 10_000, 20);
  expect(await storedLines(fast, id)).toEqual(expected);
  // Sent: shown once, not again from the pending lines.
  expect(await logOf(fast, id)).toEqual(expected);
});

test('pending lines are shown by their instance (answer, query, jobUpdated event) before MongoDB has them; close() sends them before the connection closes', async () => {
  const { id, complete } = await claimOne(slow, 'DELETE_DRAFT', 'FLUSH_SLOW');
  // A jobUpdated subscriber on this instance sees the pending lines with the event.
  const before = slow.bus.subscriberCount('job');
  const c = createClient({ url: `${slow.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${viewer}` }, retryAttempts: 0 });
  clients.push(c);
  const events: string[][] = [];
  c.subscribe<{ jobUpdated: { job: { log: Array<{ message: string }> } } }>(
    { query: `subscription($id: ID!) { jobUpdated(id: $id) { job { log { message } } } }`, variables: { id } },
    { next: (r) => events.push(r.data!.jobUpdated.job.log.map((l) => l.message)), error: () => undefined, complete: () => undefined },
  );
  await until('the subscription to be registered', () => slow.bus.subscriberCount('job') > before, 30_000, 20);

  const answer = await complete('done, not yet sent');
  const expected = ['created', 'claimed (attempt 1 of 3)', 'done, not yet sent'];
  expect(answer.log.map((l) => l.message)).toEqual(expected);
  expect(await logOf(slow, id)).toEqual(expected);
  await until('the event', () => events.length >= 1, 30_000, 20);
  expect(events).toEqual([expected]);
  // The delay is a minute and only 2 lines are pending: MongoDB holds the first line only (written with the job).
  expect(await storedLines(slow, id)).toEqual(['created']);

  // Another instance on the same database reads MongoDB: it has the lines once close() has sent them.
  const reader = await startTestApp({ file: import.meta.url, jwksUrl, name: slow.name, appOptions: { background: false } });
  await slow.close();
  expect(await storedLines(reader, id)).toEqual(expected);
  expect(await logOf(reader, id)).toEqual(expected);
});

/** A log store of its own on `uri` whose warnings and errors the test reads. */
async function storeWithLogs(uri: string, opts: ConstructorParameters<typeof JobLogStore>[3], timeoutMs?: number) {
  const records: Array<{ level: number; msg: string; lines?: number; jobs?: string[] }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  const { conn } = await connectDatabase(uri, uniqueName(import.meta.url), { timeoutMs });
  const JobLog = jobLogModel(conn);
  return { store: new JobLogStore(JobLog, 100, logger, opts), JobLog, conn, records };
}

const at = new Date(Date.UTC(2024, 0, 1));
const append = (id: Types.ObjectId, seq: number, message: string) => ({ id, seq, lines: [{ at, actor: 'test', message }] });

test('a flush the server refuses is sent again job by job: only the job whose document refuses it loses its lines, and that is logged', async () => {
  const { store, JobLog, conn, records } = await storeWithLogs((await backends()).mongoUri, { delayMs: 60_000 });
  try {
    const [good1, bad, good2] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    await JobLog.collection.insertMany([
      { _id: good1, seq: 1, n: 0, entries: [] },
      { _id: bad, seq: 1, n: 0, entries: 'not an array' as never }, // $push into it is a write error on both backends
      { _id: good2, seq: 1, n: 0, entries: [] },
    ]);
    store.queue([append(good1, 2, 'one'), append(bad, 2, 'lost'), append(good2, 2, 'two'), append(good1, 3, 'one more')]);
    await store.drain();
    const byId = async (id: Types.ObjectId) => ((await JobLog.collection.findOne({ _id: id }))!.entries as Array<{ message: string }> | string);
    expect(await byId(good1)).toMatchObject([{ message: 'one' }, { message: 'one more' }]);
    expect(await byId(good2)).toMatchObject([{ message: 'two' }]);
    expect(await byId(bad)).toBe('not an array');
    expect(records.filter((r) => r.level >= 50)).toMatchObject([{ msg: 'job log lines not written', jobs: [bad.toHexString()], lines: 1 }]);
  } finally {
    await conn.close();
  }
});

const pausable = whyNotPausable('mongodb');
(pausable ? test.skip : test)('a flush that gets no answer is tried again (bounded): sent once the database answers, given up and logged when it does not', async () => {
  const own = await startPausable('mongodb');
  const { store, JobLog, conn, records } = await storeWithLogs(own.url, { delayMs: 60_000, attempts: 4, retryMs: 50, timeoutMs: 300 }, 300);
  try {
    const [id, other] = [new Types.ObjectId(), new Types.ObjectId()];
    await JobLog.collection.insertMany([{ _id: id, seq: 1, n: 0, entries: [] }, { _id: other, seq: 1, n: 0, entries: [] }]);

    own.pause();
    store.queue([append(id, 2, 'sent late')]);
    const drained = store.drain();
    await until('a failed attempt', () => records.some((r) => r.msg === 'job log flush failed; retrying'), 10_000, 20);
    own.resume();
    await drained;
    expect(await JobLog.collection.findOne({ _id: id })).toMatchObject({ seq: 2, n: 1, entries: [{ message: 'sent late' }] });
    expect(records.filter((r) => r.level >= 50)).toEqual([]);

    const seen = records.length;
    own.pause();
    store.queue([append(other, 2, 'given up')]);
    try {
      await store.drain(); // 4 attempts of at most 300 ms, 50 + 100 + 200 ms apart
    } finally {
      own.resume();
    }
    expect(records.slice(seen).map((r) => r.msg)).toEqual([...Array(3).fill('job log flush failed; retrying'), expect.stringMatching(/^job log lines given up/)]);
    expect(records.filter((r) => r.level >= 50)).toMatchObject([{ msg: 'job log lines given up after no answer (lost unless the database applied the last try)', jobs: [other.toHexString()], lines: 1 }]);
    // Whether the last try was applied is unknown to the service (the paused server may run it once it answers again): not asserted.
  } finally {
    await conn.close();
  }
});
