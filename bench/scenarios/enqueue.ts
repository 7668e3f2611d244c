import { Types } from 'mongoose';
import type { BenchEnv } from '../setup.js';
import { closedLoop, gql, summarize, type Sample, type Summary } from '../load.js';

/**
 * Scenario 2: jobsCreate of 1 item and of 100 items, against a raw driver
 * insertMany ceiling on the same database: documents of the job's shape into a
 * collection with the jobs collection's indexes, in the same batch sizes and
 * concurrency, alternating passes.
 */
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } } } }';
export const RAW_COLLECTION = 'bench_raw_jobs';

export interface EnqueueCase {
  batch: number;
  concurrency: number;
  svc: Summary;
  raw: Summary;
  passes: { svc: Sample[]; raw: Sample[] };
}

function rawDoc(target: string) {
  const now = new Date();
  return {
    _id: new Types.ObjectId(),
    target, operation: 'ADD', status: 'QUEUED', activeTarget: target, relatedTargets: [target],
    releaseStatus: null, description: null, bumpManifesto: null, bumpFromVersion: null, bumpToVersion: null, payload: null,
    createdBy: 'bench-sub', createdAt: now, updatedAt: now, finishedAt: null, priority: 0, runAt: null,
    attempts: 0, maxAttempts: 3, cancelRequested: false, failureReason: null,
    log: [{ at: now, actor: 'bench-sub', message: 'created', status: 'QUEUED' }], retryOf: null, retriedBy: null,
  };
}

/** The raw collection gets the jobs collection's indexes (key, name, unique, sparse), so the ceiling pays the same index upkeep. */
export async function prepareRawCollection(env: BenchEnv): Promise<void> {
  const db = env.app.mongo.db!;
  await db.collection(RAW_COLLECTION).drop().catch(() => undefined);
  const indexes = await db.collection('jobs').indexes();
  const specs = indexes
    .filter((ix) => ix.name !== '_id_')
    .map((ix) => ({ key: ix.key, name: ix.name!, ...(ix.unique ? { unique: true } : {}), ...(ix.sparse ? { sparse: true } : {}) }));
  await db.collection(RAW_COLLECTION).insertOne({ _id: new Types.ObjectId(), init: true });
  if (specs.length) await db.collection(RAW_COLLECTION).createIndexes(specs);
}

export async function runEnqueue(env: BenchEnv, opts: { passes: number; seconds: number; batch: number; concurrency: number; maxJobsPerPass: number }): Promise<EnqueueCase> {
  const raw = env.app.mongo.db!.collection(RAW_COLLECTION);
  const maxOps = Math.ceil(opts.maxJobsPerPass / opts.batch);
  const tag = (kind: string, pass: number) => `E${opts.batch}${kind}${pass < 0 ? 'W' : pass}_${Date.now().toString(36).toUpperCase()}`;
  const svcPass = (pass: number, seconds = opts.seconds) => {
    const prefix = tag('S', pass);
    return closedLoop({
      concurrency: opts.concurrency, seconds, maxOps,
      op: async (i) => {
        const items = Array.from({ length: opts.batch }, (_, k) => ({ target: `${prefix}_${i * opts.batch + k}`, operation: 'ADD' }));
        const data = await gql<{ jobsCreate: { results: Array<{ job: { id: string } | null }> } }>(env.app.url, env.tokens.submitter, CREATE, { i: { items } });
        const created = data.jobsCreate.results.filter((r) => r.job).length;
        if (created !== opts.batch) throw new Error(`only ${created} of ${opts.batch} created`);
        return created;
      },
    });
  };
  const rawPass = (pass: number) => {
    const prefix = tag('R', pass);
    return closedLoop({
      concurrency: opts.concurrency, seconds: opts.seconds, maxOps,
      op: async (i) => {
        const docs = Array.from({ length: opts.batch }, (_, k) => rawDoc(`${prefix}_${i * opts.batch + k}`));
        const r = await raw.insertMany(docs, { ordered: false });
        return r.insertedCount;
      },
    });
  };
  await svcPass(-1, 1); // warm-up
  const passes = { svc: [] as Sample[], raw: [] as Sample[] };
  for (let p = 0; p < opts.passes; p++) {
    passes.raw.push(await rawPass(p));
    passes.svc.push(await svcPass(p));
  }
  return { batch: opts.batch, concurrency: opts.concurrency, svc: summarize(passes.svc, opts.seconds), raw: summarize(passes.raw, opts.seconds), passes };
}
