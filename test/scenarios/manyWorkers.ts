import type { App } from '../../src/app.js';
import { JobWorker, type JobHandler } from '../../src/worker-client/index.js';
import { createJobs, gql } from '../harness/app.js';
import type { RoleTokens } from '../harness/jwks.js';
import { until } from '../harness/until.js';

/**
 * `workers` real workers (the project's worker client, `concurrency` jobs in flight each) run `jobs`
 * ADD jobs on an app of the test's own: every job completed exactly once, none lost, never two holders
 * at once; both ways of getting work ran (a claim of several, the next job with a complete). The quick
 * suite runs a small one (workers.test.ts), `npm run soak` a large one (workers.soak.test.ts).
 */
export async function manyWorkersRun(app: App, tokens: RoleTokens, o: { jobs: number; workers: number; concurrency: number; timeoutMs: number }): Promise<void> {
  const prefix = `MANY${o.jobs}`;
  const ids = await createJobs(app.url, tokens.submitter, Array.from({ length: o.jobs }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'ADD' })));
  const runs = new Map<string, number>();
  const inFlight = new Set<string>();
  let overlaps = 0;
  const handler: JobHandler = async (job) => {
    if (inFlight.has(job.id)) overlaps++;
    inFlight.add(job.id);
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    await new Promise((r) => setImmediate(r));
    inFlight.delete(job.id);
  };
  const batches: number[] = [];
  const workers = Array.from(
    { length: o.workers },
    (_, i) =>
      new JobWorker({
        url: app.url,
        token: tokens.worker,
        workerId: `many-${i}`,
        operations: ['ADD'],
        handler,
        waitSeconds: 2,
        progressEveryMs: 60_000,
        concurrency: o.concurrency,
        onEvent: (e) => e.event === 'claimed' && e.via === 'claim' && batches.push(e.batch),
      }),
  );
  const started = Date.now();
  workers.forEach((w) => w.start());
  try {
    // Polls the workers' own counters: a status count would scan the collection on FerretDB.
    await until(`all ${o.jobs} completed`, () => workers.reduce((n, w) => n + w.stats.completed, 0) >= o.jobs, o.timeoutMs);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const seconds = (Date.now() - started) / 1000;
  expect(overlaps).toBe(0);
  expect(runs.size).toBe(o.jobs);
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
  expect(ids.every((id) => runs.has(id))).toBe(true);
  expect(workers.reduce((n, w) => n + w.stats.completed, 0)).toBe(o.jobs);
  // Both paths ran: a jobClaim that handed out several leases, and leases that came with a complete.
  expect(Math.max(...batches)).toBeGreaterThan(1);
  expect(workers.reduce((n, w) => n + w.stats.claimedNext, 0)).toBeGreaterThan(0);
  const counts = await gql<{ queue: { counts: Array<{ status: string; count: number }> } }>(app.url, '{ queue { counts { status count } } }', undefined, tokens.operator);
  expect(counts.body.data!.queue.counts.find((c) => c.status === 'QUEUED')!.count).toBe(0);
  expect(await app.mongo.collection('jobs').countDocuments({ status: 'COMPLETED', attempts: 1, target: { $regex: `^${prefix}_` } })).toBe(o.jobs);
  process.stdout.write(`${o.jobs.toLocaleString('en')} jobs by ${o.workers} workers in ${seconds.toFixed(1)} s (${(o.jobs / seconds).toFixed(0)} jobs/s)\n`);
}
