import type { Types } from 'mongoose';
import type { JobFilter, JobOperation, JobOrder } from '../generated/graphql.js';
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

  /** Dead-letter jobs (the `deadLetter` filter, within `filter`) counted by operation and by failure reason, most first ($group with $sum only: DESIGN.md rule 5). */
  async deadLetterCounts(filter?: JobFilter | null) {
    const match = jobFilterQuery({ ...filter, deadLetter: true });
    const group = (field: string) => this.models.Job.aggregate<{ _id: string | null; n: number }>([{ $match: match }, { $group: { _id: `$${field}`, n: { $sum: 1 } } }]);
    const [ops, reasons] = await Promise.all([group('operation'), group('failureReason')]);
    const most = (a: { n: number; _id: string | null }, b: { n: number; _id: string | null }) => b.n - a.n || String(a._id).localeCompare(String(b._id));
    return {
      total: ops.reduce((n, r) => n + r.n, 0),
      byOperation: ops.sort(most).map((r) => ({ operation: r._id as JobOperation, count: r.n })),
      byReason: reasons.sort(most).slice(0, REASON_GROUPS).map((r) => ({ reason: r._id ?? '', count: r.n })),
    };
  }
}

/** Most failure-reason groups deadLetterCounts returns. */
const REASON_GROUPS = 50;

function and(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(a).length === 0) return b;
  return { $and: [a, b] };
}
