import type { EventBus } from '../events/bus.js';
import type { JobFilter, JobStatus, WorkerEventKind } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import { matchesJobFilter } from './jobFilter.js';
import type { MaintenanceService, MaintenanceStatusView } from './maintenance.js';
import type { QueueService, QueueView } from './queue.js';
import type { WorkerService, WorkerView } from './workers.js';

export interface JobEventView {
  kind: 'CREATED' | 'STATUS_CHANGED' | 'UPDATED';
  job: JobRecord;
  previousStatus: JobStatus | null;
  /** When the change was decided (a relayed event keeps its decision's time). */
  at: Date;
  /** The change's entry in the queue's outbox (a status change decided in Redis): not sent to subscribers. */
  outbox?: string;
}

export interface WorkerEventView {
  kind: WorkerEventKind;
  workerId: string;
  worker: WorkerView | null;
  at: Date;
}

const TOPIC = { job: 'job', maintenance: 'maintenance', worker: 'worker', queue: 'queue', queueSwitch: 'queueSwitch' } as const;

/** Queue stats are recomputed at most this often per instance. */
const QUEUE_STATS_EVERY_MS = 250;

/**
 * Publishes committed changes on the bus and gives the subscription resolvers
 * their iterators. The lifecycle publishes each job change explicitly, after
 * MongoDB has it; one job's events keep their order across instances.
 * jobEvents matches with the same predicate as the `jobs` query's filter.
 */
export class EventService {
  private statsTimer: NodeJS.Timeout | undefined;
  /** This instance's queueStatsChanged subscribers, and the listeners that recompute their view. */
  private statsWatchers = 0;
  private stopTriggers: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly deps: {
      maintenance: MaintenanceService;
      workers: WorkerService;
      queue: QueueService;
      clock: () => Date;
      /** Told of every job change as it is published, in the same tick (metrics and job stats: src/observability). */
      observe?: { jobEvents(events: readonly JobEventView[]): void };
    },
  ) {
    deps.maintenance.listen(() => this.publishMaintenance());
    // Pause and resume reach every instance's queue watchers (the maintenance switch does through its own topic).
    deps.queue.onSwitch(() => void this.bus.publish(TOPIC.queueSwitch, {}).catch(() => undefined));
    deps.workers.listen(async (kind, workerId, worker) => void (await this.bus.publish(TOPIC.worker, { kind, workerId, worker, at: deps.clock() } satisfies WorkerEventView)));
  }

  /**
   * Publishes job changes. Issued together, they share one round trip (the client pipelines them), in order.
   * A status change with an outbox entry is published by the script that removes the entry (one command
   * instead of PUBLISH), unless a relay published it already.
   */
  async publishJobs(events: JobEventView[]): Promise<void> {
    this.deps.observe?.jobEvents(events);
    await Promise.all(events.map(({ outbox, ...e }) => this.bus.publish(TOPIC.job, e, outbox ? { entry: outbox, mode: 'decider' } : undefined)));
  }

  /** Publishes a change whose decider did not (the relay, lifecycle.relayEvents); true when this call sent it. */
  async relayJob(event: JobEventView, entry: string): Promise<boolean> {
    const sent = await this.bus.publish(TOPIC.job, event, { entry, mode: 'relay' });
    if (sent) this.deps.observe?.jobEvents([event]);
    return sent;
  }

  /** Hands status changes to this instance's subscribers only, each unless it reached them already; returns how many. */
  deliverLocal(events: JobEventView[]): number {
    return events.filter(({ outbox, ...e }) => outbox && this.bus.deliverLocal(TOPIC.job, outbox, e)).length;
  }

  async publishMaintenance(): Promise<void> {
    await this.bus.publish(TOPIC.maintenance, await this.deps.maintenance.status());
  }

  /**
   * Recomputes the queue view for this instance's watchers, at most every QUEUE_STATS_EVERY_MS. Only an
   * instance with watchers does it, on the job, maintenance and pause events it receives from every
   * instance: a service nobody watches spends nothing on queue stats.
   */
  private queueStatsSoon(): void {
    if (this.statsTimer || this.closed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = undefined;
      if (this.statsWatchers === 0) return;
      this.deps.queue
        .view()
        .then((view) => this.bus.emitLocal(TOPIC.queue, view))
        .catch(() => undefined); // stats are best effort; the next change recomputes them
    }, QUEUE_STATS_EVERY_MS);
    this.statsTimer.unref();
  }

  jobUpdated(id: string, signal?: AbortSignal): AsyncIterableIterator<JobEventView> {
    const wanted = String(id).toLowerCase();
    return this.bus.iterate<JobEventView>(TOPIC.job, (e) => e.job._id.toHexString() === wanted, signal);
  }

  jobEvents(filter: JobFilter | null | undefined, signal?: AbortSignal): AsyncIterableIterator<JobEventView> {
    // Only the status can change whether a job matches (the other filter fields never change),
    // so the job before a change is the job with its previous status.
    const matches = (e: JobEventView) => {
      if (matchesJobFilter(e.job, filter)) return true;
      if (e.previousStatus === null) return false;
      const { operation, target, createdBy, createdAt, failureReason, retriedBy } = e.job;
      return matchesJobFilter({ status: e.previousStatus, operation, target, createdBy, createdAt, failureReason, retriedBy }, filter);
    };
    return this.bus.iterate<JobEventView>(TOPIC.job, matches, signal);
  }

  maintenanceChanges(signal?: AbortSignal): AsyncIterableIterator<MaintenanceStatusView> {
    return this.bus.iterate<MaintenanceStatusView>(TOPIC.maintenance, undefined, signal);
  }

  workerEvents(signal?: AbortSignal): AsyncIterableIterator<WorkerEventView> {
    return this.bus.iterate<WorkerEventView>(TOPIC.worker, undefined, signal);
  }

  queueStats(signal?: AbortSignal): AsyncIterableIterator<QueueView> {
    if (this.statsWatchers++ === 0) {
      const trigger = () => this.queueStatsSoon();
      this.stopTriggers = [TOPIC.job, TOPIC.maintenance, TOPIC.queueSwitch].map((topic) => this.bus.listen(topic, trigger));
    }
    const inner = this.bus.iterate<QueueView>(TOPIC.queue, undefined, signal);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal?.removeEventListener('abort', leave);
      if (--this.statsWatchers === 0) for (const stop of this.stopTriggers.splice(0)) stop();
    };
    signal?.addEventListener('abort', leave, { once: true });
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => inner.next(),
      return: async () => {
        leave();
        return inner.return!();
      },
    };
  }

  close(): void {
    this.closed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
  }
}
