import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Types } from 'mongoose';
import type { App } from '../src/app.js';
import { createJobs, gql, startAppWithIssuer, startTestApp, type UserErr } from './harness/app.js';
import { until } from './harness/until.js';
import { WorkerClient } from '../src/worker-client/index.js';

/**
 * Slim job documents (the log in its own collection), bulk actions by filter (jobsCancel / jobsRetry:
 * dry run, the bound, per-job results, one event per job, the record) and the dead-letter view, against
 * a real service on FerretDB + redis-server. Every test creates its jobs as a submitter of its own, so
 * `createdBy` scopes its filters to its own data.
 */
let app: App & { name: string };
let token: (roles: string[], sub?: string) => Promise<string>;
let operator: string;
let viewer: string;
let workerToken: string;
let jwksUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, env: { WS_KEEPALIVE_SECONDS: '120' }, appOptions: { background: false }, instrument: true });
  app = started.app;
  token = started.token;
  jwksUrl = started.jwks.url;
  operator = await token(['OPERATOR'], 'olga');
  viewer = await token(['VIEWER'], 'vera');
  workerToken = await token(['WORKER'], 'bot');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

async function call<T>(query: string, variables: Record<string, unknown>, bearer = operator): Promise<T> {
  const res = await gql<T>(app.url, query, variables, bearer);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

/** Commands the service sent to MongoDB while `fn` ran, as "command collection". */
async function commandsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => seen.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  await app.services.jobLogs.drain(); // log moves of jobs ended before are commands too: done before counting
  app.mongo.getClient().on('commandStarted', listener);
  try {
    await fn();
  } finally {
    app.mongo.getClient().off('commandStarted', listener);
  }
  return seen;
}

/** Claims every waiting job of `operation` and ends each as `end` says. */
async function runAll(operation: string, end: (id: string) => { fail?: string; retryable?: boolean } | 'complete' | 'hold') {
  const worker = new WorkerClient({ url: app.url, token: workerToken });
  for (;;) {
    const { leases } = await worker.claim({ workerId: `w-${operation}`, operations: [operation as 'ADD'], maxJobs: 100 });
    if (leases.length === 0) return;
    for (const l of leases) {
      const what = end(l.job.id);
      if (what === 'hold') continue;
      if (what === 'complete') expect((await worker.complete({ id: l.job.id, leaseToken: l.token })).userErrors).toEqual([]);
      else expect((await worker.fail({ id: l.job.id, leaseToken: l.token, reason: what.fail!, retryable: what.retryable ?? false })).userErrors).toEqual([]);
    }
  }
}

const JOBS = `query($f: JobFilter, $first: Int) { jobs(filter: $f, first: $first) { totalCount nodes { id status retriedBy { id } failureReason } } }`;
type JobsData = { jobs: { totalCount: number; nodes: Array<{ id: string; status: string; retriedBy: { id: string } | null; failureReason: string | null }> } };
const BULK_FIELDS = `matchedCount sample { id status } action { id kind state actor matchedCount } userErrors { code message field }`;
const CANCEL = `mutation($i: JobsCancelInput!) { jobsCancel(input: $i) { ${BULK_FIELDS} } }`;
const RETRY = `mutation($i: JobsRetryInput!) { jobsRetry(input: $i) { ${BULK_FIELDS} } }`;
interface BulkPayload {
  matchedCount: number;
  sample: Array<{ id: string; status: string }>;
  action: { id: string; kind: string; state: string; actor: string; matchedCount: number } | null;
  userErrors: UserErr[];
}
const ACTION = `query($id: ID!) { bulkAction(id: $id) { id kind state actor filter reason expectedCount matchedCount processedCount succeededCount failedCount
  failures { jobId code message job { id status } } createdAt finishedAt error } }`;
interface ActionView {
  id: string; kind: string; state: string; actor: string; filter: Record<string, unknown>; reason: string | null; expectedCount: number; matchedCount: number;
  processedCount: number; succeededCount: number; failedCount: number; failures: Array<{ jobId: string; code: string; message: string; job: { id: string } | null }>;
  finishedAt: string | null; error: string | null;
}

async function finished(id: string): Promise<ActionView> {
  let view: ActionView | null = null;
  await until(`bulk action ${id} to end`, async () => {
    view = (await call<{ bulkAction: ActionView }>(ACTION, { id })).bulkAction;
    return view.state !== 'RUNNING';
  });
  return view!;
}

/** A subscription over a real socket; resolves once the service has registered it. */
async function subscribe<T>(bearer: string, query: string, variables: Record<string, unknown>): Promise<T[]> {
  const before = app.bus.subscriberCount('job');
  const c = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0 });
  clients.push(c);
  const events: T[] = [];
  c.subscribe<T>({ query, variables }, { next: (r) => events.push(r.data as T), error: (e) => events.push({ error: e } as T), complete: () => undefined });
  await until('the subscription to be registered', () => app.bus.subscriberCount('job') > before, 30_000, 20);
  return events;
}

describe('slim job documents', () => {
  test('a page of jobs reads no log; selecting `log` reads the logs of the whole page in one query by id', async () => {
    const sub = 'slim-submitter';
    const ids = await createJobs(app.url, await token(['SUBMITTER'], sub), Array.from({ length: 8 }, (_, i) => ({ target: `SLIM_${i}`, operation: 'PATCH_METADATA' })));
    await runAll('PATCH_METADATA', () => 'complete');
    await app.services.jobLogs.drain(); // the ended jobs' lines moved to the log collection (the mover's commands are not counted below)
    // The stored job document holds no log, only who wrote its last line.
    const raw = await app.mongo.db!.collection('jobs').findOne({ _id: new Types.ObjectId(ids[0]) });
    expect(raw).not.toHaveProperty('log');
    expect(raw).not.toHaveProperty('recentLog');
    expect(raw!.lastActor).toBe('bot'); // the caller of jobComplete

    const page = await commandsDuring(() => call<JobsData>(`query($f: JobFilter) { jobs(filter: $f, first: 20) { nodes { id status target { name status lastUpdatedBy } } } }`, { f: { createdBy: sub } }, viewer));
    expect(page.filter((c) => c.endsWith(' joblogs'))).toEqual([]);
    expect(page).toContain('find jobs');

    let logs: Array<{ id: string; log: Array<{ actor: string; message: string; status: string | null }> }> = [];
    const withLog = await commandsDuring(async () => {
      logs = (await call<{ jobs: { nodes: typeof logs } }>(`query($f: JobFilter) { jobs(filter: $f, first: 20) { nodes { id log { actor message status } } } }`, { f: { createdBy: sub } }, viewer)).jobs.nodes;
    });
    expect(withLog.filter((c) => c.endsWith(' joblogs'))).toEqual(['find joblogs']);
    expect(logs).toHaveLength(8);
    for (const j of logs) {
      expect(j.log.map((l) => l.message)).toEqual(['created', 'claimed (attempt 1 of 3)', 'completed']);
      expect(j.log[0]!.actor).toBe(sub);
    }
  });

  test('a jobUpdated subscription that selects `log` gets the log as it grows with each event', async () => {
    const [id] = await createJobs(app.url, await token(['SUBMITTER'], 'slim-live'), [{ target: 'SLIM_LIVE', operation: 'PATCH_METADATA' }]);
    const events = await subscribe<{ jobUpdated: { job: { log: Array<{ message: string }> } } }>(viewer, `subscription($id: ID!) { jobUpdated(id: $id) { job { log { message } } } }`, { id });
    const UPDATE = `mutation($i: JobUpdateInput!) { jobUpdate(input: $i) { userErrors { code } } }`;
    await call(UPDATE, { i: { id, logMessage: 'first note' } });
    await until('one event', () => events.length >= 1);
    await call(UPDATE, { i: { id, logMessage: 'second note' } });
    await until('two events', () => events.length >= 2);
    expect(events.map((e) => e.jobUpdated.job.log.map((l) => l.message))).toEqual([
      ['created', 'first note'],
      ['created', 'first note', 'second note'],
    ]);
  });

  test('a job whose document still embeds its log (written before) reads it, and start-up moves it to the log collection once', async () => {
    const id = new Types.ObjectId();
    const at = new Date('2026-01-01T00:00:00Z');
    await app.mongo.db!.collection('jobs').insertOne({
      _id: id, target: 'LEGACY_LOG', operation: 'ADD', status: 'COMPLETED', seq: 4, relatedTargets: ['LEGACY_LOG'], createdBy: 'old', createdAt: at, updatedAt: at,
      finishedAt: at, priority: 0, attempts: 1, maxAttempts: 3, cancelRequested: false,
      log: [{ at, actor: 'old', message: 'created', status: 'QUEUED' }, { at, actor: 'w-old', message: 'completed', status: 'COMPLETED' }],
    });
    const q = `query($id: ID!) { job(id: $id) { log { actor message } target { lastUpdatedBy } } }`;
    expect((await call<{ job: { log: Array<{ message: string }> } }>(q, { id: id.toHexString() }, viewer)).job.log.map((l) => l.message)).toEqual(['created', 'completed']);

    // A second instance on the same database, started after the migration marker is gone, moves it.
    await app.mongo.db!.collection('settings').deleteOne({ _id: 'jobLogsMigrated' as never });
    const second = await startTestApp({ file: import.meta.url, jwksUrl, name: app.name, appOptions: { background: false } });
    const stored = await app.mongo.db!.collection('jobs').findOne({ _id: id });
    expect(stored).not.toHaveProperty('log');
    expect(stored!.lastActor).toBe('w-old');
    expect((await app.mongo.db!.collection('joblogs').findOne({ _id: id }))!.n).toBe(2);
    const viaSecond = await gql<{ job: { log: Array<{ message: string }>; target: { lastUpdatedBy: string } } }>(second.url, q, { id: id.toHexString() }, viewer);
    expect(viaSecond.body.data!.job.log.map((l) => l.message)).toEqual(['created', 'completed']);
    await second.close();
  });
});

describe('jobsCancel', () => {
  test('dry run, refusals that change nothing, then the action: per-job results, one event per job, the record', async () => {
    const sub = 'cancel-submitter';
    const ids = await createJobs(app.url, await token(['SUBMITTER'], sub), Array.from({ length: 30 }, (_, i) => ({ target: `BULK_C_${i}`, operation: 'DELETE_ARCHIVE' })));
    // Two of them end before the action: they are matched, and reported as JOB_TERMINAL.
    await runAll('DELETE_ARCHIVE', (id) => (id === ids[0] || id === ids[1] ? 'complete' : 'hold'));
    // The other 28 were claimed and are held by the worker: cancellation is requested of those.
    const filter = { createdBy: sub };
    // Bulk actions the file's other tests recorded (they run in any order): the refusals below add none.
    const recordedBefore = (await call<{ bulkActions: { totalCount: number } }>(`{ bulkActions { totalCount } }`, {})).bulkActions.totalCount;

    const dry = (await call<{ jobsCancel: BulkPayload }>(CANCEL, { i: { filter, dryRun: true } })).jobsCancel;
    expect(dry).toMatchObject({ matchedCount: 30, action: null, userErrors: [] });
    expect(dry.sample).toHaveLength(10);

    const refusals: Array<[Record<string, unknown>, string, string[]]> = [
      [{ filter: {}, expectedCount: 30 }, 'EMPTY_FILTER', ['input', 'filter']],
      [{ filter: { target: null, statuses: null }, expectedCount: 30 }, 'EMPTY_FILTER', ['input', 'filter']],
      [{ filter }, 'INVALID_PARAMETERS', ['input', 'expectedCount']],
      [{ filter, expectedCount: 0 }, 'INVALID_PARAMETERS', ['input', 'expectedCount']],
      [{ filter, expectedCount: 29 }, 'COUNT_ABOVE_EXPECTED', ['input', 'expectedCount']],
      [{ filter: { createdBy: 'nobody-at-all' }, expectedCount: 5 }, 'NO_MATCH', ['input', 'filter']],
    ];
    for (const [input, code, field] of refusals) {
      const out = (await call<{ jobsCancel: BulkPayload }>(CANCEL, { i: input })).jobsCancel;
      expect({ input, errors: out.userErrors.map((e) => [e.code, e.field]), action: out.action }).toEqual({ input, errors: [[code, field]], action: null });
    }
    expect((await call<{ bulkActions: { totalCount: number } }>(`{ bulkActions { totalCount } }`, {})).bulkActions.totalCount).toBe(recordedBefore);
    expect((await call<JobsData>(JOBS, { f: { ...filter, statuses: ['CANCELLED'] } })).jobs.totalCount).toBe(0);
    expect((await call<JobsData>(JOBS, { f: { ...filter, active: true } })).jobs.totalCount).toBe(28);

    const events = await subscribe<{ jobEvents: { kind: string; job: { id: string; cancelRequested: boolean } } }>(viewer, `subscription($f: JobFilter) { jobEvents(filter: $f) { kind job { id cancelRequested } } }`, { f: filter });

    const started = (await call<{ jobsCancel: BulkPayload }>(CANCEL, { i: { filter, reason: 'wrong batch', expectedCount: 30 } })).jobsCancel;
    expect(started.userErrors).toEqual([]);
    expect(started.action).toMatchObject({ kind: 'CANCEL', actor: 'olga', matchedCount: 30 });
    const done = await finished(started.action!.id);
    expect(done).toMatchObject({ state: 'DONE', processedCount: 30, succeededCount: 28, failedCount: 2, reason: 'wrong batch', expectedCount: 30, filter: { createdBy: sub }, error: null });
    expect(done.failures.map((f) => [f.jobId, f.code, f.job?.id]).sort()).toEqual([ids[0], ids[1]].sort().map((id) => [id, 'JOB_TERMINAL', id]));
    // One event per job changed (cancellation requested of a running job), nothing for the two that had ended.
    await until('28 events', () => events.length >= 28);
    const changed = events.map((e) => e.jobEvents.job.id);
    expect(new Set(changed)).toEqual(new Set(ids.slice(2)));
    expect(events.every((e) => e.jobEvents.kind === 'UPDATED' && e.jobEvents.job.cancelRequested)).toBe(true);

    const list = (await call<{ bulkActions: { nodes: Array<{ id: string; actor: string; kind: string }> } }>(`{ bulkActions(first: 5) { nodes { id actor kind } } }`, {})).bulkActions.nodes;
    expect(list[0]).toEqual({ id: started.action!.id, actor: 'olga', kind: 'CANCEL' });
    // A viewer may not start one.
    const forbidden = await gql(app.url, CANCEL, { i: { filter, expectedCount: 30 } }, viewer);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('dead letter and jobsRetry', () => {
  test('failed jobs not yet retried are the dead letter: listed, counted by operation and reason, and re-run in bulk', async () => {
    const sub = 'dead-submitter';
    const submit = await token(['SUBMITTER'], sub);
    // DEAD_0 fails twice (two jobs, one target): retrying both, the in-progress guard refuses the second.
    const first = await createJobs(app.url, submit, [
      { target: 'DEAD_0', operation: 'ROLLBACK_REMOVE' },
      { target: 'DEAD_1', operation: 'ROLLBACK_REMOVE' },
      { target: 'DEAD_2', operation: 'ROLLBACK_REMOVE' },
      { target: 'DEAD_3', operation: 'ROLLBACK_REMOVE' },
    ]);
    const reasons: Record<string, string> = { [first[0]!]: 'bad input', [first[1]!]: 'bad input', [first[2]!]: 'disk full' };
    await runAll('ROLLBACK_REMOVE', (id) => (reasons[id] ? { fail: reasons[id] } : 'complete'));
    const [again] = await createJobs(app.url, submit, [{ target: 'DEAD_0', operation: 'ROLLBACK_REMOVE' }]);
    await runAll('ROLLBACK_REMOVE', () => ({ fail: 'bad input' }));

    const dead = (await call<JobsData>(JOBS, { f: { createdBy: sub, deadLetter: true }, first: 50 })).jobs;
    expect(new Set(dead.nodes.map((j) => j.id))).toEqual(new Set([first[0], first[1], first[2], again]));
    expect((await call<JobsData>(JOBS, { f: { createdBy: sub, deadLetter: false } })).jobs.nodes.map((j) => j.id)).toEqual([first[3]]);
    expect((await call<JobsData>(JOBS, { f: { createdBy: sub, failureReason: 'disk full' } })).jobs.nodes.map((j) => j.id)).toEqual([first[2]]);
    const COUNTS = `query($f: JobFilter) { deadLetterCounts(filter: $f) { total byOperation { operation count } byReason { reason count } } }`;
    expect((await call<{ deadLetterCounts: unknown }>(COUNTS, { f: { createdBy: sub } }, viewer)).deadLetterCounts).toEqual({
      total: 4,
      byOperation: [{ operation: 'ROLLBACK_REMOVE', count: 4 }],
      byReason: [{ reason: 'bad input', count: 3 }, { reason: 'disk full', count: 1 }],
    });

    const filter = { createdBy: sub, deadLetter: true };
    expect((await call<{ jobsRetry: BulkPayload }>(RETRY, { i: { filter, dryRun: true } })).jobsRetry).toMatchObject({ matchedCount: 4, action: null, userErrors: [] });
    expect((await call<{ jobsRetry: BulkPayload }>(RETRY, { i: { filter, expectedCount: 3 } })).jobsRetry.userErrors.map((e) => e.code)).toEqual(['COUNT_ABOVE_EXPECTED']);
    const started = (await call<{ jobsRetry: BulkPayload }>(RETRY, { i: { filter, expectedCount: 4 } })).jobsRetry;
    expect(started.userErrors).toEqual([]);
    const done = await finished(started.action!.id);
    // The first of DEAD_0's two jobs to be retried gets the target; the other is refused by the guard.
    expect(done).toMatchObject({ kind: 'RETRY', state: 'DONE', processedCount: 4, succeededCount: 3, failedCount: 1 });
    expect(done.failures).toHaveLength(1);
    expect(done.failures[0]!.code).toBe('DUPLICATE_IN_PROGRESS');
    expect([first[0], again]).toContain(done.failures[0]!.jobId);

    // Left in the dead letter: the refused one only. The retries are queued.
    expect((await call<JobsData>(JOBS, { f: filter })).jobs.nodes.map((j) => j.id)).toEqual([done.failures[0]!.jobId]);
    expect((await call<JobsData>(JOBS, { f: { createdBy: 'olga', statuses: ['QUEUED'], operations: ['ROLLBACK_REMOVE'] } })).jobs.totalCount).toBe(3);
    // All four again: the three retried ones are NOT_RETRYABLE, the refused one is refused again.
    const twice = (await call<{ jobsRetry: BulkPayload }>(RETRY, { i: { filter: { createdBy: sub, statuses: ['FAILED'] }, expectedCount: 4 } })).jobsRetry;
    const second = await finished(twice.action!.id);
    expect(second).toMatchObject({ succeededCount: 0, failedCount: 4 });
    expect(second.failures.map((f) => f.code).sort()).toEqual(['DUPLICATE_IN_PROGRESS', 'NOT_RETRYABLE', 'NOT_RETRYABLE', 'NOT_RETRYABLE']);
  });
});
