/**
 * One leased job from claim to its last word: runs the handler, keeps the lease alive, turns a cancel
 * request or a lost lease into an aborted signal, then reports complete or fail (or nothing, when the
 * lease is gone: whoever holds the new lease finishes the job). The complete or fail call may ask for
 * the worker's next job (claimNext); the lease it brings back is the run's result.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { findUserError, type ClaimNextInput, type JobLease, type NextLease, type ReportProgressResult, type UserError, type WorkerClient } from './client.js';
import { LeaseLostError, NonRetryableError } from './errors.js';
import type { JobContext, JobHandler, ProgressUpdate, WorkerEvent, WorkerLogger } from './types.js';

const tracer = trace.getTracer('job-service-worker-client');

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
  /** Asked when the handler is done: what to claim in the finishing call, or undefined for nothing (stopping, runOnce). */
  claimNext(): ClaimNextInput | undefined;
}

/** What a complete or fail call came to: the answer when the service accepted it, and a next lease either way. */
interface Settled<T> {
  accepted: T | undefined;
  next: JobLease | null;
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
  /**
   * The job's span (OpenTelemetry API: recorded when the worker's process registered an SDK, a no-op
   * otherwise), a child of the lease's traceparent; its context goes with every call about the job.
   */
  private readonly span: Span;
  private readonly traceContext: Context;
  private readonly callOptions: { headers: Record<string, string> };

  constructor(
    readonly lease: JobLease,
    private readonly deps: JobRunDeps,
  ) {
    const parent = lease.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: lease.traceparent }) : context.active();
    const job = lease.job;
    // Messaging semantic conventions: a consumer's "process" span per job attempt; no payload or parameters.
    this.span = tracer.startSpan(
      `process ${job.operation}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'job-service',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': job.operation,
          'messaging.message.id': job.id,
          'job.attempt': lease.attempt,
        },
      },
      parent,
    );
    this.traceContext = trace.setSpan(parent, this.span);
    const headers: Record<string, string> = {};
    propagation.inject(this.traceContext, headers);
    this.callOptions = { headers };
  }

  get id(): string {
    return this.lease.job.id;
  }

  /**
   * Never throws: every failure ends as a report to the service or a log line. Resolves with the next
   * lease when the finishing call asked for one and got it (the caller must run it: it is this worker's).
   */
  async execute(): Promise<JobLease | null> {
    try {
      return await context.with(this.traceContext, () => this.executeInSpan());
    } finally {
      this.span.end();
    }
  }

  private async executeInSpan(): Promise<JobLease | null> {
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
      this.span.setStatus({ code: SpanStatusCode.ERROR });
      this.span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
    } finally {
      this.active = false;
      clearTimeout(this.keepalive);
    }
    return this.finish(outcome);
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
      const result = await this.deps.client.reportProgress({ id: this.id, leaseToken: this.lease.token, ...update }, this.callOptions);
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

  private async finish(outcome: Outcome): Promise<JobLease | null> {
    const { id } = this;
    const leaseToken = this.lease.token;
    const { client, stats } = this.deps;
    if (this.leaseLost) {
      this.lostLease();
      return null;
    }
    const claimNext = this.deps.claimNext();
    // A handler that finished its work despite a cancel request reports the truth: completed.
    if (outcome.ok) {
      const { accepted, next } = await this.settle('complete', claimNext, (ask) => client.complete({ id, leaseToken, message: outcome.message, claimNext: ask }, this.callOptions));
      if (accepted) {
        stats.completed++;
        this.deps.emit({ event: 'completed', id, status: 'COMPLETED' });
      }
      return next;
    }
    const signal = this.controller.signal;
    let reason: string;
    let retryable: boolean;
    if (this.cancelled) [reason, retryable] = ['cancelled', false];
    else if (signal.aborted && signal.reason === STOPPING) [reason, retryable] = ['worker stopped before the job finished', true];
    // The service refuses an empty reason; `throw new Error()` must still fail the job.
    else [reason, retryable] = [describe(outcome.error).trim() || 'the handler failed without a message', !(outcome.error instanceof NonRetryableError)];
    const { accepted, next } = await this.settle('fail', claimNext, (ask) => client.fail({ id, leaseToken, reason, retryable, claimNext: ask }, this.callOptions));
    if (accepted) {
      stats.failed++;
      // The answer does not select the job: its status is known when a retry was scheduled, or when this
      // worker had heard of the cancel; otherwise it is FAILED, or CANCELLED if a cancel came in meanwhile.
      const status = accepted.retryAt ? 'QUEUED' : this.cancelled ? 'CANCELLED' : null;
      this.deps.emit({ event: 'failed', id, reason, retryable, status, retryAt: accepted.retryAt });
    }
    return next;
  }

  /**
   * complete/fail with a few retries. Only the first try asks for the next job: if its answer was lost, the
   * service may have handed one out already (it waits for its lease to expire); asking on every retry
   * could strand one per retry. `accepted` is undefined when the lease was lost, the call refused, or the
   * service unreachable; `next` is kept in every case, since the service hands it out regardless.
   */
  private async settle<T extends { userErrors: UserError[] } & NextLease>(
    call: 'complete' | 'fail',
    claimNext: ClaimNextInput | undefined,
    send: (claimNext: ClaimNextInput | undefined) => Promise<T>,
  ): Promise<Settled<T>> {
    const { logger } = this.deps;
    let backoffMs = 0;
    for (let attempt = 1; ; attempt++) {
      let result: T;
      try {
        result = await send(attempt === 1 ? claimNext : undefined);
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS) {
          logger.error({ jobId: this.id, call, error: describe(error) }, 'giving up; the lease will expire and the job be requeued');
          return { accepted: undefined, next: null };
        }
        backoffMs = nextBackoff(backoffMs);
        await delay(backoffMs); // not cut short by stop: the result is worth reporting
        continue;
      }
      const next = result.next ?? null;
      // After a retry this may also mean the first try got through; either way the job is not ours now.
      if (findUserError(result.userErrors, 'LEASE_LOST')) {
        this.leaseLost = true;
        this.lostLease();
        return { accepted: undefined, next };
      }
      if (result.userErrors.length > 0) {
        logger.error({ jobId: this.id, call, userErrors: result.userErrors }, `${call} refused`);
        this.deps.emit({ event: 'refused', id: this.id, call, userErrors: result.userErrors });
        return { accepted: undefined, next };
      }
      return { accepted: result, next };
    }
  }

  private lostLease(): void {
    this.deps.stats.leaseLost++;
    this.deps.logger.warn({ jobId: this.id }, 'lease lost; leaving the job to its new holder');
    this.deps.emit({ event: 'leaseLost', id: this.id });
  }
}
