import type { RedisClient as Redis } from '../db/redis.js';
import type { ObservabilityConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Models } from '../models/index.js';
import type { RedisQueue } from '../queue/index.js';
import type { JobEventView } from '../services/events.js';
import type { WorkerService } from '../services/workers.js';
import { Metrics, type QueueSnapshot } from './metrics.js';
import { JobStatsService } from './stats.js';

/**
 * The one home of what the service tells operators about itself: Prometheus metrics (metrics.ts), the
 * per-minute job stats behind jobStats and the dashboard (stats.ts) and traces (tracing.ts). The rest
 * of the code calls it at three places only: the event publishing step (every job change), the
 * lifecycle's LEASE_LOST answers and reaps, and the event bus.
 */
export interface JobObserver {
  /** Job changes as they are published (EventService.publishJobs). */
  jobEvents(events: readonly JobEventView[]): void;
  /** A worker was answered LEASE_LOST. */
  leaseLost(): void;
  /** The reaper found this many expired leases. */
  leasesExpired(n: number): void;
}

export interface BusObserver {
  published(topic: string): void;
  delivered(topic: string, subscribers: number): void;
}

export class Observability implements JobObserver, BusObserver {
  readonly metrics: Metrics | null;
  readonly stats: JobStatsService | null;

  constructor(
    readonly cfg: ObservabilityConfig,
    d: { redis: Redis; prefix: string; models: Models; queue: RedisQueue; workers: WorkerService; logger: Logger; clock: () => Date },
  ) {
    const snapshot = async (): Promise<QueueSnapshot> => {
      const [flags, counts, workersAlive] = await Promise.all([d.queue.flags(), d.queue.counts(), d.workers.countAlive()]);
      return { ...flags, ready: counts.ready, readyByOperation: counts.readyByOperation, delayed: counts.delayed, leased: counts.leased, workersAlive };
    };
    this.metrics = cfg.metrics ? new Metrics() : null;
    this.metrics?.setSnapshotSource(snapshot);
    this.stats = cfg.jobStats
      ? new JobStatsService({
          redis: d.redis,
          prefix: d.prefix,
          models: d.models,
          logger: d.logger,
          clock: d.clock,
          sample: async () => {
            const s = await snapshot();
            return { ready: s.ready, delayed: s.delayed, running: s.leased, workersAlive: s.workersAlive };
          },
        })
      : null;
  }

  jobEvents(events: readonly JobEventView[]): void {
    this.metrics?.jobEvents(events);
    this.stats?.record(events);
  }

  leaseLost(): void {
    this.metrics?.leaseLost.inc();
  }

  leasesExpired(n: number): void {
    if (n > 0) this.metrics?.leaseExpiries.inc(n);
  }

  published(topic: string): void {
    this.metrics?.eventsPublished.inc({ topic });
  }

  delivered(topic: string, subscribers: number): void {
    if (subscribers > 0) this.metrics?.eventsDelivered.inc({ topic }, subscribers);
  }

  /** Background work (the queue depth sampler). */
  start(): void {
    this.stats?.start();
  }

  stop(): void {
    this.stats?.stop();
  }
}
