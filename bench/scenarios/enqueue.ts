import { measure, closedLoop, gql, summarize, type Sample, type Summary } from '../load.js';
import { RAW_COLLECTION, rawDoc } from '../raw.js';
import type { BenchEnv } from '../setup.js';

/**
 * Scenario 2: jobsCreate of 1 item and of 100 items, against a raw driver
 * insertMany ceiling on the same database: documents of the job's shape into a
 * collection with the jobs collection's indexes (prepareRawCollection), in the
 * same batch sizes and concurrency, alternating passes. The service's passes
 * are charged its CPU, MongoDB commands and Redis traffic per request.
 */
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } } } }';

export interface EnqueueCase {
  batch: number;
  concurrency: number;
  svc: Summary;
  raw: Summary;
  passes: { svc: Sample[]; raw: Sample[] };
  /** Documents each side inserted, warm-up included (the collections' growth, without counting them: FerretDB counts by a full scan). */
  inserted: { svc: number; raw: number };
}

export async function runEnqueue(env: BenchEnv, opts: { passes: number; seconds: number; batch: number; concurrency: number; maxJobsPerPass: number }): Promise<EnqueueCase> {
  const raw = env.db.db!.collection(RAW_COLLECTION);
  const maxOps = Math.ceil(opts.maxJobsPerPass / opts.batch);
  const tag = (kind: string, pass: number) => `E${opts.batch}${kind}${pass < 0 ? 'W' : pass}_${Date.now().toString(36).toUpperCase()}`;
  // Costs are charged per request (one jobsCreate of `batch` items).
  const svcPass = (pass: number, seconds = opts.seconds) => {
    const prefix = tag('S', pass);
    return measure(
      () => env.svc.stats(),
      () =>
        closedLoop({
          concurrency: opts.concurrency, seconds, maxOps,
          op: async (i) => {
            const items = Array.from({ length: opts.batch }, (_, k) => ({ target: `${prefix}_${i * opts.batch + k}`, operation: 'ADD' }));
            const data = await gql<{ jobsCreate: { results: Array<{ job: { id: string } | null }> } }>(env.svc.url, env.tokens.submitter, CREATE, { i: { items } });
            const created = data.jobsCreate.results.filter((r) => r.job).length;
            if (created !== opts.batch) throw new Error(`only ${created} of ${opts.batch} created`);
            return created;
          },
        }),
      'call',
    );
  };
  // The ceiling's CPU is the load generator's (left out); the database's is counted per insertMany.
  const rawPass = (pass: number) => {
    const prefix = tag('R', pass);
    return measure(
      async () => ({ cpuUs: NaN, ...env.backendCpu() }),
      () =>
        closedLoop({
          concurrency: opts.concurrency, seconds: opts.seconds, maxOps,
          op: async (i) => {
            const docs = Array.from({ length: opts.batch }, (_, k) => rawDoc(`${prefix}_${i * opts.batch + k}`));
            const r = await raw.insertMany(docs, { ordered: false });
            return r.insertedCount;
          },
        }),
      'call',
    );
  };
  const warm = await svcPass(-1, 1); // warm-up
  const passes = { svc: [] as Sample[], raw: [] as Sample[] };
  for (let p = 0; p < opts.passes; p++) {
    passes.raw.push(await rawPass(p));
    passes.svc.push(await svcPass(p));
  }
  const sum = (list: Sample[]) => list.reduce((n, s) => n + s.ops, 0);
  return {
    batch: opts.batch, concurrency: opts.concurrency,
    svc: summarize(passes.svc, opts.seconds), raw: summarize(passes.raw, opts.seconds), passes,
    inserted: { svc: warm.ops + sum(passes.svc), raw: sum(passes.raw) },
  };
}
