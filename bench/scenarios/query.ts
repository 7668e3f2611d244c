import { startChild } from '../child.js';
import { httpLoad, measure, summarize, type ProcStats, type Sample, type Summary } from '../load.js';
import type { ReferenceReady } from '../reference.js';
import { jobCount, seedJobs, type BenchEnv } from '../setup.js';

/**
 * Scenario 1: `jobs(first: 20)` with nested targets, service (auth, limits,
 * DataLoader, database) vs the bare reference (bench/reference.ts, in its own
 * process), on a fresh database seeded with `jobs` jobs (each its own target);
 * the reference holds as many in memory. autocannon runs here; each server's
 * CPU per request is its own process's, read over IPC.
 */
export const JOBS_QUERY = '{ jobs(first: 20) { nodes { id status target { name } } } }';

export interface PassPair {
  ref: Sample[];
  svc: Sample[];
}

export interface QueryResult {
  collectionSize: number;
  connections: number;
  ref: Summary;
  svc: Summary;
  passes: PassPair;
}

export async function runQuery(env: BenchEnv, opts: { passes: number; seconds: number; connections: number; jobs: number }): Promise<QueryResult> {
  await seedJobs(env, 'QUERY', opts.jobs);
  const ref = await startChild<ReferenceReady>(new URL('../reference.js', import.meta.url), opts.jobs);
  const svcLoad = (seconds: number) => measure(() => env.svc.stats(), () => queryPass(env, seconds, opts.connections), 'call');
  const refLoad = (seconds: number) =>
    measure(
      () => ref.call<ProcStats>('stats'),
      () => httpLoad({ url: `${ref.ready.url}/graphql`, body: JSON.stringify({ query: JOBS_QUERY }), headers: {}, connections: opts.connections, seconds }),
      'call',
    );
  try {
    await refLoad(1); // warm-up: JIT, connection pools, the JWKS fetch
    await svcLoad(1);
    const passes: PassPair = { ref: [], svc: [] };
    for (let i = 0; i < opts.passes; i++) {
      passes.ref.push(await refLoad(opts.seconds));
      passes.svc.push(await svcLoad(opts.seconds));
    }
    return { collectionSize: await jobCount(env), connections: opts.connections, ref: summarize(passes.ref, opts.seconds), svc: summarize(passes.svc, opts.seconds), passes };
  } finally {
    await ref.stop();
  }
}

/** One query pass against the service only (also the mixed scenario's). */
export function queryPass(env: BenchEnv, seconds: number, connections: number): Promise<Sample> {
  return httpLoad({ url: `${env.svc.url}/graphql`, body: JSON.stringify({ query: JOBS_QUERY }), headers: { authorization: `Bearer ${env.tokens.viewer}` }, connections, seconds });
}
