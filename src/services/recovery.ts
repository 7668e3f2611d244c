import type { QueueConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ScheduleService } from './schedules.js';
import type { JobLifecycle } from './lifecycle.js';
import type { RetentionService } from './retention.js';
import type { WorkerService } from './workers.js';

/** How often each instance looks for due schedule times (a time fires at most this late). */
export const SCHEDULER_INTERVAL_MS = 200;

/**
 * The background loops of one instance; what each step does is the
 * lifecycle's (reap, reconcile) or the workers' (announceExpired):
 * - the reaper, every REAPER_INTERVAL_MS: jobs whose lease expired;
 * - the reconciler, at start-up and every RECONCILE_INTERVAL_MS: Redis against
 *   MongoDB, and time limits;
 * - worker expiry, within a quarter of CLIENT_EXPIRY_SECONDS (at most 5 s late);
 * - the event relay, every half of EVENT_RELAY_GRACE_MS: status changes whose deciding instance did not
 *   publish their event within that grace (it died between decision and publish);
 * - the scheduler, every 200 ms (SCHEDULER_INTERVAL_MS): due times of cron schedules (each fired on one instance).
 * - retention, every RETENTION_INTERVAL_MS: old terminal jobs (one instance at a time, see retention.ts).
 * Every step is safe on several instances at once.
 */
export class BackgroundLoops {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly lifecycle: JobLifecycle,
    private readonly workers: WorkerService,
    private readonly cfg: QueueConfig,
    private readonly logger: Logger,
    private readonly schedules?: ScheduleService,
    private readonly retention?: RetentionService,
    private readonly retentionIntervalMs = 60_000,
  ) {}

  /** Reaps expired leases (up to `limit`); returns how many jobs it handled. */
  reapOnce(limit = 100): Promise<number> {
    return this.lifecycle.reap(limit);
  }

  reconcileOnce() {
    return this.lifecycle.reconcile();
  }

  /** Starts the periodic loops (after one reconciliation). */
  async start(): Promise<void> {
    await this.reconcileOnce();
    this.schedule(() => this.reapOnce(), this.cfg.reaperIntervalMs);
    this.schedule(() => this.reconcileOnce(), this.cfg.reconcileIntervalMs);
    this.schedule(() => this.lifecycle.relayEvents(), Math.max(1, Math.floor(this.cfg.eventRelayGraceMs / 2)));
    this.schedule(() => this.workers.announceExpired(), Math.max(250, Math.min(5_000, (this.cfg.clientExpirySeconds * 1000) / 4)));
    const schedules = this.schedules;
    if (schedules) this.schedule(() => schedules.fireDue(), SCHEDULER_INTERVAL_MS);
    const retention = this.retention;
    if (retention?.enabled) this.schedule(() => retention.runOnce(), this.retentionIntervalMs);
  }

  private schedule(task: () => Promise<unknown>, everyMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      const p = task()
        .catch((err: unknown) => this.logger.error({ err }, 'background step failed'))
        .finally(() => {
          this.running.delete(p);
          if (!this.stopped) this.timers.push(setTimeout(tick, everyMs).unref());
        });
      this.running.add(p);
    };
    this.timers.push(setTimeout(tick, everyMs).unref());
  }

  /** Stops the loops and waits for a step in progress. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await Promise.all([...this.running]);
  }
}
