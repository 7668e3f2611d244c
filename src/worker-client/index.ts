/**
 * The TypeScript worker client. The protocol it speaks (registration, heartbeats, claims and long polls,
 * leases and fencing tokens, progress, cancellation, complete/fail, error codes) is written down for any
 * language in docs/worker-protocol.md; the Python client (clients/python) follows the same page.
 */
export {
  WorkerClient,
  findUserError,
  type ClaimEmptyReason,
  type ClaimInput,
  type ClaimNextInput,
  type ClaimReason,
  type ClaimResult,
  type CallOptions,
  type CompleteInput,
  type CompleteResult,
  type FailInput,
  type FailResult,
  type HeartbeatInput,
  type HeartbeatResult,
  type JobLease,
  type JobOperation,
  type JobRef,
  type JobStatus,
  type LeasedJob,
  type LeasedJobParameters,
  type NextLease,
  type ReportProgressInput,
  type ReportProgressResult,
  type UserError,
  type WorkerClientOptions,
  type WorkerStatus,
} from './client.js';
export { LeaseLostError, NonRetryableError, WorkerClientError } from './errors.js';
export { JobWorker } from './worker.js';
export type {
  JobContext,
  JobHandler,
  JobWorkerOptions,
  ProgressUpdate,
  StopOptions,
  WorkerEvent,
  WorkerLogger,
} from './types.js';
