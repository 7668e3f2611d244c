/** The public types of JobWorker: its options, what a handler gets, and the events it emits. */
import type { ClaimReason, JobLease, JobOperation, JobStatus, LeasedJob, ReportProgressResult, UserError } from './client.js';

/** pino-compatible: (fields, message). */
export interface WorkerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface ProgressUpdate {
  status?: JobStatus;
  progress?: number;
  message?: string;
}

export interface JobContext {
  lease: JobLease;
  job: LeasedJob;
  /** Aborts with reason 'cancelled' (operator), 'stopping' (forced stop) or a LeaseLostError. */
  signal: AbortSignal;
  /** Reports and extends the lease; throws LeaseLostError when the lease is gone. */
  reportProgress(update?: ProgressUpdate): Promise<ReportProgressResult>;
}

export type JobHandler = (job: LeasedJob, ctx: JobContext) => Promise<void | { message?: string }>;

export type WorkerEvent =
  | {
      event: 'claimed';
      id: string;
      token: string;
      attempt: number;
      operation: JobOperation;
      /** How the lease came: a jobClaim call, or the jobComplete/jobFail of the job before it (claimNext). */
      via: 'claim' | 'claimNext';
      /** Leases in the answer that brought this one (a jobClaim may hand out several; claimNext one). */
      batch: number;
    }
  | { event: 'cancelRequested'; id: string }
  /** status: COMPLETED. */
  | { event: 'completed'; id: string; status: JobStatus | null }
  /**
   * status: QUEUED when a retry was scheduled (at retryAt), CANCELLED when this worker had heard of the
   * cancel; otherwise null (FAILED, or CANCELLED when a cancel came after the last progress report).
   */
  | { event: 'failed'; id: string; reason: string; retryable: boolean; status: JobStatus | null; retryAt: string | null }
  | { event: 'leaseLost'; id: string }
  | { event: 'refused'; id: string; call: 'complete' | 'fail'; userErrors: UserError[] }
  /** A jobClaim answered without a lease: why (EMPTY after the long poll, PAUSED, MAINTENANCE, WORKER_DISABLED), null when refused with userErrors. */
  | { event: 'noJob'; reason: ClaimReason | null };

export interface JobWorkerOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:4000. Required. */
  url: string;
  /** WORKER bearer token, or a function asked before every call. Required. */
  token: string | (() => string | Promise<string>);
  /** Operations this worker accepts. Required, at least one. */
  operations: JobOperation[];
  /** Runs one claimed job. Required. */
  handler: JobHandler;
  /** This worker's id. Default: `<hostname>-<pid>`. */
  workerId?: string;
  /**
   * Jobs kept in flight, a positive integer. One claim call asks for as many jobs as slots are free (up to
   * 100), and a job that ends asks for its successor in the same call (claimNext). Default 1.
   */
  concurrency?: number;
  /** Long-poll wait of a claim while a slot is free, 0..30 s. Default 20. */
  waitSeconds?: number;
  /** Heartbeat period. Default: what the service returns, 10 s until it answers. */
  heartbeatMs?: number;
  /** Lease keep-alive: an empty progress report after this long without one. Default 5000. */
  progressEveryMs?: number;
  /** Reported host name. Default: the OS host name. */
  hostname?: string;
  /** Reported software version. Default: none. */
  version?: string;
  /** Time allowed for one API call beyond a long-poll wait. Default 10000. */
  fetchTimeoutMs?: number;
  /** Where warnings go. Default: silent. */
  logger?: WorkerLogger;
  /** Called for every job event (the CLI prints them). Default: none. */
  onEvent?: (event: WorkerEvent) => void;
}

export interface StopOptions {
  /** true: let running handlers finish; false: abort them at once. Default true. */
  graceful?: boolean;
  /** Longest wait for handlers before they are aborted anyway. Default 30000. */
  timeoutMs?: number;
}
