import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { App } from '../src/app.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { createJobs as createJobsVia, gql, startAppWithIssuer } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * Failure modes with real processes: a worker killed with SIGKILL while it
 * holds jobs, and Redis losing everything (FLUSHALL) in the middle of a run.
 * Nothing may be lost, and no job may run twice while a lease on it is live.
 */
const CLI = path.resolve('dist/src/worker-client/cli.js');

function createJobs(app: App, submitter: string, prefix: string, count: number): Promise<string[]> {
  return createJobsVia(app.url, submitter, Array.from({ length: count }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'ADD' })));
}

test('a worker killed with SIGKILL while holding 50 jobs (claimed in batches): all 50 completed once each by 4 workers of 4 jobs in flight after the lease, attempts counted, its late calls get LEASE_LOST', async () => {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  const { app, token } = await startAppWithIssuer({
    file: import.meta.url,
    env: { LEASE_SECONDS: '2', REAPER_INTERVAL_MS: '200', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
  });
  const submitter = await token(['SUBMITTER'], 'sue');
  const workerToken = await token(['WORKER'], 'bot');
  const ids = await createJobs(app, submitter, 'KILL', 50);

  const child = spawn(process.execPath, [CLI, '--url', app.url, '--worker-id', 'doomed', '--operations', 'ADD', '--concurrency', '50', '--mode', 'hang', '--wait-seconds', '1', '--progress-every-ms', '500'], {
    env: { PATH: process.env.PATH, WORKER_TOKEN: workerToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tokens = new Map<string, string>();
  const claims = new Map<string, number>();
  const batches: number[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string; id?: string; token?: string; via?: string; batch?: number };
    if (event.event === 'claimed') {
      tokens.set(event.id!, event.token!);
      claims.set(event.id!, (claims.get(event.id!) ?? 0) + 1);
      if (event.via === 'claim') batches.push(event.batch!);
    }
  });
  try {
    await until('the doomed worker holds 50 jobs', () => tokens.size === 50, 30_000);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.once('exit', r));
  expect(new Set(tokens.keys())).toEqual(new Set(ids));
  // The doomed worker took its jobs in claims of several (maxJobs = its free slots).
  expect(Math.max(...batches)).toBeGreaterThan(1);

  const handled: string[] = [];
  const inFlight = new Set<string>();
  let overlaps = 0;
  const handler: JobHandler = async (job) => {
    if (inFlight.has(job.id)) overlaps++;
    inFlight.add(job.id);
    handled.push(job.id);
    await new Promise((r) => setImmediate(r));
    inFlight.delete(job.id);
  };
  // 4 jobs in flight each: claims of several jobs, and the next job with each complete.
  const rescuers = Array.from({ length: 4 }, (_, i) => new JobWorker({ url: app.url, token: workerToken, workerId: `rescuer-${i}`, operations: ['ADD'], handler, waitSeconds: 1, concurrency: 4 }));
  rescuers.forEach((w) => w.start());
  try {
    await until('the rescuers completed all 50', () => rescuers.reduce((n, w) => n + w.stats.completed, 0) === 50, 60_000);
  } finally {
    await Promise.all(rescuers.map((w) => w.stop()));
  }
  expect(overlaps).toBe(0);
  expect(handled.length).toBe(50); // each job run once by the rescuers
  expect(new Set(handled)).toEqual(new Set(ids));
  expect(rescuers.reduce((n, w) => n + w.stats.claimedNext, 0)).toBeGreaterThan(0);
  let reapLogged = 0;
  for (const id of ids) {
    const job = (await app.services.jobs.byId(id))!;
    expect(job.status).toBe('COMPLETED');
    // One attempt per claim the killed worker made (a lease can lapse under load before the kill), plus the rescue.
    expect(job.attempts).toBe(claims.get(id)! + 1);
    if (job.log.some((l) => /lease expired \(worker doomed/.test(l.message))) reapLogged++;
  }
  // The reaper logs the expiry unless a rescuer finished the job before the reaper's own write (terminal jobs are immutable).
  expect(reapLogged).toBeGreaterThan(0);
  // The killed worker's tokens are dead: a late call changes nothing.
  const [someId, staleToken] = [...tokens.entries()][0]!;
  const late = await gql<{ jobComplete: { job: { status: string }; userErrors: Array<{ code: string }> } }>(
    app.url,
    'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }',
    { i: { id: someId, leaseToken: staleToken } },
    workerToken,
  );
  expect(late.body.data!.jobComplete.userErrors[0]!.code).toBe('LEASE_LOST');
  const lateProgress = await gql<{ jobReportProgress: { userErrors: Array<{ code: string }> } }>(
    app.url,
    'mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { userErrors { code } } }',
    { i: { id: someId, leaseToken: staleToken, progress: 0.5 } },
    workerToken,
  );
  expect(lateProgress.body.data!.jobReportProgress.userErrors[0]!.code).toBe('LEASE_LOST');
  await app.close();
}, 120_000);

test('Redis loses everything (FLUSHALL) mid-run with 5 workers of 4 jobs in flight: the reconciler restores queued and running jobs; nothing lost, none run twice', async () => {
  const { app, token } = await startAppWithIssuer({
    file: import.meta.url,
    env: { LEASE_SECONDS: '5', REAPER_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '300', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
  });
  const submitter = await token(['SUBMITTER'], 'sue');
  const workerToken = await token(['WORKER'], 'bot');
  const ids = await createJobs(app, submitter, 'FLUSH', 200);

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
