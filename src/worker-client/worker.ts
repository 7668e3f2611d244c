/**
 * A job worker: `concurrency` jobs in flight, a heartbeat, lease keep-alive, cancellation and a bounded
 * shutdown.
 *
 * How jobs arrive (each job slot holds one lease at a time):
 * - One claim loop asks for as many jobs as slots are free (jobClaim maxJobs, at most 100), as a long poll
 *   (waitSeconds) that ends as soon as one is claimable; while every slot is taken it waits for one to free.
 *   It long-polls whenever a slot is free, not only when idle: that is how new work reaches a half-busy
 *   worker without polling.
 * - A slot runs its lease, then completes or fails it with claimNext unless the worker is stopping: the
 *   next job comes back in the same round trip and the slot runs it. A slot is freed only when a finishing
 *   call brought no next lease; the claim loop then asks again.
 * - A next lease that arrives after stop() was called (the finishing call was already on its way) is run to
 *   the end like any running job. The lease is this worker's and its attempt is already counted: failing it
 *   at once would spend that attempt and a backoff for nothing, and a forced stop or stop's timeout still
 *   aborts it (then it is failed as retryable).
 *
 * Failure modes, and what the service sees:
 * - Handler throws: jobFail, retryable unless it threw NonRetryableError.
 * - Operator cancels: the next progress report says so, the handler's signal aborts with 'cancelled',
 *   and the job is failed without a retry (the service records it as CANCELLED).
 * - Lease lost (expired, or the job went elsewhere): the signal aborts with a LeaseLostError and the
 *   worker never touches the job again; whoever holds the new lease finishes it. A next lease handed out
 *   with a LEASE_LOST answer is still run.
 * - Network trouble: claims back off 200 ms doubling to 5 s; complete/fail are retried a few times (only the
 *   first try asks for a next job), then left to the lease expiry, which makes the service requeue the job.
 *   An answer lost on the way back strands the next lease it carried until that lease expires too.
 * - Process killed: heartbeats stop and leases expire; the service requeues the jobs.
 * - stop(): claiming stops at once (a pending long poll is aborted, so jobs handed out in that instant
 *   wait for their leases to expire), finishing jobs no longer ask for a next one, running handlers finish
 *   or are aborted with 'stopping' and failed as retryable, and a last STOPPING heartbeat is sent.
 */
import { hostname as osHostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkerClient, type ClaimNextInput, type HeartbeatInput, type HeartbeatResult, type JobLease } from './client.js';
import { BACKOFF_MAX_MS, JobRun, STOPPING, describe, nextBackoff } from './jobRun.js';
import type { JobWorkerOptions, StopOptions, WorkerEvent, WorkerLogger } from './types.js';

/** Most jobs one jobClaim may take (the service's limit). */
const MAX_CLAIM = 100;

const silent: WorkerLogger = { info() {}, warn() {}, error() {} };

export class JobWorker {
  readonly workerId: string;
  /**
   * claimed counts every lease, claimedNext those that came with a complete or fail (claimNext);
   * claimCalls the jobClaim calls made (counted as each is sent).
   */
  readonly stats = { claimed: 0, claimedNext: 0, completed: 0, failed: 0, leaseLost: 0, claimCalls: 0 };
  /** The service's answer to the last heartbeat (disabled, maintenance, queuePaused...). */
  lastHeartbeat: HeartbeatResult | undefined;

  private readonly client: WorkerClient;
  private readonly options: JobWorkerOptions;
  private readonly hostname: string;
  private readonly concurrency: number;
  private readonly waitSeconds: number;
  private readonly logger: WorkerLogger;
  private readonly running = new Map<string, JobRun>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly stopController = new AbortController();
  private heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatsOn = false;
  private registered = false;
  private started = false;
  private forcedStop = false;
  private stopPromise: Promise<void> | undefined;
  /** Slots holding a lease (running it, or finishing it and waiting for the next). */
  private slotsInUse = 0;
  /** Wakes the claim loop while it waits for a free slot. */
  private slotWaiter: (() => void) | undefined;

  constructor(options: JobWorkerOptions) {
    if (options.operations.length === 0) throw new Error('JobWorker needs at least one operation');
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('JobWorker concurrency must be a positive integer');
    this.options = options;
    this.concurrency = concurrency;
    this.hostname = options.hostname ?? osHostname();
    this.workerId = options.workerId ?? `${this.hostname}-${process.pid}`.replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 128);
    this.waitSeconds = options.waitSeconds ?? 20;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.logger = options.logger ?? silent;
    this.client = new WorkerClient({ url: options.url, token: options.token, fetchTimeoutMs: options.fetchTimeoutMs });
  }

  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Registers with a first heartbeat and starts the claim loop; resolves once that heartbeat was tried. */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    this.heartbeatsOn = true;
    const firstBeat = this.heartbeatTick();
    this.track(firstBeat.then(() => this.claimLoop()));
    await firstBeat;
  }

  /** Claims at most one job without waiting and runs it to the end (asking for no next one): its id, or null. Errors are thrown. */
  async runOnce(): Promise<string | null> {
    if (this.stopping) return null;
    if (!this.registered) await this.sendHeartbeat();
    this.stats.claimCalls++;
    const result = await this.client.claim({ workerId: this.workerId, operations: this.options.operations, waitSeconds: 0, maxJobs: 1 });
    if (!result.lease) return null;
    await this.track(this.runLease(result.lease, { via: 'claim', batch: 1, chain: false }));
    return result.lease.job.id;
  }

  /** Stops claiming and waits for the running jobs. Safe to call twice; a later forced call aborts them. */
  stop(options: StopOptions = {}): Promise<void> {
    if (options.graceful === false) this.abortRunning();
    this.stopPromise ??= this.shutdown(options.timeoutMs ?? 30_000);
    return this.stopPromise;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopController.abort();
    this.wakeClaimLoop();
    // Tell the service at once that this worker is draining, not idle.
    const drainingBeat = this.heartbeatsOn ? this.heartbeatTick() : undefined;
    const drained = this.idle();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, true)));
    if (await Promise.race([drained.then(() => false), timedOut])) {
      this.logger.warn({ workerId: this.workerId, timeoutMs }, 'stop timed out; aborting running jobs');
      this.abortRunning();
      await drained; // handlers must honour their signal
    }
    clearTimeout(timer);
    this.heartbeatsOn = false;
    clearTimeout(this.heartbeatTimer);
    await drainingBeat;
    if (this.registered) {
      await this.sendHeartbeat().catch((error: unknown) => {
        this.logger.warn({ workerId: this.workerId, error: describe(error) }, 'last heartbeat failed');
      });
    }
  }

  private abortRunning(): void {
    this.forcedStop = true;
    for (const run of this.running.values()) run.controller.abort(STOPPING);
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task)).catch(() => {});
    return task;
  }

  /** Resolves when no task is left, including tasks started meanwhile (leases whose claim answer came in as stop began). */
  private async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private async sendHeartbeat(): Promise<void> {
    const jobs = [...this.running.values()];
    const current = jobs[0];
    const input: HeartbeatInput = {
      workerId: this.workerId,
      status: this.stopping ? 'STOPPING' : current ? 'BUSY' : 'IDLE',
      hostname: this.hostname,
      version: this.options.version,
      operations: this.options.operations,
      currentJobId: current?.id ?? null,
      progress: current?.progress ?? null,
      info: { runningJobIds: jobs.map((run) => run.id), concurrency: this.concurrency },
    };
    const result = await this.client.heartbeat(input);
    this.registered = true;
    this.lastHeartbeat = result;
    if (this.options.heartbeatMs === undefined && result.heartbeatIntervalSeconds > 0) {
      this.heartbeatMs = result.heartbeatIntervalSeconds * 1000;
    }
    if (result.userErrors.length > 0) {
      this.logger.warn({ workerId: this.workerId, userErrors: result.userErrors }, 'heartbeat refused');
    }
  }

  private async heartbeatTick(): Promise<void> {
    try {
      await this.sendHeartbeat();
    } catch (error) {
      this.logger.warn({ workerId: this.workerId, error: describe(error) }, 'heartbeat failed');
    }
    if (!this.heartbeatsOn) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.heartbeatTick(), this.heartbeatMs);
  }

  private async claimLoop(): Promise<void> {
    const operations = this.options.operations;
    // With no long poll, an EMPTY answer must not turn into a busy loop either.
    const idlePauseMs = Math.max(1, Math.min(this.waitSeconds, 2)) * 1000;
    let backoffMs = 0;
    while (!this.stopping) {
      const free = this.concurrency - this.slotsInUse;
      if (free <= 0) {
        await this.slotFreed();
        continue;
      }
      let result;
      try {
        this.stats.claimCalls++;
        result = await this.client.claim(
          { workerId: this.workerId, operations, waitSeconds: this.waitSeconds, maxJobs: Math.min(free, MAX_CLAIM) },
          { signal: this.stopController.signal },
        );
      } catch (error) {
        if (this.stopping) break;
        backoffMs = nextBackoff(backoffMs);
        this.logger.warn({ workerId: this.workerId, error: describe(error), retryInMs: backoffMs }, 'claim failed');
        await this.pause(backoffMs);
        continue;
      }
      backoffMs = 0;
      // Leases are this worker's once handed out, also when stop() began meanwhile: they are run.
      for (const lease of result.leases) this.startSlot(lease, result.leases.length);
      if (result.leases.length > 0) continue;
      this.emit({ event: 'noJob', reason: result.reason });
      if (result.userErrors.length > 0) {
        // INVALID_PARAMETERS will not fix itself: say so loudly, slowly.
        this.logger.error({ workerId: this.workerId, userErrors: result.userErrors }, 'claim refused');
        await this.pause(BACKOFF_MAX_MS);
      } else if (result.reason !== 'EMPTY' || this.waitSeconds === 0) {
        await this.pause(idlePauseMs);
      }
    }
  }

  /** Resolves when a slot is freed or the worker stops. */
  private slotFreed(): Promise<void> {
    return new Promise((resolve) => (this.slotWaiter = resolve));
  }

  private wakeClaimLoop(): void {
    const wake = this.slotWaiter;
    this.slotWaiter = undefined;
    wake?.();
  }

  private async pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.stopController.signal }).catch(() => {});
  }

  /** Takes a slot for a lease and the leases that follow it (claimNext); the slot is freed when a finish brings none. */
  private startSlot(first: JobLease, batch: number): void {
    this.slotsInUse++;
    const slot = async (): Promise<void> => {
      let lease: JobLease | null = await this.runLease(first, { via: 'claim', batch, chain: true });
      while (lease) lease = await this.runLease(lease, { via: 'claimNext', batch: 1, chain: true });
    };
    this.track(
      slot().finally(() => {
        this.slotsInUse--;
        this.wakeClaimLoop();
      }),
    );
  }

  /** Runs one lease to its end; resolves with the next lease its finishing call brought (chain: it asked for one). */
  private async runLease(lease: JobLease, how: { via: 'claim' | 'claimNext'; batch: number; chain: boolean }): Promise<JobLease | null> {
    const next: ClaimNextInput = { workerId: this.workerId, operations: this.options.operations };
    const run = new JobRun(lease, {
      client: this.client,
      handler: this.options.handler,
      progressEveryMs: this.options.progressEveryMs ?? 5_000,
      logger: this.logger,
      stats: this.stats,
      emit: (event) => this.emit(event),
      // Asked once the handler is done: the slot it frees is taken by the next job, unless stopping.
      claimNext: () => (how.chain && !this.stopping ? next : undefined),
    });
    this.running.set(run.id, run);
    this.stats.claimed++;
    if (how.via === 'claimNext') this.stats.claimedNext++;
    this.emit({ event: 'claimed', id: run.id, token: lease.token, attempt: lease.attempt, operation: lease.job.operation, via: how.via, batch: how.batch });
    if (this.forcedStop) run.controller.abort(STOPPING);
    try {
      return await run.execute();
    } finally {
      this.running.delete(run.id);
    }
  }

  private emit(event: WorkerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.logger.warn({ event: event.event, error: describe(error) }, 'onEvent listener threw');
    }
  }
}
