import { mongoCommandCounts } from '../src/db/mongo.js';
import { redisStats } from '../src/db/redis.js';
import { WorkerClient } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, type UserErr } from './harness/app.js';

/**
 * The worker protocol's batch calls over real HTTP against a real service (FerretDB, redis-server):
 * jobClaim of up to maxJobs leases, jobComplete/jobFail that hand out the next lease (claimNext), and the
 * progress throttle. The service runs on an injected clock that moves only when a test moves it, so
 * leases never lapse by themselves and "within a second" is exact; no background loops.
 * Each test uses operations no other test leaves work in.
 */
let now = Date.now();
let app: Awaited<ReturnType<typeof startAppWithIssuer>>['app'];
let submitter: string;
let admin: string;
let operator: string;
let workerToken: string;
let leaseMs: number;

beforeAll(async () => {
  // Ended jobs' log lines wait for the mover until app close: the budget test counts its commands itself (drain).
  const started = await startAppWithIssuer({ file: import.meta.url, env: { JOB_LOG_MOVE_MS: '60000' }, appOptions: { clock: { now: () => now }, background: false }, instrument: true });
  app = started.app;
  ({ submitter, admin, operator, worker: workerToken } = started.tokens);
  leaseMs = app.config.queue.leaseMs;
});

interface Lease {
  token: string;
  expiresAt: string;
  attempt: number;
  job: { id: string; status: string; attempts: number };
}
interface Finish {
  job: { id: string; status: string } | null;
  next: Lease | null;
  nextReason: string | null;
  userErrors: UserErr[];
}

const LEASE = 'token expiresAt attempt job { id status attempts }';
const ERRORS = 'userErrors { code message field }';
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { ${LEASE} } leases { ${LEASE} } reason ${ERRORS} } }`;
const PROGRESS = `mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { leaseExpiresAt cancelRequested ${ERRORS} } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id status } next { ${LEASE} } nextReason ${ERRORS} } }`;
const FAIL = `mutation($i: JobFailInput!) { jobFail(input: $i) { job { id status } retryAt next { ${LEASE} } nextReason ${ERRORS} } }`;

/** One mutation as a worker; fails the test on a top-level error. */
async function call<T>(query: string, input: Record<string, unknown>, token = workerToken): Promise<T> {
  const res = await gql<Record<string, T>>(app.url, query, { i: input }, token);
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0]!;
}

const claim = (input: Record<string, unknown>) => call<{ lease: Lease | null; leases: Lease[]; reason: string | null; userErrors: UserErr[] }>(CLAIM, input);
const progress = (input: Record<string, unknown>) => call<{ leaseExpiresAt: string | null; cancelRequested: boolean; userErrors: UserErr[] }>(PROGRESS, input);
const complete = (input: Record<string, unknown>) => call<Finish>(COMPLETE, input);
const fail = (input: Record<string, unknown>) => call<Finish & { retryAt: string | null }>(FAIL, input);

function create(items: Array<Record<string, unknown>>): Promise<string[]> {
  return createJobs(app.url, submitter, items);
}

/** The job as MongoDB holds it (not the service's cache). */
async function stored(id: string) {
  return (await app.services.jobs.byId(id))!;
}

test('jobClaim with maxJobs hands out that many leases of distinct jobs, in claim order (priority, then runAt, then id)', async () => {
  // The lowest id, but due 50 ms after the others: runAt orders before id.
  const [late] = await create([{ target: 'ORDER_LATE', operation: 'CHANGE', runAt: new Date(now + 50).toISOString() }]);
  const [low, high, mid, plain] = await create([
    { target: 'ORDER_LOW', operation: 'CHANGE', priority: -5 },
    { target: 'ORDER_HIGH', operation: 'CHANGE', priority: 9 },
    { target: 'ORDER_MID', operation: 'CHANGE', priority: 5 },
    { target: 'ORDER_PLAIN', operation: 'CHANGE' },
  ]);
  now += 100;

  const first = await claim({ workerId: 'batch-1', operations: ['CHANGE'], maxJobs: 3 });
  expect(first.userErrors).toEqual([]);
  expect(first.reason).toBeNull();
  expect(first.leases.map((l) => l.job.id)).toEqual([high, mid, plain]);
  expect(first.lease).toEqual(first.leases[0]);
  expect(new Set(first.leases.map((l) => l.token)).size).toBe(3);
  for (const l of first.leases) expect(l).toMatchObject({ attempt: 1, job: { status: 'INITIATED', attempts: 1 } });

  const rest = await claim({ workerId: 'batch-2', operations: ['CHANGE'], maxJobs: 10 });
  expect(rest.leases.map((l) => l.job.id)).toEqual([late, low]);
  const none = await claim({ workerId: 'batch-2', operations: ['CHANGE'], maxJobs: 10 });
  expect(none).toEqual({ lease: null, leases: [], reason: 'EMPTY', userErrors: [] });

  // Every lease is the holder's: each completes with its own token, and MongoDB records who holds what.
  for (const [l, workerId] of [...first.leases.map((l) => [l, 'batch-1'] as const), ...rest.leases.map((l) => [l, 'batch-2'] as const)]) {
    expect(await stored(l.job.id)).toMatchObject({ status: 'INITIATED', workerId, leaseToken: l.token });
    expect((await complete({ id: l.job.id, leaseToken: l.token })).job).toEqual({ id: l.job.id, status: 'COMPLETED' });
  }
});

test('maxJobs outside 1..100 is INVALID_PARAMETERS and claims nothing', async () => {
  const [id] = await create([{ target: 'RANGE_1', operation: 'DELETE_DRAFT' }]);
  for (const maxJobs of [0, -1, 101]) {
    const refused = await claim({ workerId: 'range', operations: ['DELETE_DRAFT'], maxJobs });
    expect(refused).toEqual({ lease: null, leases: [], reason: null, userErrors: [expect.objectContaining({ code: 'INVALID_PARAMETERS', field: ['input', 'maxJobs'] })] });
  }
  expect(await stored(id!)).toMatchObject({ status: 'QUEUED', attempts: 0 });
  const granted = await claim({ workerId: 'range', operations: ['DELETE_DRAFT'], maxJobs: 100 });
  expect(granted.leases.map((l) => [l.job.id, l.attempt])).toEqual([[id, 1]]);
  expect((await complete({ id, leaseToken: granted.lease!.token })).userErrors).toEqual([]);
});

test('jobComplete with claimNext: the next lease comes in the same answer and is usable (progress, complete); EMPTY when nothing is left', async () => {
  const [a, b] = await create([
    { target: 'NEXT_A', operation: 'ADD' },
    { target: 'NEXT_B', operation: 'ADD' },
  ]);
  const first = (await claim({ workerId: 'chain', operations: ['ADD'] })).lease!;
  expect(first.job.id).toBe(a);

  const done = await complete({ id: a, leaseToken: first.token, claimNext: { workerId: 'chain', operations: ['ADD'] } });
  expect(done).toMatchObject({ job: { id: a, status: 'COMPLETED' }, nextReason: null, userErrors: [] });
  const next = done.next!;
  expect(next).toMatchObject({ attempt: 1, job: { id: b, status: 'INITIATED', attempts: 1 } });
  expect(next.token).not.toBe(first.token);
  expect(await stored(b!)).toMatchObject({ status: 'INITIATED', workerId: 'chain', leaseToken: next.token });

  now += 10;
  const p = await progress({ id: b, leaseToken: next.token, status: 'VALIDATING', progress: 0.5 });
  expect(p.userErrors).toEqual([]);
  expect(new Date(p.leaseExpiresAt!).getTime()).toBe(now + leaseMs);
  const last = await complete({ id: b, leaseToken: next.token, claimNext: { workerId: 'chain', operations: ['ADD'] } });
  expect(last).toEqual({ job: { id: b, status: 'COMPLETED' }, next: null, nextReason: 'EMPTY', userErrors: [] });
  expect(await stored(b!)).toMatchObject({ status: 'COMPLETED', progress: 1 });
});

test('jobFail with claimNext: the failed job is retried (or ends) and the next lease is usable', async () => {
  const [a, b, c] = await create([
    { target: 'FAILNEXT_A', operation: 'ROLLBACK_REMOVE' },
    { target: 'FAILNEXT_B', operation: 'ROLLBACK_REMOVE' },
    { target: 'FAILNEXT_C', operation: 'ROLLBACK_REMOVE' },
  ]);
  const next = { workerId: 'failer', operations: ['ROLLBACK_REMOVE'] };
  const la = (await claim(next)).lease!;
  expect(la.job.id).toBe(a);

  const retried = await fail({ id: a, leaseToken: la.token, reason: 'flaky', retryable: true, claimNext: next });
  expect(retried).toMatchObject({ job: { id: a, status: 'QUEUED' }, nextReason: null, userErrors: [], next: { job: { id: b, status: 'INITIATED' } } });
  const retryAt = new Date(retried.retryAt!).getTime();
  expect(retryAt).toBeGreaterThan(now);

  const lb = retried.next!;
  expect((await progress({ id: b, leaseToken: lb.token, progress: 0.25 })).userErrors).toEqual([]);
  const ended = await fail({ id: b, leaseToken: lb.token, reason: 'bad input', retryable: false, claimNext: next });
  expect(ended).toMatchObject({ job: { id: b, status: 'FAILED' }, retryAt: null, next: { job: { id: c } }, nextReason: null, userErrors: [] });

  // a waits for its retry: nothing claimable until then.
  const lc = ended.next!;
  expect(await complete({ id: c, leaseToken: lc.token, claimNext: next })).toEqual({ job: { id: c, status: 'COMPLETED' }, next: null, nextReason: 'EMPTY', userErrors: [] });
  now = retryAt;
  const again = (await claim(next)).lease!;
  expect(again).toMatchObject({ attempt: 2, job: { id: a } });
  expect((await complete({ id: a, leaseToken: again.token })).job!.status).toBe('COMPLETED');
  expect(await stored(a!)).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  expect(await stored(b!)).toMatchObject({ status: 'FAILED', failureReason: 'bad input' });
});

test('nextReason MAINTENANCE and PAUSED: the finish is recorded, no next lease is handed out, the waiting job stays queued', async () => {
  const MAINT = `mutation($i: MaintenanceSetInput!) { maintenanceSet(input: $i) { userErrors { code } } }`;
  const [a, b, c] = await create([
    { target: 'SWITCH_A', operation: 'DELETE_ARCHIVE' },
    { target: 'SWITCH_B', operation: 'DELETE_ARCHIVE' },
    { target: 'SWITCH_C', operation: 'DELETE_ARCHIVE' },
  ]);
  const next = { workerId: 'switcher', operations: ['DELETE_ARCHIVE'] };
  const la = (await claim(next)).lease!;
  expect(la.job.id).toBe(a);
  await call(MAINT, { paused: true, message: 'deploy' }, admin);
  try {
    expect(await complete({ id: a, leaseToken: la.token, claimNext: next })).toEqual({ job: { id: a, status: 'COMPLETED' }, next: null, nextReason: 'MAINTENANCE', userErrors: [] });
    expect(await stored(b!)).toMatchObject({ status: 'QUEUED', attempts: 0 });
  } finally {
    await call(MAINT, { paused: false, message: 'done' }, admin);
  }

  const lb = (await claim(next)).lease!;
  expect(lb.job.id).toBe(b);
  await call('mutation($i: QueuePauseInput!) { queuePause(input: $i) { userErrors { code } } }', {}, operator);
  try {
    const failed = await fail({ id: b, leaseToken: lb.token, reason: 'no', retryable: false, claimNext: next });
    expect(failed).toMatchObject({ job: { id: b, status: 'FAILED' }, next: null, nextReason: 'PAUSED', userErrors: [] });
    expect(await stored(c!)).toMatchObject({ status: 'QUEUED', attempts: 0 });
  } finally {
    await call('mutation($i: QueueResumeInput!) { queueResume(input: $i) { userErrors { code } } }', {}, operator);
  }
  const lc = (await claim(next)).lease!;
  expect(lc.job.id).toBe(c);
  expect((await complete({ id: c, leaseToken: lc.token })).userErrors).toEqual([]);
});

test('a finish with a lost lease still answers LEASE_LOST with claimNext; a next lease it hands out is the caller\'s and works', async () => {
  const [a, b] = await create([
    { target: 'LOST_A', operation: 'PATCH_METADATA' },
    { target: 'LOST_B', operation: 'PATCH_METADATA' },
  ]);
  const next = { workerId: 'late', operations: ['PATCH_METADATA'] };
  const la = (await claim(next)).lease!;
  expect((await complete({ id: a, leaseToken: la.token })).job!.status).toBe('COMPLETED');

  // The same token again: the job is not the caller's any more.
  const stale = await complete({ id: a, leaseToken: la.token, claimNext: next });
  expect(stale.job).toBeNull();
  expect(stale.userErrors.map((e) => e.code)).toEqual(['LEASE_LOST']);
  expect(stale.nextReason).toBeNull();
  const lb = stale.next!;
  expect(lb.job.id).toBe(b);
  expect((await progress({ id: b, leaseToken: lb.token, progress: 0.5 })).userErrors).toEqual([]);
  expect((await complete({ id: b, leaseToken: lb.token })).job).toEqual({ id: b, status: 'COMPLETED' });

  const staleFail = await fail({ id: a, leaseToken: la.token, reason: 'late', claimNext: next });
  expect(staleFail).toEqual({ job: null, retryAt: null, next: null, nextReason: 'EMPTY', userErrors: [expect.objectContaining({ code: 'LEASE_LOST' })] });
  expect(await stored(a!)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
});

test('an invalid claimNext (bad workerId, no operations) is a userError and changes nothing: the job keeps its lease, the next job stays queued', async () => {
  const [a, b] = await create([
    { target: 'BADNEXT_A', operation: 'ADD' },
    { target: 'BADNEXT_B', operation: 'ADD' },
  ]);
  const la = (await claim({ workerId: 'careful', operations: ['ADD'] })).lease!;
  expect(la.job.id).toBe(a);

  // Nothing changed: the lease is live in Redis and MongoDB, b waits, the lease still works.
  const unchanged = async () => {
    expect(await app.queue.job(a!)).toMatchObject({ state: 'leased', status: 'INITIATED', token: la.token });
    expect(await stored(a!)).toMatchObject({ status: 'INITIATED', leaseToken: la.token, attempts: 1 });
    expect(await stored(b!)).toMatchObject({ status: 'QUEUED', attempts: 0 });
    expect((await progress({ id: a, leaseToken: la.token, progress: 0.5 })).userErrors).toEqual([]);
  };

  const badId = await complete({ id: a, leaseToken: la.token, claimNext: { workerId: 'bad id!', operations: ['ADD'] } });
  expect(badId).toEqual({ job: null, next: null, nextReason: null, userErrors: [expect.objectContaining({ code: 'INVALID_PARAMETERS', field: ['input', 'claimNext', 'workerId'] })] });
  await unchanged();
  const noOps = await fail({ id: a, leaseToken: la.token, reason: 'x', claimNext: { workerId: 'careful', operations: [] } });
  expect(noOps).toMatchObject({ job: null, next: null, userErrors: [expect.objectContaining({ code: 'INVALID_PARAMETERS' })] });
  await unchanged();
  expect(noOps.userErrors[0]!.field).toEqual(['input', 'claimNext', 'operations']);

  const done = await complete({ id: a, leaseToken: la.token, claimNext: { workerId: 'careful', operations: ['ADD'] } });
  expect(done).toMatchObject({ job: { id: a, status: 'COMPLETED' }, next: { job: { id: b } }, userErrors: [] });
  expect((await complete({ id: b, leaseToken: done.next!.token })).userErrors).toEqual([]);
});

test('progress that changes only the fraction extends the lease in Redis at once and reaches MongoDB at most once a second; stage changes and messages are written at once', async () => {
  const [id] = await create([{ target: 'THROTTLE', operation: 'CHANGE' }]);
  const t0 = now;
  const lease = (await claim({ workerId: 'thr', operations: ['CHANGE'] })).lease!;
  expect(lease.job.id).toBe(id);
  const report = async (advanceMs: number, input: Record<string, unknown>) => {
    now += advanceMs;
    const r = await progress({ id, leaseToken: lease.token, ...input });
    expect(r.userErrors).toEqual([]);
    // Every report extends the lease, in the answer and in Redis, written to MongoDB or not.
    expect(new Date(r.leaseExpiresAt!).getTime()).toBe(now + leaseMs);
    expect((await app.queue.job(id!))!.leaseExpiresAt).toBe(now + leaseMs);
    return stored(id!);
  };
  const claimed = await stored(id!);
  expect(claimed.leaseExpiresAt!.getTime()).toBe(t0 + leaseMs);

  // Two fraction-only reports within a second of the last write (the claim): neither is in MongoDB.
  let doc = await report(200, { progress: 0.2 });
  expect(doc.progress).toBe(0);
  doc = await report(300, { progress: 0.3 });
  expect(doc.progress).toBe(0);
  expect(doc.leaseExpiresAt!.getTime()).toBe(t0 + leaseMs);
  expect((await app.queue.job(id!))!.progress).toBe(0.3);

  // A stage change is written at once, with the fraction Redis holds and the extended lease.
  doc = await report(100, { status: 'VALIDATING' });
  expect(doc).toMatchObject({ status: 'VALIDATING', progress: 0.3 });
  expect(doc.leaseExpiresAt!.getTime()).toBe(now + leaseMs);
  const stageWrittenAt = now;

  doc = await report(100, { progress: 0.4 });
  expect(doc.progress).toBe(0.3);
  // A message is written at once.
  doc = await report(100, { progress: 0.5, message: 'half way' });
  expect(doc.progress).toBe(0.5);
  expect((await app.services.jobLogs.linesOf([doc]))[0]!.map((l) => l.message)).toContain('half way');
  const messageWrittenAt = now;
  expect(messageWrittenAt - stageWrittenAt).toBe(200);

  // 999 ms after the last write: not yet; at 1,000 ms: written.
  doc = await report(999, { progress: 0.6 });
  expect(doc.progress).toBe(0.5);
  doc = await report(1, { progress: 0.7 });
  expect(doc.progress).toBe(0.7);
  expect(doc.leaseExpiresAt!.getTime()).toBe(now + leaseMs);

  expect((await complete({ id, leaseToken: lease.token })).job!.status).toBe('COMPLETED');
});

/**
 * The hot path's budget (DESIGN.md): claim, a progress report, complete cost at most 3 MongoDB commands and
 * 4 Redis round trips a job, which needs complete-with-claimNext and few selected fields. A fraction-only
 * report within a second of the last write is not written to MongoDB; one a second later is (its write and
 * its publish fit the budget because the complete and the next claim share one MongoDB write and one
 * publish round trip). Counted from the first lease on, so every job is claimed through claimNext; the
 * queue-stats publisher (at most one round trip per 250 ms) is the 0.5 allowed above 4. The jobs' log lines
 * are written with the jobs' own updates and moved to the log collection by the log mover, all 10 ended
 * jobs in one move here (the mover's delay is longer than the test; the count includes the move): the jobs'
 * lines and their log documents read (2 finds), the log documents inserted (1) and the lines removed (1),
 * so 1 write per job plus 0.4 for the move (2.4 with a written progress report).
 */
test.each([
  ['within a second of the claim (not written to MongoDB)', 0, 1.4, 4],
  ['a second after the claim (written to MongoDB)', 1_000, 2.4, 4.5],
])('with the worker client\'s documents, claim + a progress report %s + complete-with-claimNext stay within the per-job budget', async (when, advanceMs, mongoBudget, redisBudget) => {
  const jobs = 10;
  const prefix = `COST${advanceMs}`;
  const ids = await create(Array.from({ length: jobs }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'DELETE_DRAFT' })));
  const client = new WorkerClient({ url: app.url, token: workerToken });
  const next = { workerId: 'cost', operations: ['DELETE_DRAFT' as const] };
  let lease = (await client.claim({ ...next, maxJobs: 1 })).lease;
  await app.services.jobLogs.drain(); // lines of the tests before and of this first claim are not counted
  const mongo0 = mongoCommandCounts(app.mongo);
  const redis0 = redisStats(app.redis).roundTrips;
  const done: string[] = [];
  while (lease) {
    now += advanceMs;
    const p = await client.reportProgress({ id: lease.job.id, leaseToken: lease.token, progress: 0.5 });
    expect(p.userErrors).toEqual([]);
    const c = await client.complete({ id: lease.job.id, leaseToken: lease.token, claimNext: next });
    expect(c.userErrors).toEqual([]);
    done.push(lease.job.id);
    lease = c.next;
  }
  await app.services.jobLogs.drain();

  const mongo1 = mongoCommandCounts(app.mongo);
  const byName = Object.fromEntries(Object.entries(mongo1).flatMap(([k, v]) => (v > (mongo0[k] ?? 0) ? [[k, (v - (mongo0[k] ?? 0)) / jobs]] : [])));
  const mongoPerJob = Object.values(byName).reduce((a, b) => a + b, 0);
  const redisPerJob = (redisStats(app.redis).roundTrips - redis0) / jobs;
  process.stdout.write(`progress ${when}: ${mongoPerJob.toFixed(2)} MongoDB commands ${JSON.stringify(byName)} and ${redisPerJob.toFixed(2)} Redis round trips a job\n`);
  expect(done).toEqual(ids);
  for (const id of ids) expect(await stored(id)).toMatchObject({ status: 'COMPLETED', progress: 1 });
  expect(Number(mongoPerJob.toFixed(2))).toBeLessThanOrEqual(mongoBudget); // a sum of tenths: compared as printed
  expect(redisPerJob).toBeLessThanOrEqual(redisBudget);
});
