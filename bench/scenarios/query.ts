import type { BenchEnv } from '../setup.js';
import { httpLoad, median, type Sample } from '../load.js';
import { startReference } from '../reference.js';
import { gql } from '../load.js';

/** Scenario 1: `jobs(first: 20)` with nested targets, service (auth, limits, DataLoader, database) vs the bare reference. */
export const JOBS_QUERY = '{ jobs(first: 20) { nodes { id status target { name } } } }';
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { error { code } } } }';

export interface PassPair {
  ref: Sample[];
  svc: Sample[];
}

export interface Summary {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOp: number;
  errors: number;
}

export function summarize(samples: Sample[]): Summary {
  return {
    perSecond: median(samples.map((s) => s.perSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    cpuUsPerOp: median(samples.map((s) => s.cpuUsPerOp)),
    errors: samples.reduce((n, s) => n + s.errors, 0),
  };
}

/** Seeds `count` jobs through the API (QUEUED ADD jobs: also the claim scenario's first backlog). */
export async function seedJobs(env: BenchEnv, prefix: string, count: number, operation = 'ADD'): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const items = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({ target: `${prefix}_${start + i}`, operation }));
    const data = await gql<{ jobsCreate: { results: Array<{ error: { code: string } | null }> } }>(env.app.url, env.tokens.submitter, CREATE, { i: { items } });
    const failed = data.jobsCreate.results.filter((r) => r.error).length;
    if (failed) throw new Error(`seeding: ${failed} items refused`);
  }
}

export async function jobCount(env: BenchEnv): Promise<number> {
  return env.app.mongo.collection('jobs').estimatedDocumentCount();
}

export interface QueryResult {
  collectionSize: number;
  connections: number;
  ref: Summary;
  svc: Summary;
  passes: PassPair;
}

export async function runQuery(env: BenchEnv, opts: { passes: number; seconds: number; connections: number }): Promise<QueryResult> {
  const ref = await startReference(2000);
  const body = JSON.stringify({ query: JOBS_QUERY });
  const svcLoad = (seconds: number) =>
    httpLoad({ url: `${env.app.url}/graphql`, body, headers: { authorization: `Bearer ${env.tokens.viewer}` }, connections: opts.connections, seconds });
  const refLoad = (seconds: number) => httpLoad({ url: `${ref.url}/graphql`, body, headers: {}, connections: opts.connections, seconds });
  try {
    await refLoad(1); // warm-up: JIT, connection pools, the JWKS fetch
    await svcLoad(1);
    const passes: PassPair = { ref: [], svc: [] };
    for (let i = 0; i < opts.passes; i++) {
      passes.ref.push(await refLoad(opts.seconds));
      passes.svc.push(await svcLoad(opts.seconds));
    }
    return { collectionSize: await jobCount(env), connections: opts.connections, ref: summarize(passes.ref), svc: summarize(passes.svc), passes };
  } finally {
    await ref.close();
  }
}

/** One query pass against the service only (the mixed scenario). */
export function queryPass(env: BenchEnv, seconds: number, connections: number): Promise<Sample> {
  return httpLoad({ url: `${env.app.url}/graphql`, body: JSON.stringify({ query: JOBS_QUERY }), headers: { authorization: `Bearer ${env.tokens.viewer}` }, connections, seconds });
}
