import { jobCount, seedJobs, type BenchEnv } from '../setup.js';
import { httpLoad, summarize, type Sample, type Summary } from '../load.js';
import { startReference } from '../reference.js';

/**
 * Scenario 1: `jobs(first: 20)` with nested targets, service (auth, limits,
 * DataLoader, database) vs the bare reference, on a fresh database seeded with
 * `jobs` jobs (each its own target); the reference holds as many in memory.
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
  const ref = await startReference(opts.jobs);
  const svcLoad = (seconds: number) => queryPass(env, seconds, opts.connections);
  const refLoad = (seconds: number) => httpLoad({ url: `${ref.url}/graphql`, body: JSON.stringify({ query: JOBS_QUERY }), headers: {}, connections: opts.connections, seconds });
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
    await ref.close();
  }
}

/** One query pass against the service only (the mixed scenario). */
export function queryPass(env: BenchEnv, seconds: number, connections: number): Promise<Sample> {
  return httpLoad({ url: `${env.app.url}/graphql`, body: JSON.stringify({ query: JOBS_QUERY }), headers: { authorization: `Bearer ${env.tokens.viewer}` }, connections, seconds });
}
