import type { EventBus } from '../events/bus.js';
import type { JobFilter, JobStatus, WorkerEventKind } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import type { TargetRecord } from '../models/target.js';
import { matchesJobFilter } from './jobFilter.js';
import { RUNNING_STATUSES } from './jobRules.js';
import type { JobService } from './jobs.js';
import type { MaintenanceService, MaintenanceStatusView } from './maintenance.js';
import type { QueueService, QueueView } from './queue.js';
import type { TargetService } from './targets.js';
import type { WorkerService, WorkerView } from './workers.js';

export interface JobEventView {
  kind: 'CREATED' | 'STATUS_CHANGED' | 'UPDATED';
  job: JobRecord;
  /** The job's target as of the event, so a thousand subscribers need no lookup of their own. */
  target: TargetRecord | null;
  previousStatus: JobStatus | null;
  at: Date;
}

export interface WorkerEventView {
  kind: WorkerEventKind;
  workerId: string;
  worker: WorkerView | null;
  at: Date;
}

const TOPIC = { job: 'job', maintenance: 'maintenance', worker: 'worker', queue: 'queue' } as const;

/** Queue stats are published at most this often per instance. */
const QUEUE_STATS_EVERY_MS = 250;

/**
 * Turns committed changes into events on the bus (published inside the job's
 * lock, so one job's events keep their order across instances) and gives the
 * subscription resolvers their iterators. jobEvents matches with the same
 * predicate as the `jobs` query's filter.
 */
export class EventService {
  private statsTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly deps: { jobs: JobService; targets: TargetService; maintenance: MaintenanceService; workers: WorkerService; queue: QueueService; clock: () => Date },
  ) {
    deps.jobs.listen({
      created: async (jobs, targets) => {
        const at = deps.clock();
        // Sent together, in order (one Redis connection): a batch costs one round trip, not one per job.
        await Promise.all(jobs.map((job, i) => this.bus.publish(TOPIC.job, { kind: 'CREATED', job, target: targets[i] ?? null, previousStatus: null, at } satisfies JobEventView)));
        this.queueStatsSoon();
      },
      changed: async (job, previous, written) => {
        const kind = previous === job.status ? 'UPDATED' : 'STATUS_CHANGED';
        // A status change rewrote the target and hands it over; otherwise it is read (one indexed lookup).
        const target = written ?? (await deps.targets.byName(job.target));
        await this.bus.publish(TOPIC.job, { kind, job, target, previousStatus: kind === 'UPDATED' ? null : previous, at: job.updatedAt } satisfies JobEventView);
        if (kind === 'STATUS_CHANGED') this.queueStatsSoon();
        // While paused, a job leaving a running stage may turn "drained" on.
        if (RUNNING_STATUSES.includes(previous) && !RUNNING_STATUSES.includes(job.status) && (await deps.queue.isMaintenance())) {
          await this.publishMaintenance();
        }
      },
    });
    deps.maintenance.listen(async () => {
      await this.publishMaintenance();
      this.queueStatsSoon(); // the queue view carries the maintenance switch too
    });
    deps.queue.onSwitch(() => this.queueStatsSoon());
    deps.workers.listen((kind, workerId, worker) => this.bus.publish(TOPIC.worker, { kind, workerId, worker, at: deps.clock() } satisfies WorkerEventView));
  }

  private async publishMaintenance(): Promise<void> {
    await this.bus.publish(TOPIC.maintenance, await this.deps.maintenance.status());
  }

  private queueStatsSoon(): void {
    if (this.statsTimer || this.closed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = undefined;
      this.deps.queue
        .view()
        .then((view) => this.bus.publish(TOPIC.queue, view))
        .catch(() => undefined); // stats are best effort; the next change publishes again
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
      const { operation, target, createdBy, createdAt } = e.job;
      return matchesJobFilter({ status: e.previousStatus, operation, target, createdBy, createdAt }, filter);
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
    return this.bus.iterate<QueueView>(TOPIC.queue, undefined, signal);
  }

  close(): void {
    this.closed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
  }
}
