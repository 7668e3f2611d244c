import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Types } from 'mongoose';
import type { RetentionConfig } from '../config.js';
import type { JobStatus } from '../generated/graphql.js';
import type { Logger } from '../logger.js';
import type { Models } from '../models/index.js';
import type { RetentionPassRecord } from '../models/retention.js';
import type { JobLogStore } from './jobLogs.js';
import { TERMINAL_STATUSES } from './jobRules.js';
import type { RedisLease } from './lease.js';

export interface RetentionView {
  settings: { completedMaxAgeHours: number; failedMaxAgeHours: number; maxTerminalJobs: number; intervalSeconds: number };
  lastPass: RetentionPassRecord | null;
}

type Tally = Pick<RetentionPassRecord, 'removedCompleted' | 'removedFailed' | 'removedCancelled' | 'removedOverCap' | 'keptForTargets'>;

/** Most jobs one rule of one pass removes (the next pass goes on). */
export const RETENTION_MAX_PER_PASS = 10_000;
/** The lease is held this long past each step; a pass renews it after every batch. */
export const RETENTION_LEASE_MS = 30_000;

/**
 * Removes old terminal jobs (and their logs), one instance at a time (a Redis lease), in batches of
 * RETENTION_BATCH, yielding between them:
 *   1. COMPLETED and CANCELLED jobs that ended longer than RETENTION_COMPLETED_HOURS ago, FAILED ones
 *      longer than RETENTION_FAILED_HOURS ago (0: kept);
 *   2. then, while more than RETENTION_MAX_TERMINAL_JOBS terminal jobs are kept (0: no cap), the oldest.
 * Never a job that is not terminal (the delete itself re-checks the status), never the job a target's
 * last action points at (a target always shows its last job). Targets, maintenance history, module data,
 * workers and bulk action records are not touched. Each pass is logged and recorded (`lastPass`).
 */
export class RetentionService {
  /** Jobs this pass met and kept for a target. */
  private keptSeen = new Set<string>();

  constructor(
    private readonly models: Models,
    private readonly logs: JobLogStore,
    private readonly lease: RedisLease,
    private readonly cfg: RetentionConfig,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    private readonly instance: string,
  ) {}

  /** Whether any rule removes anything (all 0: the loop does not run). */
  get enabled(): boolean {
    return this.cfg.completedMaxAgeMs > 0 || this.cfg.failedMaxAgeMs > 0 || this.cfg.maxTerminalJobs > 0;
  }

  async view(): Promise<RetentionView> {
    const hours = (ms: number) => ms / 3_600_000;
    return {
      settings: {
        completedMaxAgeHours: hours(this.cfg.completedMaxAgeMs),
        failedMaxAgeHours: hours(this.cfg.failedMaxAgeMs),
        maxTerminalJobs: this.cfg.maxTerminalJobs,
        intervalSeconds: this.cfg.intervalMs / 1000,
      },
      lastPass: await this.models.RetentionPass.findOne({ _id: 'last' }).lean<RetentionPassRecord>(),
    };
  }

  /** One pass, if this instance gets the lease; null when another instance holds it (or nothing is configured). */
  async runOnce(): Promise<RetentionPassRecord | null> {
    if (!this.enabled) return null;
    if (!(await this.lease.acquire())) return null;
    const startedAt = this.clock();
    const tally: Tally = { removedCompleted: 0, removedFailed: 0, removedCancelled: 0, removedOverCap: 0, keptForTargets: 0 };
    this.keptSeen = new Set();
    let error: string | null = null;
    try {
      const kept = await this.lastActionJobs();
      const now = startedAt.getTime();
      if (this.cfg.completedMaxAgeMs > 0) await this.removeOld(['COMPLETED', 'CANCELLED'], new Date(now - this.cfg.completedMaxAgeMs), kept, tally);
      if (this.cfg.failedMaxAgeMs > 0) await this.removeOld(['FAILED'], new Date(now - this.cfg.failedMaxAgeMs), kept, tally);
      if (this.cfg.maxTerminalJobs > 0) await this.removeOverCap(kept, tally);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.logger.error({ err }, 'retention pass stopped');
    } finally {
      await this.lease.release().catch(() => undefined); // it runs out by itself
    }
    tally.keptForTargets = this.keptSeen.size;
    const pass: RetentionPassRecord = { _id: 'last', startedAt, finishedAt: this.clock(), instance: this.instance, ...tally, error };
    await this.models.RetentionPass.collection.replaceOne({ _id: 'last' as never }, pass, { upsert: true });
    const removed = tally.removedCompleted + tally.removedFailed + tally.removedCancelled;
    this.logger.info({ ...tally, removed, ms: pass.finishedAt.getTime() - startedAt.getTime(), error }, 'retention pass');
    return pass;
  }

  /** Ids of the jobs targets' last actions point at (kept whatever their age). */
  private async lastActionJobs(): Promise<Set<string>> {
    const targets = await this.models.Target.find({}, { 'lastAction.jobId': 1 }).lean<Array<{ lastAction?: { jobId?: Types.ObjectId } }>>();
    return new Set(targets.flatMap((t) => (t.lastAction?.jobId ? [t.lastAction.jobId.toHexString()] : [])));
  }

  private async removeOld(statuses: JobStatus[], endedBefore: Date, kept: Set<string>, tally: Tally): Promise<void> {
    await this.sweep({ status: { $in: statuses }, finishedAt: { $lt: endedBefore } }, Infinity, kept, tally);
  }

  private async removeOverCap(kept: Set<string>, tally: Tally): Promise<void> {
    const terminal = { status: { $in: [...TERMINAL_STATUSES] } };
    const excess = (await this.models.Job.countDocuments(terminal)) - this.cfg.maxTerminalJobs;
    if (excess > 0) tally.removedOverCap += await this.sweep(terminal, excess, kept, tally);
  }

  /**
   * Removes up to `limit` jobs matching `query`, oldest (by id) first: their ids are read in one query (at
   * most RETENTION_MAX_PER_PASS; on FerretDB every query other than by _id reads the whole collection, so
   * one read per rule and pass, not one per batch), then removed a batch at a time by `_id: { $in }`
   * (served by the _id index on both backends). Returns how many were removed.
   */
  private async sweep(query: Record<string, unknown>, limit: number, kept: Set<string>, tally: Tally): Promise<number> {
    const want = Math.min(RETENTION_MAX_PER_PASS, limit === Infinity ? RETENTION_MAX_PER_PASS : limit + kept.size);
    const found = await this.models.Job.find(query, { _id: 1, status: 1 }).sort({ _id: 1 }).limit(want).lean<Array<{ _id: Types.ObjectId; status: JobStatus }>>();
    for (const j of found) if (kept.has(j._id.toHexString())) this.keptSeen.add(j._id.toHexString());
    const doomed = found.filter((j) => !kept.has(j._id.toHexString())).slice(0, limit === Infinity ? undefined : limit);
    let removed = 0;
    for (let i = 0; i < doomed.length; i += this.cfg.batch) {
      const batch = doomed.slice(i, i + this.cfg.batch);
      const ids = batch.map((j) => j._id);
      // The status is checked again by the delete itself: a job that is not terminal is never removed.
      const res = await this.models.Job.collection.deleteMany({ _id: { $in: ids }, status: { $in: [...TERMINAL_STATUSES] } });
      await this.logs.remove(ids);
      removed += res.deletedCount;
      for (const j of batch) {
        if (j.status === 'COMPLETED') tally.removedCompleted++;
        else if (j.status === 'FAILED') tally.removedFailed++;
        else tally.removedCancelled++;
      }
      if (!(await this.lease.renew())) throw new Error('the retention lease was lost (the pass took longer than the lease); the next pass goes on');
      await yieldTurn(); // other requests are served between batches
    }
    return removed;
  }
}
