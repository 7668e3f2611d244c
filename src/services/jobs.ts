import type { Types } from 'mongoose';
import type { JobFilter, JobOrder } from '../generated/graphql.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import { findByIds, parseObjectId } from './byIds.js';
import { afterCursor, jobCursor, jobFilterQuery, jobSort, sortSpec } from './jobFilter.js';
import { lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';

/** Reading jobs. Every change of a job is the lifecycle's (lifecycle.ts). */
export class JobService {
  constructor(private readonly models: Models) {}

  async byId(id: string): Promise<JobRecord | null> {
    const oid = parseObjectId(id);
    return oid ? this.models.Job.findOne({ _id: oid }).lean<JobRecord>() : null;
  }

  /** One query for many ids, in their order (null where none; see findByIds). */
  async byIds(ids: readonly string[]): Promise<Array<JobRecord | null>> {
    const found = await findByIds<JobRecord>(this.models.Job, ids.map(parseObjectId).filter((x): x is Types.ObjectId => x !== null));
    const byId = new Map(found.map((j) => [j._id.toHexString(), j]));
    return ids.map((id) => byId.get(String(id).toLowerCase()) ?? null);
  }

  async list(args: { filter?: JobFilter | null; orderBy?: JobOrder | null; first?: number | null; after?: string | null; relatedTarget?: string }, opts: ListOptions = {}): Promise<Connection<JobRecord>> {
    const first = pageSize(args.first);
    const sort = jobSort(args.orderBy);
    const base = jobFilterQuery(args.filter);
    const scoped = args.relatedTarget === undefined ? base : and(base, { relatedTargets: String(args.relatedTarget) });
    const paged = args.after ? and(scoped, afterCursor(args.after, sort)) : scoped;
    const totalCount = lazyCount(() => this.models.Job.countDocuments(scoped), opts.countNow);
    const items = await this.models.Job.find(paged).sort(sortSpec(sort)).limit(first + 1).lean<JobRecord[]>();
    return toConnection(items, first, args.after, (j) => jobCursor(j, sort), totalCount);
  }
}

function and(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(a).length === 0) return b;
  return { $and: [a, b] };
}
