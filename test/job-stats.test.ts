import { createJobs, gql, startAppWithIssuer } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * jobStats(window, bucket) against a real service (FerretDB, redis-server) on an injected clock: the
 * per-minute counters in Redis, their validation, and their rebuild from MongoDB after Redis lost them.
 */
const MINUTE = 60_000;
let now = Math.floor(Date.now() / MINUTE) * MINUTE + 5_000;
let app: Awaited<ReturnType<typeof startAppWithIssuer>>['app'];
let viewer: string;
let submitter: string;
let worker: string;

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, appOptions: { clock: { now: () => now }, background: false } });
  app = started.app;
  viewer = await started.token(['VIEWER'], 'vic');
  submitter = await started.token(['SUBMITTER'], 'sue');
  worker = await started.token(['WORKER'], 'bot');
});

const STATS = `query($w: Int!, $b: Int!) { jobStats(window: $w, bucket: $b) {
  window bucket from to rebuiltBefore
  buckets { start created started completed failed cancelled retried ready delayed running workersAlive }
  operations { operation created started completed failed cancelled retried failureRate waitP50Seconds waitP95Seconds runP50Seconds runP95Seconds }
} }`;

interface Stats {
  window: number;
  bucket: number;
  from: string;
  to: string;
  rebuiltBefore: string | null;
  buckets: Array<{ start: string; created: number; started: number; completed: number; failed: number; cancelled: number; retried: number; ready: number | null; running: number | null }>;
  operations: Array<{ operation: string; created: number; started: number; completed: number; failed: number; cancelled: number; retried: number; failureRate: number | null; waitP50Seconds: number | null; runP95Seconds: number | null }>;
}

async function stats(w: number, b: number): Promise<Stats> {
  app.observability.stats!.forget(); // the one-second cache would hide what the test just did
  const res = await gql<{ jobStats: Stats }>(app.url, STATS, { w, b }, viewer);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.jobStats;
}

async function call<T>(query: string, input: Record<string, unknown>): Promise<T> {
  const res = await gql<Record<string, T>>(app.url, query, { i: input }, worker);
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0]!;
}
const CLAIM = 'mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } userErrors { code } } }';
const COMPLETE = 'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }';
const FAIL = 'mutation($i: JobFailInput!) { jobFail(input: $i) { job { status } userErrors { code } } }';

test('a window or bucket outside the allowed set is BAD_USER_INPUT; anonymous callers are refused', async () => {
  for (const [w, b] of [[123, 60], [3600, 7], [3600, 3600], [3600, 0], [-3600, 60]]) {
    const res = await gql(app.url, STATS, { w, b }, viewer);
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(/window|bucket/);
  }
  const anon = await gql(app.url, STATS, { w: 3600, b: 60 });
  expect(anon.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
});

test('counts per minute and per operation follow the jobs, and survive Redis losing them (rebuilt from MongoDB)', async () => {
  const op = 'PATCH_METADATA';
  // Two days on the injected clock: the jobs of the file's other tests (run in any order) are out of the windows read here.
  now += 2 * 86_400_000;
  const t0 = now;
  const ids = await createJobs(app.url, submitter, [
    { target: 'STATS_A', operation: op },
    { target: 'STATS_B', operation: op },
  ]);
  now += 2_000; // waited 2 s
  const first = await call<{ lease: { token: string; job: { id: string } } }>(CLAIM, { workerId: 'stats-w', operations: [op] });
  const second = await call<{ lease: { token: string; job: { id: string } } }>(CLAIM, { workerId: 'stats-w', operations: [op] });
  expect([first.lease.job.id, second.lease.job.id].sort()).toEqual([...ids].sort());
  now += 3_000; // ran 3 s
  expect((await call<{ job: { status: string } }>(COMPLETE, { id: first.lease.job.id, leaseToken: first.lease.token })).job.status).toBe('COMPLETED');
  expect((await call<{ job: { status: string } }>(FAIL, { id: second.lease.job.id, leaseToken: second.lease.token, reason: 'bad file', retryable: false })).job.status).toBe('FAILED');

  const live = await stats(3600, 60);
  expect(live.window).toBe(3600);
  expect(live.buckets).toHaveLength(60);
  expect(new Date(live.buckets.at(-1)!.start).getTime()).toBe(Math.floor(now / MINUTE) * MINUTE);
  const o = live.operations.find((x) => x.operation === op)!;
  expect(o).toMatchObject({ created: 2, started: 2, completed: 1, failed: 1, cancelled: 0, retried: 0, failureRate: 0.5 });
  // 2 s and 3 s fall in the (1, 2.5] and (2.5, 5] buckets of the estimate.
  expect(o.waitP50Seconds).toBeGreaterThan(1);
  expect(o.waitP50Seconds).toBeLessThanOrEqual(2.5);
  expect(o.runP95Seconds).toBeGreaterThan(2.5);
  expect(o.runP95Seconds).toBeLessThanOrEqual(5);
  const bucket = live.buckets.find((b) => new Date(b.start).getTime() === Math.floor(t0 / MINUTE) * MINUTE)!;
  expect(bucket).toMatchObject({ created: 2, started: 2, completed: 1, failed: 1 });
  const sum = (k: 'created' | 'completed') => live.buckets.reduce((n, b) => n + b[k], 0);
  expect([sum('created'), sum('completed')]).toEqual([2, 1]);
  // Coarser buckets add the minutes up.
  const day = await stats(86_400, 3600);
  expect(day.buckets).toHaveLength(24);
  expect(day.operations.find((x) => x.operation === op)).toMatchObject({ created: 2, completed: 1, failed: 1 });

  // Redis loses the counters (this test's keys only: the Redis is shared with other test files).
  const keys = await app.redis.keys(`${app.config.redisKeyPrefix}stats:*`);
  expect(keys.length).toBeGreaterThan(1);
  await app.redis.del(...keys);
  // The next read (two minutes on) finds no marker: counting restarts then, and the day's minutes before it
  // are rebuilt from MongoDB, once.
  now += 2 * MINUTE;
  const rebuilt = await stats(3600, 60);
  expect(rebuilt.rebuiltBefore).not.toBeNull();
  const r = rebuilt.operations.find((x) => x.operation === op)!;
  expect(r).toMatchObject({ created: 2, started: 2, completed: 1, failed: 1, failureRate: 0.5 });
  expect(r.waitP50Seconds).toBe(o.waitP50Seconds);
  expect(r.runP95Seconds).toBe(o.runP95Seconds);
  const again = await stats(3600, 60);
  expect(again.operations).toEqual(rebuilt.operations);
});

test('queue depth is sampled into the current minute', async () => {
  await createJobs(app.url, submitter, [{ target: 'STATS_DEPTH', operation: 'DELETE_DRAFT' }]);
  app.observability.stop();
  app.observability.start(); // samples at once, then every 10 s
  await until('a sample with the waiting job', async () => ((await stats(3600, 60)).buckets.at(-1)!.ready ?? 0) >= 1, 10_000);
  const last = (await stats(3600, 60)).buckets.at(-1)!;
  expect(last.ready).toBeGreaterThanOrEqual(1);
  expect(last.running).toBe(0);
});
