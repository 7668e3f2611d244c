import { Types } from 'mongoose';
import type { JobStatus } from '../generated/graphql.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import { badInput, decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';

/** A flow as the API shows it: its final job (the flow's home: `flow` on it says how many children and the policy). */
export interface FlowView {
  final: JobRecord;
}

/**
 * Reading flows (their changes are the lifecycle's: createFlow, and the flow step after a child ends).
 * Children are found by `parent`; on FerretDB that is a scan of the jobs (DESIGN.md rule 7).
 */
export class FlowService {
  constructor(private readonly models: Models) {}

  /** The flow of a job: its own when it is a final job, its parent's when it is a child. */
  async of(job: JobRecord, load: (id: string) => Promise<JobRecord | null>): Promise<FlowView | null> {
    if (job.flow) return { final: job };
    if (!job.parent) return null;
    const final = await load(job.parent.toHexString());
    return final?.flow ? { final } : null;
  }

  /** Children per status ($group with $sum only: DESIGN.md rule 5), statuses with at least one child. */
  async counts(finalId: Types.ObjectId): Promise<Array<{ status: JobStatus; count: number }>> {
    const rows = await this.models.Job.aggregate<{ _id: JobStatus; n: number }>([{ $match: { parent: finalId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
    return rows.map((r) => ({ status: r._id, count: r.n })).sort((a, b) => a.status.localeCompare(b.status));
  }

  /** Children in creation (_id) order, keyset-paged. */
  async children(finalId: Types.ObjectId, args: { first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<JobRecord>> {
    const first = pageSize(args.first);
    const filter: Record<string, unknown> = { parent: finalId };
    if (args.after) {
      const [id] = decodeCursor(args.after, ['string']);
      if (!Types.ObjectId.isValid(id)) throw badInput('after: not a cursor from this connection');
      filter._id = { $gt: new Types.ObjectId(id) };
    }
    const totalCount = lazyCount(() => this.models.Job.countDocuments({ parent: finalId }), opts.countNow);
    const items = await this.models.Job.find(filter).sort({ _id: 1 }).limit(first + 1).lean<JobRecord[]>();
    return toConnection(items, first, args.after, (j) => encodeCursor([j._id.toHexString()]), totalCount);
  }
}
