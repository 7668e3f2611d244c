import type { App } from '../src/app.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { createJobs as createJobsVia, startAppWithIssuer } from './harness/app.js';
import { until } from './harness/until.js';
import { killedWorkersRun } from './scenarios/killedWorkers.js';

/**
 * Failure modes with real processes: a worker killed with SIGKILL while it
 * holds jobs, and Redis losing everything (FLUSHALL) in the middle of a run.
 * Nothing may be lost, and no job may run twice while a lease on it is live.
 * The soak (recovery.soak.test.ts) kills several workers holding hundreds of jobs.
 */
function createJobs(app: App, submitter: string, prefix: string, count: number): Promise<string[]> {
  return createJobsVia(app.url, submitter, Array.from({ length: count }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'ADD' })));
}

test('a worker killed with SIGKILL while holding 50 jobs (claimed in batches): all 50 completed once each by 4 workers of 4 jobs in flight after the lease, attempts counted, its late calls get LEASE_LOST', async () => {
  const { app, tokens } = await startAppWithIssuer({
    file: import.meta.url,
    env: { LEASE_SECONDS: '2', REAPER_INTERVAL_MS: '200', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
  });
  await killedWorkersRun(app, tokens, { jobs: 50, doomed: 1, held: 50, rescuers: 4, holdTimeoutMs: 30_000, rescueTimeoutMs: 60_000 });
  await app.close();
}, 120_000);

test('Redis loses everything (FLUSHALL) mid-run with 5 workers of 4 jobs in flight: the reconciler restores queued and running jobs; nothing lost, none run twice', async () => {
  const { app, tokens } = await startAppWithIssuer({
    file: import.meta.url,
    env: { LEASE_SECONDS: '5', REAPER_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '300', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
  });
  const workerToken = tokens.worker;
  const ids = await createJobs(app, tokens.submitter, 'FLUSH', 200);

  const inFlight = new Set<string>();
  const finished = new Set<string>();
  const runs = new Map<string, number>();
  let overlaps = 0;
  const handler: JobHandler = async (job, ctx) => {
    if (inFlight.has(job.id)) overlaps++;
    inFlight.add(job.id);
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    try {
      await new Promise((r) => setTimeout(r, 20));
      await ctx.reportProgress({ progress: 0.5 });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      inFlight.delete(job.id);
    }
    finished.add(job.id);
  };
  // 4 jobs in flight each: claims of several jobs and next jobs with completes are in flight when Redis is flushed.
  const batches: number[] = [];
  const workers = Array.from({ length: 5 }, (_, i) =>
    new JobWorker({ url: app.url, token: workerToken, workerId: `flush-${i}`, operations: ['ADD'], handler, waitSeconds: 1, concurrency: 4, onEvent: (e) => e.event === 'claimed' && e.via === 'claim' && batches.push(e.batch) }),
  );
  workers.forEach((w) => w.start());
  try {
    await until('a third done', () => finished.size >= 60, 60_000);
    // With REDIS_URL given (a shared server), drop only this instance's keys; otherwise the whole server, as asked.
    // The queue is seen empty in the same transaction: a moment later a worker's call may already have restored it.
    const k = app.queue.keys;
    const wipe = app.redis.multi();
    if (process.env.REDIS_URL) {
      const keys = await app.redis.keys(`${app.config.redisKeyPrefix}*`);
      if (keys.length) wipe.del(...keys);
    } else {
      wipe.flushall();
    }
    const replies = (await wipe.zcard(k.waiting).zcard(k.delayed).zcard(k.leases).exists(k.epoch).exec())!;
    expect(replies.slice(-4).map(([err, n]) => [err, n])).toEqual([[null, 0], [null, 0], [null, 0], [null, 0]]);
    await until('every job completed', async () => (await app.mongo.collection('jobs').countDocuments({ status: 'COMPLETED' })) === 200, 60_000);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  expect(overlaps).toBe(0);
  expect(ids.every((id) => finished.has(id))).toBe(true);
  expect([...runs.entries()].filter(([, n]) => n !== 1)).toEqual([]); // no job run twice
  expect(Math.max(...batches)).toBeGreaterThan(1);
  expect(workers.reduce((n, w) => n + w.stats.claimedNext, 0)).toBeGreaterThan(0);
  const notDone = await app.mongo.collection('jobs').countDocuments({ status: { $ne: 'COMPLETED' } });
  expect(notDone).toBe(0);
  await app.close();
}, 150_000);
