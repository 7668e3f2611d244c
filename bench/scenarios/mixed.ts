import { jobCount, seedJobs, type BenchEnv } from '../setup.js';
import { gql, paced, type Sample } from '../load.js';
import { BenchWorker, type Lease } from '../worker.js';
import { queryPass } from './query.js';

/**
 * Scenario 6: the query's latency while batch enqueue and the worker hot path
 * (progress, then complete with claimNext) run at about half the maxima
 * measured earlier in the same run (paced producers), against an idle pass just
 * before, on a fresh database seeded with `jobs` jobs. The enqueue adds jobs
 * during the loaded pass: both sizes are reported.
 */
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } } } }';

export interface MixedResult {
  collectionSize: number;
  collectionSizeAfter: number;
  idle: Sample;
  loaded: Sample;
  enqueueTargetPerSecond: number;
  enqueuedPerSecond: number;
  claimTargetPerSecond: number;
  completedPerSecond: number;
}

export async function runMixed(env: BenchEnv, opts: { seconds: number; connections: number; jobs: number; enqueueMaxPerSecond: number; claimMaxPerSecond: number }): Promise<MixedResult> {
  await seedJobs(env, 'MIXED', opts.jobs);
  const collectionSize = await jobCount(env);
  const idle = await queryPass(env, opts.seconds, opts.connections);
  const stop = { done: false };
  const enqueueTarget = opts.enqueueMaxPerSecond / 2;
  const claimTarget = opts.claimMaxPerSecond / 2;
  let enqueued = 0;
  let completed = 0;
  const prefix = `MIX${Date.now().toString(36).toUpperCase()}`;
  let batchNo = 0;
  const producers = Array.from({ length: 4 }, () =>
    paced(enqueueTarget / 100 / 4, stop, async () => {
      const b = batchNo++;
      const items = Array.from({ length: 100 }, (_, k) => ({ target: `${prefix}_${b * 100 + k}`, operation: 'ADD' }));
      const data = await gql<{ jobsCreate: { results: Array<{ job: { id: string } | null }> } }>(env.svc.url, env.tokens.submitter, CREATE, { i: { items } });
      enqueued += data.jobsCreate.results.filter((r) => r.job).length;
    }),
  );
  const workers = Array.from({ length: 10 }, (_, w) => {
    const worker = new BenchWorker(env.svc.url, env.tokens.worker, `bench-mixed-${w}`);
    let lease: Lease | null = null;
    return paced(claimTarget / 10, stop, async () => {
      lease ??= (await worker.claim(0)).lease;
      const current = lease;
      lease = null;
      if (!current) return;
      await worker.progress(current, 'VALIDATING', 0.5);
      const r = await worker.complete(current, !stop.done);
      completed++;
      lease = r.next;
    });
  });
  const t0 = performance.now();
  let loaded: Sample;
  try {
    loaded = await queryPass(env, opts.seconds, opts.connections);
  } finally {
    stop.done = true;
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([...producers, ...workers]);
  return {
    collectionSize,
    collectionSizeAfter: await jobCount(env),
    idle,
    loaded,
    enqueueTargetPerSecond: enqueueTarget,
    enqueuedPerSecond: enqueued / seconds,
    claimTargetPerSecond: claimTarget,
    completedPerSecond: completed / seconds,
  };
}
