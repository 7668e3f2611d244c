import type { JobOperation, JobStatus } from '../generated/graphql.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import type { RedisQueue } from '../queue/index.js';
import { ALL_STATUSES } from './jobRules.js';
import type { JobService } from './jobs.js';
import { badInput, decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';

export interface QueueView {
  paused: boolean;
  maintenance: boolean;
  ready: number;
  delayed: number;
  leased: number;
  oldestWaitingSeconds: number | null;
}

/** The queue as operators see and steer it (a job's own changes are the lifecycle's). */
export class QueueService {
  private readonly switchListeners: Array<() => void> = [];

  constructor(
    private readonly models: Models,
    private readonly jobs: JobService,
    private readonly queue: RedisQueue,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---- the queue as operators see it

  async view(): Promise<QueueView> {
    const [flags, counts, oldest] = await Promise.all([this.queue.flags(), this.queue.counts(), this.queue.oldestWaitingSince()]);
    return {
      paused: flags.paused,
      maintenance: flags.maintenance,
      ready: counts.ready,
      delayed: counts.delayed,
      leased: counts.leased,
      oldestWaitingSeconds: oldest === null ? null : Math.max(0, (this.clock().getTime() - oldest) / 1000),
    };
  }

  /** Jobs per status from Mongo ($group with $sum only: DESIGN.md rule 5). */
  async countsByStatus(): Promise<Array<{ status: JobStatus; count: number }>> {
    const rows = await this.models.Job.aggregate<{ _id: JobStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    const byStatus = new Map(rows.map((r) => [r._id, r.n]));
    return ALL_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
  }

  /** Waiting jobs in claim order. Claim order moves as workers take jobs, so a cursor is a position in it. */
  async jobsInClaimOrder(args: { operations?: readonly JobOperation[] | null; first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<JobRecord>> {
    const first = pageSize(args.first);
    const offset = args.after ? decodeCursor(args.after, ['number'])[0] : 0;
    if (!Number.isInteger(offset) || offset < 0) throw badInput('after: not a cursor from this connection');
    const totalCount = lazyCount(() => this.queue.counts().then((c) => c.ready + c.delayed), opts.countNow);
    const peeked = await this.queue.peek({ operations: args.operations ?? undefined, offset, limit: first + 1 });
    const jobs = (await this.jobs.byIds(peeked.map((j) => j.id))).filter((j): j is JobRecord => j !== null);
    const connection = toConnection(jobs, first, args.after, () => '', totalCount);
    connection.edges.forEach((edge, i) => (edge.cursor = encodeCursor([offset + i + 1])));
    connection.pageInfo.startCursor = connection.edges[0]?.cursor ?? null;
    connection.pageInfo.endCursor = connection.edges.at(-1)?.cursor ?? null;
    return connection;
  }

  /** Told when the queue is paused or resumed. */
  onSwitch(listener: () => void): void {
    this.switchListeners.push(listener);
  }

  async setPaused(paused: boolean, actor: string): Promise<QueueView> {
    await this.models.Setting.updateOne({ _id: 'queue' }, { $set: { paused, updatedBy: actor, updatedAt: this.clock() } }, { upsert: true });
    await this.queue.setPaused(paused);
    for (const l of this.switchListeners) l();
    return this.view();
  }

  /** The maintenance switch as the claim script reads it (one Redis read; view() also counts the queue). */
  async isMaintenance(): Promise<boolean> {
    return (await this.queue.flags()).maintenance;
  }

  setMaintenance(on: boolean): Promise<void> {
    return this.queue.setMaintenance(on);
  }
}


