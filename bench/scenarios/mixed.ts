import { WorkerClient } from '../../src/worker-client/index.js';
import { jobCount, seedJobs, type BenchEnv } from '../setup.js';
import { gql, paced, type Sample } from '../load.js';
import { claimAndComplete } from './claim.js';
import { queryPass } from './query.js';

/**
 * Scenario 6: the query's latency while batch enqueue and claim+complete run
 * at about half the maxima measured earlier in the same run (paced producers),
 * against an idle pass just before, on a fresh database seeded with `jobs`
 * jobs. The enqueue adds jobs during the loaded pass: both sizes are reported.
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
      const data = await gql<{ jobsCreate: { results: Array<{ job: { id: string } | null }> } }>(env.app.url, env.tokens.submitter, CREATE, { i: { items } });
      enqueued += data.jobsCreate.results.filter((r) => r.job).length;
    }),
  );
  const client = new WorkerClient({ url: env.app.url, token: env.tokens.worker });
  const workers = Array.from({ length: 10 }, (_, w) => {
    const step = claimAndComplete(client, `bench-mixed-${w}`);
    return paced(claimTarget / 10, stop, async () => {
      if ((await step()) > 0) completed++;
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
