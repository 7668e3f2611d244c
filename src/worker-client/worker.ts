/**
 * A job worker: claim loops, a heartbeat, lease keep-alive, cancellation and a bounded shutdown.
 *
 * Failure modes, and what the service sees:
 * - Handler throws: jobFail, retryable unless it threw NonRetryableError.
 * - Operator cancels: the next progress report says so, the handler's signal aborts with 'cancelled',
 *   and the job is failed without a retry (the service records it as CANCELLED).
 * - Lease lost (expired, or the job went elsewhere): the signal aborts with a LeaseLostError and the
 *   worker never touches the job again; whoever holds the new lease finishes it.
 * - Network trouble: claims back off 200 ms doubling to 5 s; complete/fail are retried a few times, then
 *   left to the lease expiry, which makes the service requeue the job.
 * - Process killed: heartbeats stop and leases expire; the service requeues the jobs.
 * - stop(): claiming stops at once (a pending long poll is aborted, so a job handed out in that instant
 *   waits for its lease to expire), running handlers finish or are aborted with 'stopping' and failed as
 *   retryable, and a last STOPPING heartbeat is sent.
 */
import { hostname as osHostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkerClient, type HeartbeatInput, type HeartbeatResult, type JobLease } from './client.js';
import { BACKOFF_MAX_MS, JobRun, STOPPING, describe, nextBackoff } from './jobRun.js';
import type { JobWorkerOptions, StopOptions, WorkerEvent, WorkerLogger } from './types.js';

const silent: WorkerLogger = { info() {}, warn() {}, error() {} };

export class JobWorker {
  readonly workerId: string;
  readonly stats = { claimed: 0, completed: 0, failed: 0, leaseLost: 0 };
  /** The service's answer to the last heartbeat (disabled, maintenance, queuePaused...). */
  lastHeartbeat: HeartbeatResult | undefined;

  private readonly client: WorkerClient;
  private readonly options: JobWorkerOptions;
  private readonly hostname: string;
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

  constructor(options: JobWorkerOptions) {
    if (options.operations.length === 0) throw new Error('JobWorker needs at least one operation');
    this.options = options;
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

  /** Registers with a first heartbeat and starts the claim loops; resolves once that heartbeat was tried. */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    this.heartbeatsOn = true;
    const firstBeat = this.heartbeatTick();
    for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.track(firstBeat.then(() => this.claimLoop()));
    await firstBeat;
  }

  /** Claims at most one job without waiting and runs it to the end: its id, or null. Errors are thrown. */
  async runOnce(): Promise<string | null> {
    if (this.stopping) return null;
    if (!this.registered) await this.sendHeartbeat();
    const result = await this.client.claim({ workerId: this.workerId, operations: this.options.operations, waitSeconds: 0 });
    if (!result.lease) return null;
    await this.track(this.runLease(result.lease));
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
    // Tell the service at once that this worker is draining, not idle.
    const drainingBeat = this.heartbeatsOn ? this.heartbeatTick() : undefined;
    const drained = Promise.all(this.tasks);
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
      info: { runningJobIds: jobs.map((run) => run.id), concurrency: this.options.concurrency ?? 1 },
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
      let result;
      try {
        result = await this.client.claim(
          { workerId: this.workerId, operations, waitSeconds: this.waitSeconds },
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
      if (result.lease) {
        await this.runLease(result.lease);
      } else if (result.userErrors.length > 0) {
        // INVALID_PARAMETERS will not fix itself: say so loudly, slowly.
        this.logger.error({ workerId: this.workerId, userErrors: result.userErrors }, 'claim refused');
        await this.pause(BACKOFF_MAX_MS);
      } else if (result.reason !== 'EMPTY' || this.waitSeconds === 0) {
        await this.pause(idlePauseMs);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.stopController.signal }).catch(() => {});
  }

  private async runLease(lease: JobLease): Promise<void> {
    const run = new JobRun(lease, {
      client: this.client,
      handler: this.options.handler,
      progressEveryMs: this.options.progressEveryMs ?? 5_000,
      logger: this.logger,
      stats: this.stats,
      emit: (event) => this.emit(event),
    });
    this.running.set(run.id, run);
    this.stats.claimed++;
    this.emit({ event: 'claimed', id: run.id, token: lease.token, attempt: lease.attempt, operation: lease.job.operation });
    if (this.forcedStop) run.controller.abort(STOPPING);
    try {
      await run.execute();
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
