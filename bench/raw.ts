import { Types } from 'mongoose';
import type { BenchEnv } from './setup.js';

/**
 * The raw ceilings' collection: documents of a new job's shape, written by the
 * driver directly (no GraphQL, no Redis, no service), in a collection with the
 * jobs collection's indexes, so a ceiling pays the same index upkeep.
 */
export const RAW_COLLECTION = 'bench_raw_jobs';

/** A document shaped like a job the service has just created (sequence 1, QUEUED, one log line). */
export function rawDoc(target: string) {
  const now = new Date();
  return {
    _id: new Types.ObjectId(),
    target, operation: 'ADD', status: 'QUEUED', seq: 1, activeTarget: target, relatedTargets: [target],
    releaseStatus: null, description: null, bumpManifesto: null, bumpFromVersion: null, bumpToVersion: null, payload: null,
    createdBy: 'bench-sub', createdAt: now, updatedAt: now, finishedAt: null, priority: 0, runAt: null,
    attempts: 0, maxAttempts: 3, cancelRequested: false, failureReason: null,
    log: [{ at: now, actor: 'bench-sub', message: 'created', status: 'QUEUED' }], retryOf: null, retriedBy: null,
  };
}

/** (Re)creates the raw collection with the jobs collection's indexes (key, name, unique, sparse). */
export async function prepareRawCollection(env: BenchEnv): Promise<void> {
  const db = env.db.db!;
  await db.collection(RAW_COLLECTION).drop().catch(() => undefined);
  const indexes = await db.collection('jobs').indexes();
  const specs = indexes
    .filter((ix) => ix.name !== '_id_')
    .map((ix) => ({ key: ix.key, name: ix.name!, ...(ix.unique ? { unique: true } : {}), ...(ix.sparse ? { sparse: true } : {}) }));
  await db.collection(RAW_COLLECTION).insertOne({ _id: new Types.ObjectId(), init: true });
  if (specs.length) await db.collection(RAW_COLLECTION).createIndexes(specs);
}

/** Inserts `count` new raw jobs (1,000 a command) and returns their ids. */
export async function insertRawJobs(env: BenchEnv, prefix: string, count: number): Promise<Types.ObjectId[]> {
  const coll = env.db.db!.collection(RAW_COLLECTION);
  const ids: Types.ObjectId[] = [];
  for (let i = 0; i < count; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, count - i) }, (_, k) => rawDoc(`${prefix}_${i + k}`));
    await coll.insertMany(docs, { ordered: false });
    ids.push(...docs.map((d) => d._id));
  }
  return ids;
}

export function rawCount(env: BenchEnv): Promise<number> {
  return env.db.db!.collection(RAW_COLLECTION).estimatedDocumentCount();
}
