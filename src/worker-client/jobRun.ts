/**
 * One leased job from claim to its last word: runs the handler, keeps the lease alive, turns a cancel
 * request or a lost lease into an aborted signal, then reports complete or fail (or nothing, when the
 * lease is gone: whoever holds the new lease finishes the job).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { findUserError, type JobLease, type ReportProgressResult, type UserError, type WorkerClient } from './client.js';
import { LeaseLostError, NonRetryableError } from './errors.js';
import type { JobContext, JobHandler, ProgressUpdate, WorkerEvent, WorkerLogger } from './types.js';

/** Abort reason of a forced stop. */
export const STOPPING = 'stopping';

const SETTLE_ATTEMPTS = 5;
export const BACKOFF_MIN_MS = 200;
export const BACKOFF_MAX_MS = 5_000;

export const nextBackoff = (ms: number): number => Math.min(Math.max(ms * 2, BACKOFF_MIN_MS), BACKOFF_MAX_MS);
export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface JobRunDeps {
  client: WorkerClient;
  handler: JobHandler;
  progressEveryMs: number;
  logger: WorkerLogger;
  stats: { completed: number; failed: number; leaseLost: number };
  emit(event: WorkerEvent): void;
}

type Outcome = { ok: true; message?: string } | { ok: false; error: unknown };

export class JobRun {
  readonly controller = new AbortController();
  /** The last progress the handler reported, for heartbeats. */
  progress: number | null = null;
  private active = false;
  private leaseLost = false;
  private cancelled = false;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    readonly lease: JobLease,
    private readonly deps: JobRunDeps,
  ) {}

  get id(): string {
    return this.lease.job.id;
  }

  /** Never throws: every failure ends as a report to the service or a log line. */
  async execute(): Promise<void> {
    const { job } = this.lease;
    const ctx: JobContext = {
      lease: this.lease,
      job,
      signal: this.controller.signal,
      reportProgress: (update) => this.report(update),
    };
    this.active = true;
    this.scheduleKeepalive();
    let outcome: Outcome;
    try {
      const value = await this.deps.handler(job, ctx);
      outcome = { ok: true, message: value ? value.message : undefined };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      this.active = false;
      clearTimeout(this.keepalive);
    }
    await this.finish(outcome);
  }

  private scheduleKeepalive(): void {
    clearTimeout(this.keepalive);
    if (!this.active || this.leaseLost) return;
    this.keepalive = setTimeout(() => {
      this.report({}).catch((error: unknown) => {
        if (error instanceof LeaseLostError) return;
        this.deps.logger.warn({ jobId: this.id, error: describe(error) }, 'lease keep-alive failed');
      });
    }, this.deps.progressEveryMs);
  }

  private async report(update: ProgressUpdate = {}): Promise<ReportProgressResult> {
    if (this.leaseLost) throw new LeaseLostError(this.id);
    // A report of the handler's own is a keep-alive too: restart the countdown after it.
    clearTimeout(this.keepalive);
    try {
      const result = await this.deps.client.reportProgress({ id: this.id, leaseToken: this.lease.token, ...update });
      if (findUserError(result.userErrors, 'LEASE_LOST')) {
        const lost = new LeaseLostError(this.id);
        this.leaseLost = true;
        this.controller.abort(lost);
        throw lost;
      }
      if (update.progress !== undefined) this.progress = update.progress;
      if (result.cancelRequested && !this.cancelled) {
        this.cancelled = true;
        this.deps.emit({ event: 'cancelRequested', id: this.id });
        this.controller.abort('cancelled');
      }
      return result;
    } finally {
      this.scheduleKeepalive();
    }
  }

  private async finish(outcome: Outcome): Promise<void> {
    const { id } = this;
    const leaseToken = this.lease.token;
    const { client, stats } = this.deps;
    if (this.leaseLost) return this.lostLease();
    // A handler that finished its work despite a cancel request reports the truth: completed.
    if (outcome.ok) {
      const result = await this.settle('complete', () => client.complete({ id, leaseToken, message: outcome.message }));
      if (!result) return;
      stats.completed++;
      this.deps.emit({ event: 'completed', id, status: result.job?.status ?? null });
      return;
    }
    const signal = this.controller.signal;
    let reason: string;
    let retryable: boolean;
    if (this.cancelled) [reason, retryable] = ['cancelled', false];
    else if (signal.aborted && signal.reason === STOPPING) [reason, retryable] = ['worker stopped before the job finished', true];
    else [reason, retryable] = [describe(outcome.error), !(outcome.error instanceof NonRetryableError)];
    const result = await this.settle('fail', () => client.fail({ id, leaseToken, reason, retryable }));
    if (!result) return;
    stats.failed++;
    this.deps.emit({ event: 'failed', id, reason, retryable, status: result.job?.status ?? null, retryAt: result.retryAt });
  }

  /** complete/fail with a few retries; undefined when the lease was lost, the call refused, or the service unreachable. */
  private async settle<T extends { userErrors: UserError[] }>(
    call: 'complete' | 'fail',
    send: () => Promise<T>,
  ): Promise<T | undefined> {
    const { logger } = this.deps;
    let backoffMs = 0;
    for (let attempt = 1; ; attempt++) {
      let result: T;
      try {
        result = await send();
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS) {
          logger.error({ jobId: this.id, call, error: describe(error) }, 'giving up; the lease will expire and the job be requeued');
          return undefined;
        }
        backoffMs = nextBackoff(backoffMs);
        await delay(backoffMs); // not cut short by stop: the result is worth reporting
        continue;
      }
      // After a retry this may also mean the first try got through; either way the job is not ours now.
      if (findUserError(result.userErrors, 'LEASE_LOST')) {
        this.leaseLost = true;
        this.lostLease();
        return undefined;
      }
      if (result.userErrors.length > 0) {
        logger.error({ jobId: this.id, call, userErrors: result.userErrors }, `${call} refused`);
        this.deps.emit({ event: 'refused', id: this.id, call, userErrors: result.userErrors });
        return undefined;
      }
      return result;
    }
  }

  private lostLease(): void {
    this.deps.stats.leaseLost++;
    this.deps.logger.warn({ jobId: this.id }, 'lease lost; leaving the job to its new holder');
    this.deps.emit({ event: 'leaseLost', id: this.id });
  }
}
