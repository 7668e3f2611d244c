import type { Redis } from 'ioredis';
import type { QueueConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import { raiseTokenFloor, restoreLease, type RedisQueue } from '../queue/index.js';
import { isTerminal, LEASE_FIELDS, RUNNING_STATUSES } from './jobRules.js';
import type { JobService } from './jobs.js';
import type { MaintenanceService } from './maintenance.js';
import { QUEUED_JOB_FIELDS, type QueuedJob, type QueueService } from './queue.js';
import type { WorkerService } from './workers.js';


/**
 * Keeps the queue honest when something dies:
 * - the reaper (every REAPER_INTERVAL_MS) requeues jobs whose lease expired,
 *   counting the attempt, or fails them after their last attempt;
 * - the reconciler (at start-up and every RECONCILE_INTERVAL_MS) copies the
 *   switches from Mongo to Redis, re-enqueues queued jobs Redis does not know,
 *   restores live leases Redis lost (so no job runs twice while a lease is
 *   live), requeues running jobs whose lease is gone, and fails jobs past the
 *   hard time limit;
 * - workers whose heartbeats stopped are announced (EXPIRED) once.
 * Every step runs under the job's lock, so it is safe on several instances at once.
 */
export class QueueRecovery {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly models: Models,
    private readonly jobs: JobService,
    private readonly queueService: QueueService,
    private readonly queue: RedisQueue,
    private readonly workers: WorkerService,
    private readonly maintenance: MaintenanceService,
    private readonly cfg: QueueConfig,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Reaps expired leases (up to `limit`); returns how many jobs it handled. */
  async reapOnce(limit = 100): Promise<number> {
    const reaped = await this.queue.reapExpired(limit);
    for (const r of reaped) {
      await this.jobs.transition(r.id, 'system', async (job) => {
        if (isTerminal(job.status)) return null;
        const at = this.clock();
        const who = `worker ${r.workerId}, attempt ${r.attempt} of ${job.maxAttempts}`;
        // The lease was taken in Redis before this lock: if the job was claimed again
        // since, its state belongs to (or is about to be recorded by) the new holder; only log.
        if (job.attempts > r.attempt || (await this.queue.leaseOf(r.id))) {
          return { status: job.status, set: {}, log: [{ at, actor: 'system', message: `lease expired (${who}); already claimed again` }] };
        }
        if (r.outcome === 'REQUEUED') {
          const runAt = new Date(r.runAt ?? at.getTime());
          return { status: 'QUEUED', set: { attempts: r.attempt, runAt }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `lease expired (${who}); retry at ${runAt.toISOString()}`, status: 'QUEUED' }] };
        }
        if (r.outcome === 'CANCELLED') {
          return { status: 'CANCELLED', set: { attempts: r.attempt }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `cancelled: lease expired after cancellation was requested (${who})`, status: 'CANCELLED' }] };
        }
        const reason = `lease expired on the last attempt (${who})`;
        return { status: 'FAILED', set: { attempts: r.attempt, failureReason: reason }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `failed: ${reason}`, status: 'FAILED' }] };
      });
    }
    return reaped.length;
  }

  /** One full reconciliation pass; returns what it repaired. */
  async reconcileOnce(): Promise<{ enqueued: number; restored: number; requeued: number; timedOut: number }> {
    const now = this.clock();
    // Tokens stay above any issued before, even if Redis lost its counter (ms * 1000 outruns claims).
    await raiseTokenFloor(this.redis, this.queue.keys, now.getTime() * 1000);
    await this.syncSwitches();

    const known = new Set(await this.queue.knownIds());
    let enqueued = 0;
    const queued = await this.models.Job.find({ status: 'QUEUED' }, QUEUED_JOB_FIELDS).sort({ _id: 1 }).lean<QueuedJob[]>();
    for (const job of queued) {
      if (known.has(job._id.toHexString())) continue;
      if ((await this.queueService.enqueue(job)).code === 'OK') enqueued++;
    }

    let restored = 0;
    let requeued = 0;
    let timedOut = 0;
    // Only the ids: each job is read again under its lock.
    const running = await this.models.Job.find({ status: { $in: [...RUNNING_STATUSES] } }, { _id: 1 }).sort({ _id: 1 }).lean<Array<Pick<JobRecord, '_id'>>>();
    for (const stale of running) {
      const id = stale._id.toHexString();
      await this.jobs.transition(id, 'system', async (job) => {
        if (!RUNNING_STATUSES.includes(job.status)) return null;
        const at = this.clock();
        if (job.startedAt && at.getTime() - job.startedAt.getTime() > this.cfg.jobTimeLimitMs) {
          timedOut++;
          // Drop the lease: the worker's next call gets LEASE_LOST and it stops.
          if (job.leaseToken) await this.queue.fail(id, job.leaseToken, { retryable: false });
          const reason = `time limit of ${this.cfg.jobTimeLimitMs / 1000} s exceeded`;
          return { status: 'FAILED', set: { failureReason: reason }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `failed: ${reason}`, status: 'FAILED' }] };
        }
        const state = await this.queue.state(id);
        if (state.state !== 'absent') return null; // Redis knows it (leased, or requeued by the reaper)
        if (job.leaseToken && job.workerId && job.leaseExpiresAt && job.leaseExpiresAt.getTime() > at.getTime()) {
          // Redis lost a live lease: give it back to its holder rather than to a second worker.
          const ok = await restoreLease(
            this.redis,
            this.queue.keys,
            { ...this.queueService.entryOf(job), token: job.leaseToken, workerId: job.workerId, leaseExpiresAt: job.leaseExpiresAt.getTime() },
            at.getTime(),
          );
          if (ok) restored++;
          return null;
        }
        requeued++;
        if (job.attempts >= job.maxAttempts) {
          const reason = `lease lost on the last attempt (attempt ${job.attempts} of ${job.maxAttempts})`;
          return { status: 'FAILED', set: { failureReason: reason }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `failed: ${reason}`, status: 'FAILED' }] };
        }
        return { status: 'QUEUED', set: { runAt: at }, unset: LEASE_FIELDS, log: [{ at, actor: 'system', message: `lease lost (attempt ${job.attempts}); requeued`, status: 'QUEUED' }] };
      }).then(async (r) => {
        if (r.job?.status === 'QUEUED') await this.queueService.enqueue(r.job);
      });
    }
    if (enqueued || restored || requeued || timedOut) this.logger.warn({ enqueued, restored, requeued, timedOut }, 'reconciler repaired the queue');
    return { enqueued, restored, requeued, timedOut };
  }

  /** Mongo is the source of truth for the switches the claim script reads in Redis. */
  private async syncSwitches(): Promise<void> {
    const [latest, setting, disabled, flags] = await Promise.all([
      this.maintenance.latest(),
      this.models.Setting.findOne({ _id: 'queue' }).lean<{ paused: boolean }>(),
      this.workers.disabledIds(),
      this.queue.flags(),
    ]);
    if (flags.maintenance !== latest.paused) await this.queue.setMaintenance(latest.paused);
    if (flags.paused !== Boolean(setting?.paused)) await this.queue.setPaused(Boolean(setting?.paused));
    const inRedis = new Set(await this.redis.smembers(this.queue.keys.disabled));
    for (const id of disabled) if (!inRedis.has(id)) await this.queue.setWorkerDisabled(id, true);
    for (const id of inRedis) if (!disabled.includes(id)) await this.queue.setWorkerDisabled(id, false);
  }

  /** Starts the periodic loops (after one reconciliation). */
  async start(): Promise<void> {
    await this.reconcileOnce();
    this.schedule(() => this.reapOnce(), this.cfg.reaperIntervalMs);
    this.schedule(() => this.reconcileOnce(), this.cfg.reconcileIntervalMs);
    // A stopped worker is told within a quarter of its expiry time (at most 5 s late).
    this.schedule(() => this.workers.announceExpired(), Math.max(250, Math.min(5_000, (this.cfg.clientExpirySeconds * 1000) / 4)));
  }

  private schedule(task: () => Promise<unknown>, everyMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      const p = task()
        .catch((err: unknown) => this.logger.error({ err }, 'queue recovery step failed'))
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
