import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { JobRecord, JobLogRecord, BumpManifestoRecord } from '../models/job.js';
import type { TargetRef } from '../services/targets.js';
import type { TargetActionRecord } from '../models/target.js';
import type { MaintenanceEventRecord } from '../models/maintenance.js';
import type { ModuleDataRecord } from '../models/moduleData.js';
import type { WorkerView } from '../services/workers.js';
import type { JobConnectionModel, TargetConnectionModel, WorkerConnectionModel, MaintenanceEventConnectionModel, ScheduleConnectionModel } from '../services/pagination.js';
import type { LeaseView, ProgressPayload } from '../services/lifecycle.js';
import type { QueueView } from '../services/queue.js';
import type { CapView } from '../services/caps.js';
import type { FlowView } from '../services/flows.js';
import type { ScheduleRecord, ScheduleRunRecord } from '../models/schedule.js';
import type { JobEventView, WorkerEventView } from '../services/events.js';
import type { BulkActionRecord, BulkFailureRecord } from '../models/bulkAction.js';
import type { BulkActionConnectionModel } from '../services/bulkActions.js';
import type { RetentionPassRecord } from '../models/retention.js';
import type { RetentionView } from '../services/retention.js';
import type { GraphQLContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date and time in UTC, e.g. 2026-11-23T05:40:00.000Z. */
  DateTime: { input: Date; output: Date; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

/** Reachability of one backend. */
export type BackendStatus = {
  __typename?: 'BackendStatus';
  /** Whether this instance started it itself (the embedded default). */
  embedded: Scalars['Boolean']['output'];
  /** Round-trip time of the ping, in milliseconds; null when down. */
  latencyMs?: Maybe<Scalars['Float']['output']>;
  /** Backend name: mongodb or redis. */
  name: Scalars['String']['output'];
  /** Whether it answered a ping just now. */
  up: Scalars['Boolean']['output'];
};

/** A recorded bulk action: who, when, the filter, the counts and the jobs it could not act on. */
export type BulkAction = {
  __typename?: 'BulkAction';
  /** Who started it (the token's subject). */
  actor: Scalars['String']['output'];
  /** When it started. */
  createdAt: Scalars['DateTime']['output'];
  /** Why the action stopped (state FAILED). */
  error?: Maybe<Scalars['String']['output']>;
  /** The bound the caller gave. */
  expectedCount: Scalars['Int']['output'];
  /** Jobs that could not be acted on. */
  failedCount: Scalars['Int']['output'];
  /** The first 1,000 of them, with the reason. */
  failures: Array<BulkActionFailure>;
  /** The JobFilter it was given, as JSON. */
  filter: Scalars['JSON']['output'];
  /** When it ended; null while running. */
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The action's id. */
  id: Scalars['ID']['output'];
  /** Cancel or retry. */
  kind: BulkActionKind;
  /** Jobs the filter matched when the action started (the jobs it works on). */
  matchedCount: Scalars['Int']['output'];
  /** Jobs handled so far (acted on or failed). */
  processedCount: Scalars['Int']['output'];
  /** jobsCancel: the reason written to each job's log. */
  reason?: Maybe<Scalars['String']['output']>;
  /** Running, done or stopped. */
  state: BulkActionState;
  /** Jobs acted on (cancelled, cancellation requested, or retried). */
  succeededCount: Scalars['Int']['output'];
  /** When its counts last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** Bulk actions, newest first. */
export type BulkActionConnection = {
  __typename?: 'BulkActionConnection';
  /** The actions with their cursors. */
  edges: Array<BulkActionEdge>;
  /** The actions. */
  nodes: Array<BulkAction>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of recorded actions. */
  totalCount: Scalars['Int']['output'];
};

/** An edge of a bulk action connection. */
export type BulkActionEdge = {
  __typename?: 'BulkActionEdge';
  /** Opaque cursor. */
  cursor: Scalars['String']['output'];
  /** The action. */
  node: BulkAction;
};

/** A job a bulk action could not act on, and why. */
export type BulkActionFailure = {
  __typename?: 'BulkActionFailure';
  /** The userError code jobCancel / jobRetry gave: NOT_FOUND, JOB_TERMINAL, NOT_RETRYABLE, DUPLICATE_IN_PROGRESS, BUMP_DISABLED, or INTERNAL for a fault. */
  code: Scalars['String']['output'];
  /** The job; null once it has been removed (retention). */
  job?: Maybe<Job>;
  /** The job's id. */
  jobId: Scalars['ID']['output'];
  /** The explanation. */
  message: Scalars['String']['output'];
};

/** What a bulk action does to each job it matched. */
export type BulkActionKind =
  /** jobsCancel: each job is cancelled as by jobCancel. */
  | 'CANCEL'
  /** jobsRetry: each job is retried as by jobRetry. */
  | 'RETRY';

/** Where a bulk action is. */
export type BulkActionState =
  /** Every matched job was acted on or has a failure entry. */
  | 'DONE'
  /** Stopped before the end (the service shut down, or a backend failed); the counts say how far it got. */
  | 'FAILED'
  /** Working through its jobs, a batch at a time. */
  | 'RUNNING';

/** What a datastore bump releases. */
export type BumpManifesto = {
  __typename?: 'BumpManifesto';
  /** The datasets that change. */
  dataStructureUpdates: Array<DataStructureUpdate>;
  /** Release notes. */
  description: Scalars['String']['output'];
  /** Language of the description, e.g. no or en. */
  languageCode?: Maybe<Scalars['String']['output']>;
  /** When the release takes effect; null if unspecified. */
  releaseTime?: Maybe<Scalars['DateTime']['output']>;
  /** MAJOR, MINOR or PATCH. */
  updateType?: Maybe<Scalars['String']['output']>;
  /** The datastore version being released. */
  version: Scalars['String']['output'];
};

/** What a datastore bump releases. */
export type BumpManifestoInput = {
  /** The datasets that change (at most 1000). */
  dataStructureUpdates: Array<DataStructureUpdateInput>;
  /** Release notes. */
  description: Scalars['String']['input'];
  /** Language of the description. */
  languageCode?: InputMaybe<Scalars['String']['input']>;
  /** When the release takes effect. */
  releaseTime?: InputMaybe<Scalars['DateTime']['input']>;
  /** MAJOR, MINOR or PATCH. */
  updateType?: InputMaybe<Scalars['String']['input']>;
  /** The datastore version being released. */
  version: Scalars['String']['input'];
};

/**
 * A concurrency cap and rate limit on one operation (or on its jobs whose target starts
 * with a prefix: a group of targets), and how full it is now.
 * Enforced inside the claim, atomically on every instance: a job of an operation
 * at its cap stays queued and other operations' jobs are claimed meanwhile.
 */
export type ConcurrencyCap = {
  __typename?: 'ConcurrencyCap';
  /** Most jobs of the operation running at once; null when only the rate is limited. */
  maxRunning?: Maybe<Scalars['Int']['output']>;
  /** Most starts (claims) of the operation per window; null when only running jobs are capped. */
  maxStarts?: Maybe<Scalars['Int']['output']>;
  /** The operation capped. */
  operation: JobOperation;
  /** Jobs of the operation running now (held under a lease). */
  running: Scalars['Int']['output'];
  /** Starts of the operation in the last windowSeconds (0 without a rate limit). */
  startsInWindow: Scalars['Int']['output'];
  /** Only the operation's jobs whose target starts with this; null: all of them. */
  targetPrefix?: Maybe<Scalars['String']['output']>;
  /** When the cap was set. */
  updatedAt: Scalars['DateTime']['output'];
  /** Who set the cap. */
  updatedBy: Scalars['String']['output'];
  /** The rate limit's window in seconds (a sliding window); set exactly when maxStarts is. */
  windowSeconds?: Maybe<Scalars['Int']['output']>;
};

/** Remove a cap. */
export type ConcurrencyCapDeleteInput = {
  /** The operation whose cap goes. */
  operation: JobOperation;
  /** The target group's prefix, for a group's cap. */
  targetPrefix?: InputMaybe<Scalars['String']['input']>;
};

/** Result of concurrencyCapDelete. */
export type ConcurrencyCapDeletePayload = {
  __typename?: 'ConcurrencyCapDeletePayload';
  /** Whether a cap was removed. */
  removed: Scalars['Boolean']['output'];
  /** NOT_FOUND when the operation had no cap. */
  userErrors: Array<UserError>;
};

/** Set (or replace) a cap. Give maxRunning, maxStarts with windowSeconds, or both. */
export type ConcurrencyCapSetInput = {
  /** Most jobs running at once (1..100000). */
  maxRunning?: InputMaybe<Scalars['Int']['input']>;
  /** Most starts per window (1..1000000); needs windowSeconds. */
  maxStarts?: InputMaybe<Scalars['Int']['input']>;
  /** The operation to cap. */
  operation: JobOperation;
  /** Cap only the operation's jobs whose target starts with this (a group of targets; [A-Z0-9_], at most 20 groups per operation). An operation's own cap and its groups' caps all apply. */
  targetPrefix?: InputMaybe<Scalars['String']['input']>;
  /** The window of maxStarts in seconds (1..86400). */
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** Result of concurrencyCapSet. */
export type ConcurrencyCapSetPayload = {
  __typename?: 'ConcurrencyCapSetPayload';
  /** The cap as set; null when the input was refused. */
  cap?: Maybe<ConcurrencyCap>;
  /** Problems with the input (nothing is changed when there are any). */
  userErrors: Array<UserError>;
};

/** One entry of a data-structure update in a bump manifesto. */
export type DataStructureUpdate = {
  __typename?: 'DataStructureUpdate';
  /** What changed. */
  description: Scalars['String']['output'];
  /** The dataset. */
  name: Scalars['String']['output'];
  /** The operation applied to the dataset (ADD, CHANGE, PATCH_METADATA, REMOVE...). */
  operation: Scalars['String']['output'];
  /** The dataset's release status in this bump. */
  releaseStatus: ReleaseStatus;
};

/** A data-structure update inside a bump manifesto. */
export type DataStructureUpdateInput = {
  /** What changed. */
  description: Scalars['String']['input'];
  /** The dataset name. */
  name: Scalars['String']['input'];
  /** The operation applied to the dataset. */
  operation: Scalars['String']['input'];
  /** Its release status in this bump. */
  releaseStatus: ReleaseStatus;
};

/** The dead-letter jobs (FAILED and not retried), counted. */
export type DeadLetterCounts = {
  __typename?: 'DeadLetterCounts';
  /** By operation, most first. */
  byOperation: Array<OperationCount>;
  /** By failure reason, most first (the 50 largest groups). */
  byReason: Array<FailureReasonCount>;
  /** All of them (within the filter). */
  total: Scalars['Int']['output'];
};

/** How many dead-letter jobs failed with one reason. */
export type FailureReasonCount = {
  __typename?: 'FailureReasonCount';
  /** Jobs. */
  count: Scalars['Int']['output'];
  /** The failure reason, exactly as stored (use it as `JobFilter.failureReason`). */
  reason: Scalars['String']['output'];
};

/**
 * A flow: children that run as usual, and a final job that waits (WAITING) until the
 * last child ends, then is queued exactly once (or fails, by the policy).
 */
export type Flow = {
  __typename?: 'Flow';
  /** The children in creation order (a flow holds at most 1000). `first` is 1..100. */
  children: JobConnection;
  /** Children per status (statuses with at least one child). */
  counts: Array<JobStatusCount>;
  /** The job that runs after the children. */
  finalJob: Job;
  /** The final job's id. */
  id: Scalars['ID']['output'];
  /** What a failed child does. */
  onChildFailure: FlowChildFailurePolicy;
  /** How many children the flow has. */
  total: Scalars['Int']['output'];
};


/**
 * A flow: children that run as usual, and a final job that waits (WAITING) until the
 * last child ends, then is queued exactly once (or fails, by the policy).
 */
export type FlowChildrenArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** What a flow's failed child (FAILED or CANCELLED) does to the flow. */
export type FlowChildFailurePolicy =
  /** The final job fails at once and the other children are cancelled (running ones through their workers). */
  | 'CANCEL_REST'
  /** Nothing: the final job runs when every child has ended, whatever their outcome (its worker reads them). */
  | 'CONTINUE'
  /** The final job fails at once; the other children go on. */
  | 'FAIL';

/** Submit jobs and a final job that runs after all of them. */
export type FlowCreateInput = {
  /** The children, created as jobsCreate creates its items (per-item results, duplicate rules). 1..1000. */
  items: Array<JobCreateInput>;
  /** What a failed child does; default FAIL. */
  onChildFailure?: InputMaybe<FlowChildFailurePolicy>;
  /** The final job: WAITING until the last child ends, then QUEUED. Refused (nothing created) when invalid, a duplicate in progress, or given a runAt. */
  then: JobCreateInput;
};

/** Result of flowCreate. */
export type FlowCreatePayload = {
  __typename?: 'FlowCreatePayload';
  /** DUPLICATE_IN_PROGRESS on `then`: the job already in progress for its target. */
  existingJob?: Maybe<Job>;
  /** The flow; null when nothing was created. */
  flow?: Maybe<Flow>;
  /** One result per child item, in input order (a rejected item is not part of the flow). */
  results: Array<JobCreateResult>;
  /** Problems with the flow as a whole: INVALID_BATCH, invalid `then`, DUPLICATE_IN_PROGRESS, NO_CHILDREN. */
  userErrors: Array<UserError>;
};

/** A `<NAME>.tar` file waiting in the input directory (or its archive folder). */
export type ImportableDataset = {
  __typename?: 'ImportableDataset';
  /** The tar has a `chunks` entry. */
  hasData: Scalars['Boolean']['output'];
  /** The tar has `<NAME>.json`. */
  hasMetadata: Scalars['Boolean']['output'];
  /** The file is in the archive folder. */
  isArchived: Scalars['Boolean']['output'];
  /** When the file last changed. */
  modifiedAt: Scalars['DateTime']['output'];
  /** The dataset name (the file name without .tar). */
  name: Scalars['String']['output'];
  /** Size of the tar file in bytes. */
  sizeBytes: Scalars['Float']['output'];
};

/** Which importable dataset to delete. */
export type ImportableDatasetDeleteInput = {
  /** The dataset name; only the top-level `<NAME>.tar` is deleted, never the archive. */
  name: Scalars['String']['input'];
};

/** Result of importableDatasetDelete. */
export type ImportableDatasetDeletePayload = {
  __typename?: 'ImportableDatasetDeletePayload';
  /** The name deleted, when it was. */
  deletedName?: Maybe<Scalars['String']['output']>;
  /** INVALID_NAME, NOT_FOUND. */
  userErrors: Array<UserError>;
};

/** A unit of work on one target. */
export type Job = Node & {
  __typename?: 'Job';
  /** Attempts used so far. */
  attempts: Scalars['Int']['output'];
  /** Whether cancellation was requested while a worker held it. */
  cancelRequested: Scalars['Boolean']['output'];
  /** When it was submitted. */
  createdAt: Scalars['DateTime']['output'];
  /** Who submitted it (the token's subject). */
  createdBy: Scalars['String']['output'];
  /** The job's current description (editable with jobUpdate). */
  description?: Maybe<Scalars['String']['output']>;
  /** Why it failed, when it did. */
  failureReason?: Maybe<Scalars['String']['output']>;
  /** When it reached a terminal status. */
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The flow this job belongs to: as its final job or as one of its children; null for other jobs. */
  flow?: Maybe<Flow>;
  /** The job id (24-hex ObjectId). */
  id: Scalars['ID']['output'];
  /** When the current lease ends. */
  leaseExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** The log, oldest first. */
  log: Array<JobLogEntry>;
  /** Attempts allowed before the job fails. */
  maxAttempts: Scalars['Int']['output'];
  /** The operation. */
  operation: JobOperation;
  /** The parameters it was submitted with. */
  parameters: JobParameters;
  /** A flow's child: the flow's final job (which runs after it); null otherwise. */
  parent?: Maybe<Job>;
  /** Queue priority: higher runs first. */
  priority: Scalars['Int']['output'];
  /** Progress reported by the worker, 0..1. */
  progress?: Maybe<Scalars['Float']['output']>;
  /** The job that retried this one, if any. */
  retriedBy?: Maybe<Job>;
  /** The job this one retries, if any. */
  retryOf?: Maybe<Job>;
  /** Not claimed before this time. */
  runAt?: Maybe<Scalars['DateTime']['output']>;
  /** The job's sequence number: it grows with every change, so of two reads or events of one job the one with the higher sequence is the newer. */
  sequence: Scalars['Int']['output'];
  /** When the current attempt started. */
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Where the job is in its life. */
  status: JobStatus;
  /** The target the job acts on. */
  target: Target;
  /** Whether the status is terminal (COMPLETED, FAILED, CANCELLED). */
  terminal: Scalars['Boolean']['output'];
  /** When it last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /** The worker that holds (or last held) the job. */
  worker?: Maybe<Worker>;
};

/** Which job to cancel. */
export type JobCancelInput = {
  /** The job. */
  id: Scalars['ID']['input'];
  /** Why; written to the log. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** Result of jobCancel. */
export type JobCancelPayload = {
  __typename?: 'JobCancelPayload';
  /** The job after the change. */
  job?: Maybe<Job>;
  /** NOT_FOUND, JOB_TERMINAL. */
  userErrors: Array<UserError>;
};

/** Ask for a job. */
export type JobClaimInput = {
  /** Take up to this many jobs in one call (1..100; default 1). A long poll ends as soon as at least one is claimable. */
  maxJobs?: InputMaybe<Scalars['Int']['input']>;
  /** Operations it accepts (at least one). */
  operations: Array<JobOperation>;
  /** Long poll: wait up to this many seconds for work (0..30; default 0). Woken by new work, not by polling. */
  waitSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** The worker's id. */
  workerId: Scalars['String']['input'];
};

/** Ask for the next job in the same call that finishes one (no long poll: when nothing is claimable, `next` is null and `nextReason` says why). */
export type JobClaimNextInput = {
  /** Operations it accepts (at least one). */
  operations: Array<JobOperation>;
  /** The worker's id. */
  workerId: Scalars['String']['input'];
};

/** Result of jobClaim. */
export type JobClaimPayload = {
  __typename?: 'JobClaimPayload';
  /** The first lease (the only one unless maxJobs > 1); null when no job was handed out. */
  lease?: Maybe<JobLease>;
  /** Every lease handed out, in claim order (empty when none). */
  leases: Array<JobLease>;
  /** Why no job was handed out: EMPTY, MAINTENANCE, PAUSED, WORKER_DISABLED. */
  reason?: Maybe<Scalars['String']['output']>;
  /** INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Finish a leased job successfully. */
export type JobCompleteInput = {
  /** Also claim the next job in the same call. */
  claimNext?: InputMaybe<JobClaimNextInput>;
  /** The job. */
  id: Scalars['ID']['input'];
  /** The lease token from jobClaim. */
  leaseToken: Scalars['String']['input'];
  /** A last line for the log. */
  message?: InputMaybe<Scalars['String']['input']>;
};

/** Result of jobComplete. */
export type JobCompletePayload = {
  __typename?: 'JobCompletePayload';
  /** The job, now COMPLETED. */
  job?: Maybe<Job>;
  /** The next lease when claimNext was given and a job was claimable. */
  next?: Maybe<JobLease>;
  /** Why no next job was handed out: EMPTY, MAINTENANCE, PAUSED, WORKER_DISABLED (null when one was, or none was asked). */
  nextReason?: Maybe<Scalars['String']['output']>;
  /** LEASE_LOST. */
  userErrors: Array<UserError>;
};

/** A page of jobs. */
export type JobConnection = {
  __typename?: 'JobConnection';
  /** The jobs with their cursors. */
  edges: Array<JobEdge>;
  /** The jobs. */
  nodes: Array<Job>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of jobs matching the filter (all pages). */
  totalCount: Scalars['Int']['output'];
};

/** One job to create. */
export type JobCreateInput = {
  /** BUMP: the current datastore version (required). */
  bumpFromVersion?: InputMaybe<Scalars['String']['input']>;
  /** BUMP: what is released (required). */
  bumpManifesto?: InputMaybe<BumpManifestoInput>;
  /** BUMP: the version after the bump (required). */
  bumpToVersion?: InputMaybe<Scalars['String']['input']>;
  /** REMOVE and BUMP: why (required for those). */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Attempts before the job fails, 1..20. Default 3. */
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  /** The operation. */
  operation: JobOperation;
  /** Free-form parameters for the worker (JSON, at most 64 KiB). */
  payload?: InputMaybe<Scalars['JSON']['input']>;
  /** Queue priority, -100..100; higher runs first. Default 0. */
  priority?: InputMaybe<Scalars['Int']['input']>;
  /** SET_STATUS: the release status to set (required). */
  releaseStatus?: InputMaybe<ReleaseStatus>;
  /** Do not start before this time. */
  runAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Dataset name ([A-Z0-9_], not starting with a digit or _), or DATASTORE for BUMP. */
  target: Scalars['String']['input'];
};

/** The outcome of one item of jobsCreate, at the item's index. */
export type JobCreateResult = {
  __typename?: 'JobCreateResult';
  /** Why the item was rejected: INVALID_PARAMETERS, INVALID_TARGET, BUMP_DISABLED, DUPLICATE_IN_PROGRESS. */
  error?: Maybe<UserError>;
  /** DUPLICATE_IN_PROGRESS: the job already in progress for the target. */
  existingJob?: Maybe<Job>;
  /** Position of the item in the input. */
  index: Scalars['Int']['output'];
  /** The created job; null when the item was rejected. */
  job?: Maybe<Job>;
};

/** An edge of a job connection. */
export type JobEdge = {
  __typename?: 'JobEdge';
  /** Opaque cursor of this job. */
  cursor: Scalars['String']['output'];
  /** The job. */
  node: Job;
};

/** One change of one job, as it was committed. */
export type JobEvent = {
  __typename?: 'JobEvent';
  /** When the change was decided. A status change whose instance stopped before publishing it is delivered late by another instance, still with this time: order one job's events by `at`. */
  at: Scalars['DateTime']['output'];
  /** The job after the change. */
  job: Job;
  /** What happened. */
  kind: JobEventKind;
  /** The status before the change (STATUS_CHANGED). */
  previousStatus?: Maybe<JobStatus>;
};

/** What happened to a job. */
export type JobEventKind =
  /** It was created. */
  | 'CREATED'
  /** Its status changed (previousStatus says from what). */
  | 'STATUS_CHANGED'
  /** Something else changed: progress, description, log, cancellation request. */
  | 'UPDATED';

/** Report that a leased job failed. */
export type JobFailInput = {
  /** Also claim the next job in the same call. */
  claimNext?: InputMaybe<JobClaimNextInput>;
  /** The job. */
  id: Scalars['ID']['input'];
  /** The lease token from jobClaim. */
  leaseToken: Scalars['String']['input'];
  /** What went wrong. */
  reason: Scalars['String']['input'];
  /** Whether another attempt could succeed (default true). Retries back off exponentially until maxAttempts. */
  retryable?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Result of jobFail. */
export type JobFailPayload = {
  __typename?: 'JobFailPayload';
  /** The job: QUEUED again for a retry, or FAILED (CANCELLED when cancellation was requested). */
  job?: Maybe<Job>;
  /** The next lease when claimNext was given and a job was claimable. */
  next?: Maybe<JobLease>;
  /** Why no next job was handed out: EMPTY, MAINTENANCE, PAUSED, WORKER_DISABLED (null when one was, or none was asked). */
  nextReason?: Maybe<Scalars['String']['output']>;
  /** When the retry becomes claimable; null when there is none. */
  retryAt?: Maybe<Scalars['DateTime']['output']>;
  /** LEASE_LOST, INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Which jobs to return. Every condition given must hold. The same filter drives the `jobs` query and the `jobEvents` subscription. */
export type JobFilter = {
  /** true: only jobs that are not terminal; false: only terminal ones. */
  active?: InputMaybe<Scalars['Boolean']['input']>;
  /** Jobs created at or after this time. */
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Jobs created before this time. */
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  /** Jobs created by this user (the token's subject). */
  createdBy?: InputMaybe<Scalars['String']['input']>;
  /** true: only dead-letter jobs, FAILED (attempts used up, failed as not retryable, or over the time limit) and not retried yet; false: every other job. */
  deadLetter?: InputMaybe<Scalars['Boolean']['input']>;
  /** Jobs whose failure reason is exactly this text (the reasons are listed by `deadLetterCounts`). */
  failureReason?: InputMaybe<Scalars['String']['input']>;
  /** Jobs doing any of these operations. */
  operations?: InputMaybe<Array<JobOperation>>;
  /** Jobs in any of these statuses. */
  statuses?: InputMaybe<Array<JobStatus>>;
  /** Jobs for this target (exact name). */
  target?: InputMaybe<Scalars['String']['input']>;
};

/** A claimed job and the lease that entitles the worker to it. */
export type JobLease = {
  __typename?: 'JobLease';
  /** Which attempt this is (1-based). */
  attempt: Scalars['Int']['output'];
  /** When the lease ends unless extended by jobReportProgress. */
  expiresAt: Scalars['DateTime']['output'];
  /** The job, now INITIATED. */
  job: Job;
  /** The fencing token: pass it to jobReportProgress, jobComplete and jobFail. */
  token: Scalars['String']['output'];
  /**
   * W3C trace context (traceparent) of the request that created the job, when the service traces: start the
   * job's span as its child, so the worker's work joins the trace that submitted the job. Null otherwise.
   */
  traceparent?: Maybe<Scalars['String']['output']>;
};

/** One line of a job's log. */
export type JobLogEntry = {
  __typename?: 'JobLogEntry';
  /** Who wrote it: a user's subject, a worker id, or `system`. */
  actor: Scalars['String']['output'];
  /** When it was written. */
  at: Scalars['DateTime']['output'];
  /** The message. */
  message: Scalars['String']['output'];
  /** The status at that moment, when the entry records a status change. */
  status?: Maybe<JobStatus>;
};

/** What a job does to its target. */
export type JobOperation =
  /** Add a new dataset. */
  | 'ADD'
  /** Bump the datastore version (needs description, bumpManifesto, bumpFromVersion, bumpToVersion; target DATASTORE). */
  | 'BUMP'
  /** Replace the data of a dataset. */
  | 'CHANGE'
  /** Delete an archived dataset. */
  | 'DELETE_ARCHIVE'
  /** Delete a draft dataset. */
  | 'DELETE_DRAFT'
  /** Patch a dataset's metadata. */
  | 'PATCH_METADATA'
  /** Remove a dataset (needs description). */
  | 'REMOVE'
  /** Undo a pending removal. */
  | 'ROLLBACK_REMOVE'
  /** Set a dataset's release status (needs releaseStatus). */
  | 'SET_STATUS';

/** How to sort jobs. */
export type JobOrder = {
  /** The direction; default DESC. */
  direction?: InputMaybe<SortDirection>;
  /** The field to sort by. */
  field: JobOrderField;
};

/** Fields jobs can be sorted by. Ties are broken by id in the same direction. */
export type JobOrderField =
  /** Creation time. */
  | 'CREATED_AT'
  /** Queue priority. */
  | 'PRIORITY'
  /** Time of the last change. */
  | 'UPDATED_AT';

/** The parameters a job was submitted with. */
export type JobParameters = {
  __typename?: 'JobParameters';
  /** BUMP: the current datastore version. */
  bumpFromVersion?: Maybe<Scalars['String']['output']>;
  /** BUMP: what is released. */
  bumpManifesto?: Maybe<BumpManifesto>;
  /** BUMP: the version after the bump. */
  bumpToVersion?: Maybe<Scalars['String']['output']>;
  /** REMOVE and BUMP: why. */
  description?: Maybe<Scalars['String']['output']>;
  /** The operation. */
  operation: JobOperation;
  /** Free-form parameters for the worker. */
  payload?: Maybe<Scalars['JSON']['output']>;
  /** SET_STATUS: the release status to set. */
  releaseStatus?: Maybe<ReleaseStatus>;
  /** The target dataset name, or DATASTORE for bumps. */
  target: Scalars['String']['output'];
};

/** Report progress on a leased job; extends the lease. */
export type JobReportProgressInput = {
  /** The job. */
  id: Scalars['ID']['input'];
  /** The lease token from jobClaim. */
  leaseToken: Scalars['String']['input'];
  /** A line for the job's log. */
  message?: InputMaybe<Scalars['String']['input']>;
  /** Progress, 0..1. */
  progress?: InputMaybe<Scalars['Float']['input']>;
  /** The stage the job entered (forward only). */
  status?: InputMaybe<JobStatus>;
};

/** Result of jobReportProgress. */
export type JobReportProgressPayload = {
  __typename?: 'JobReportProgressPayload';
  /** An operator asked to cancel: stop and call jobFail with retryable false. */
  cancelRequested: Scalars['Boolean']['output'];
  /** The job after the report. */
  job?: Maybe<Job>;
  /** The lease's new end. */
  leaseExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** LEASE_LOST (stop working on it), INVALID_TRANSITION, INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Which job to retry. */
export type JobRetryInput = {
  /** A FAILED or CANCELLED job. */
  id: Scalars['ID']['input'];
};

/** Result of jobRetry. */
export type JobRetryPayload = {
  __typename?: 'JobRetryPayload';
  /** The new job (linked to the old one by retryOf). */
  job?: Maybe<Job>;
  /** The job that was retried. */
  retriedJob?: Maybe<Job>;
  /** NOT_FOUND, NOT_RETRYABLE, DUPLICATE_IN_PROGRESS, BUMP_DISABLED. */
  userErrors: Array<UserError>;
};

/** Job throughput, queue depth and latency over a window, in buckets: what the dashboard draws. */
export type JobStats = {
  __typename?: 'JobStats';
  /** The bucket size, in seconds. */
  bucket: Scalars['Int']['output'];
  /** The buckets, oldest first. */
  buckets: Array<JobStatsBucket>;
  /** Start of the first bucket. */
  from: Scalars['DateTime']['output'];
  /** Totals and latency per operation (operations without jobs in the window are left out). */
  operations: Array<OperationStats>;
  /** Minutes before this moment were rebuilt from MongoDB after Redis lost the counters (counts of retries and earlier attempts are not in them); null when none were. */
  rebuiltBefore?: Maybe<Scalars['DateTime']['output']>;
  /** End of the last bucket (it holds the current minute). */
  to: Scalars['DateTime']['output'];
  /** The window, in seconds. */
  window: Scalars['Int']['output'];
};

/** Job counts of one time bucket (every instance's, kept per minute in Redis). */
export type JobStatsBucket = {
  __typename?: 'JobStatsBucket';
  /** Jobs that ended CANCELLED. */
  cancelled: Scalars['Int']['output'];
  /** Jobs that ended COMPLETED. */
  completed: Scalars['Int']['output'];
  /** Jobs created in it (jobsCreate items, jobRetry copies). */
  created: Scalars['Int']['output'];
  /** Jobs waiting for their run-at time at the last sample; null without a sample. */
  delayed?: Maybe<Scalars['Int']['output']>;
  /** Jobs that ended FAILED. */
  failed: Scalars['Int']['output'];
  /** Jobs ready to be claimed at the last sample in the bucket (sampled every 10 s); null without a sample. */
  ready?: Maybe<Scalars['Int']['output']>;
  /** Jobs put back in the queue for another attempt, and jobRetry copies. */
  retried: Scalars['Int']['output'];
  /** Jobs under a lease at the last sample; null without a sample. */
  running?: Maybe<Scalars['Int']['output']>;
  /** Start of the bucket. */
  start: Scalars['DateTime']['output'];
  /** Attempts started (claims). */
  started: Scalars['Int']['output'];
  /** Workers alive at the last sample; null without a sample. */
  workersAlive?: Maybe<Scalars['Int']['output']>;
};

/** Where a job is in its life. COMPLETED, FAILED and CANCELLED are terminal. */
export type JobStatus =
  /** Built, ready to import. */
  | 'BUILT'
  /** Cancelled before it finished (terminal). */
  | 'CANCELLED'
  /** Finished successfully (terminal). */
  | 'COMPLETED'
  /** Converting to the storage format. */
  | 'CONVERTING'
  /** Decrypting the input. */
  | 'DECRYPTING'
  /** Enriching with reference data. */
  | 'ENRICHING'
  /** Finished with an error (terminal). */
  | 'FAILED'
  /** Importing into the datastore. */
  | 'IMPORTING'
  /** Claimed by a worker, starting. */
  | 'INITIATED'
  /** Partitioning the data. */
  | 'PARTITIONING'
  /** Pseudonymizing identifiers. */
  | 'PSEUDONYMIZING'
  /** Waiting in the queue. */
  | 'QUEUED'
  /** Transforming the input. */
  | 'TRANSFORMING'
  /** Checking the input. */
  | 'VALIDATING'
  /** A flow's final job waiting for its children to end (then QUEUED, or FAILED by the flow's policy). */
  | 'WAITING';

/** How many jobs have one status. */
export type JobStatusCount = {
  __typename?: 'JobStatusCount';
  /** Jobs in it. */
  count: Scalars['Int']['output'];
  /** The status. */
  status: JobStatus;
};

/** Change a job's status, description or log. */
export type JobUpdateInput = {
  /** A new description. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The job. */
  id: Scalars['ID']['input'];
  /** A line to append to the log. */
  logMessage?: InputMaybe<Scalars['String']['input']>;
  /** The new status; must be a legal transition. */
  status?: InputMaybe<JobStatus>;
};

/** Result of jobUpdate. */
export type JobUpdatePayload = {
  __typename?: 'JobUpdatePayload';
  /** The job after the change; null when it was not found. */
  job?: Maybe<Job>;
  /** NOT_FOUND, INVALID_TRANSITION, JOB_TERMINAL, INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Result of jobsCancel and jobsRetry. */
export type JobsBulkPayload = {
  __typename?: 'JobsBulkPayload';
  /** The recorded action, running in the background (poll `bulkAction(id)`); null for a dry run or a refusal. */
  action?: Maybe<BulkAction>;
  /** Jobs the filter matches now. */
  matchedCount: Scalars['Int']['output'];
  /** The first few of them (at most 10, newest first). */
  sample: Array<Job>;
  /** EMPTY_FILTER (no condition given), NO_MATCH (nothing matches), COUNT_ABOVE_EXPECTED (more matches than expectedCount), TOO_MANY (above the most one action takes: BULK_MAX, default 10,000), INVALID_PARAMETERS (expectedCount missing or not positive). Nothing changes when there is one. */
  userErrors: Array<UserError>;
};

/** Cancel every job a filter matches. */
export type JobsCancelInput = {
  /** Only count the matching jobs and return a few of them; nothing changes, nothing is recorded. */
  dryRun?: InputMaybe<Scalars['Boolean']['input']>;
  /** Required unless dryRun: the most jobs the caller expects to act on (what a dry run or the jobs list showed). More matches is COUNT_ABOVE_EXPECTED and nothing changes. */
  expectedCount?: InputMaybe<Scalars['Int']['input']>;
  /** Which jobs; at least one condition (an empty filter is refused with EMPTY_FILTER). */
  filter: JobFilter;
  /** Why; written to each job's log. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** A batch of jobs to create (1 to 1000). */
export type JobsCreateInput = {
  /** The jobs, each validated and created on its own. */
  items: Array<JobCreateInput>;
};

/** Result of jobsCreate. */
export type JobsCreatePayload = {
  __typename?: 'JobsCreatePayload';
  /** The jobs created (in input order). */
  jobs: Array<Job>;
  /** One result per input item, in input order. */
  results: Array<JobCreateResult>;
  /** Problems with the batch as a whole (e.g. empty or too large). */
  userErrors: Array<UserError>;
};

/** Retry every job a filter matches (FAILED or CANCELLED ones; the others get a failure entry). */
export type JobsRetryInput = {
  /** Only count the matching jobs and return a few of them; nothing changes, nothing is recorded. */
  dryRun?: InputMaybe<Scalars['Boolean']['input']>;
  /** Required unless dryRun: the most jobs the caller expects to act on. More matches is COUNT_ABOVE_EXPECTED and nothing changes. */
  expectedCount?: InputMaybe<Scalars['Int']['input']>;
  /** Which jobs; at least one condition (an empty filter is refused with EMPTY_FILTER). `{ deadLetter: true }` re-runs the dead-letter jobs. */
  filter: JobFilter;
};

/** One switch of maintenance mode. */
export type MaintenanceEvent = Node & {
  __typename?: 'MaintenanceEvent';
  /** When. */
  at: Scalars['DateTime']['output'];
  /** The global id: MaintenanceEvent:ID. */
  id: Scalars['ID']['output'];
  /** The operator's message. */
  message: Scalars['String']['output'];
  /** Whether the platform was paused. */
  paused: Scalars['Boolean']['output'];
  /** Who switched it (the token's subject, or `system` for the initial entry). */
  setBy: Scalars['String']['output'];
};

/** A page of maintenance history, newest first. */
export type MaintenanceEventConnection = {
  __typename?: 'MaintenanceEventConnection';
  /** Entries with cursors. */
  edges: Array<MaintenanceEventEdge>;
  /** The entries. */
  nodes: Array<MaintenanceEvent>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of entries. */
  totalCount: Scalars['Int']['output'];
};

/** An edge of the maintenance history. */
export type MaintenanceEventEdge = {
  __typename?: 'MaintenanceEventEdge';
  /** Opaque cursor. */
  cursor: Scalars['String']['output'];
  /** The entry. */
  node: MaintenanceEvent;
};

/** Switch maintenance mode. */
export type MaintenanceSetInput = {
  /** Why (shown to users), at most 1000 characters. */
  message: Scalars['String']['input'];
  /** true pauses: no new claims; running jobs go on to the end. */
  paused: Scalars['Boolean']['input'];
};

/** Result of maintenanceSet. */
export type MaintenanceSetPayload = {
  __typename?: 'MaintenanceSetPayload';
  /** The status after the switch. */
  status?: Maybe<MaintenanceStatus>;
  /** INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Maintenance mode now. */
export type MaintenanceStatus = {
  __typename?: 'MaintenanceStatus';
  /** Paused and no job running: safe to deploy. */
  drained: Scalars['Boolean']['output'];
  /** The latest message. */
  message: Scalars['String']['output'];
  /** Whether the platform is paused: no queued job is claimed. */
  paused: Scalars['Boolean']['output'];
  /** Jobs waiting in the queue. */
  queuedJobs: Scalars['Int']['output'];
  /** Jobs running now (claimed and not terminal). */
  runningJobs: Scalars['Int']['output'];
  /** Who switched it last. */
  setBy: Scalars['String']['output'];
  /** When it was switched last. */
  since: Scalars['DateTime']['output'];
};

/** A small JSON document kept for a platform module. */
export type ModuleData = {
  __typename?: 'ModuleData';
  /** The document. */
  data: Scalars['JSON']['output'];
  /** The module. */
  module: Scalars['String']['output'];
  /** The document's name within the module. */
  name: Scalars['String']['output'];
  /** When it was last written. */
  updatedAt: Scalars['DateTime']['output'];
  /** Who wrote it last. */
  updatedBy: Scalars['String']['output'];
};

/** Delete a module's document. */
export type ModuleDataDeleteInput = {
  /** The module. */
  module: Scalars['String']['input'];
  /** The name. */
  name: Scalars['String']['input'];
};

/** Result of moduleDataDelete. */
export type ModuleDataDeletePayload = {
  __typename?: 'ModuleDataDeletePayload';
  /** Whether a document was deleted. */
  deleted: Scalars['Boolean']['output'];
  /** NOT_FOUND. */
  userErrors: Array<UserError>;
};

/** Write a module's document. */
export type ModuleDataSetInput = {
  /** The document (at most 64 KiB as JSON). */
  data: Scalars['JSON']['input'];
  /** The module ([A-Za-z0-9_.-], 1..64). */
  module: Scalars['String']['input'];
  /** The name ([A-Za-z0-9_.-], 1..128). */
  name: Scalars['String']['input'];
};

/** Result of moduleDataSet. */
export type ModuleDataSetPayload = {
  __typename?: 'ModuleDataSetPayload';
  /** The document as stored. */
  moduleData?: Maybe<ModuleData>;
  /** INVALID_NAME, TOO_LARGE. */
  userErrors: Array<UserError>;
};

/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Remove an operation's cap; its waiting jobs may be claimed at once. */
  concurrencyCapDelete: ConcurrencyCapDeletePayload;
  /** Cap an operation's running jobs and/or starts per window (kept in MongoDB, enforced in the claim on every instance). */
  concurrencyCapSet: ConcurrencyCapSetPayload;
  /** Create children and a final job that is queued when the last of them ends. */
  flowCreate: FlowCreatePayload;
  /** Delete a dataset's tar from the input directory. */
  importableDatasetDelete: ImportableDatasetDeletePayload;
  /** Cancel a job: at once when queued, through the worker when running. */
  jobCancel: JobCancelPayload;
  /** Claim the next job this worker accepts, under a lease. */
  jobClaim: JobClaimPayload;
  /** Finish a leased job successfully. */
  jobComplete: JobCompletePayload;
  /** Report a failed attempt: retried with backoff when retryable and attempts remain, else FAILED. */
  jobFail: JobFailPayload;
  /** Report a stage, progress or a message; extends the lease; tells whether cancellation was requested. */
  jobReportProgress: JobReportProgressPayload;
  /** Queue a FAILED or CANCELLED job again, as a new job linked to the old one. */
  jobRetry: JobRetryPayload;
  /** Change a job's status (legal transitions only), description or log. */
  jobUpdate: JobUpdatePayload;
  /** Cancel every job a filter matches (each as by jobCancel, with its own event), in batches in the background. Refused without a condition, without a match, or above expectedCount. */
  jobsCancel: JobsBulkPayload;
  /** Create a batch of jobs; each item succeeds or is rejected on its own. */
  jobsCreate: JobsCreatePayload;
  /** Retry every job a filter matches (each as by jobRetry, with its own events), in batches in the background. Refused without a condition, without a match, or above expectedCount. */
  jobsRetry: JobsBulkPayload;
  /** Pause or resume the platform; records who and when. */
  maintenanceSet: MaintenanceSetPayload;
  /** Delete a module's document. */
  moduleDataDelete: ModuleDataDeletePayload;
  /** Create or replace a module's document. */
  moduleDataSet: ModuleDataSetPayload;
  /** Cancel every waiting job; their history is kept. */
  queueClear: QueueClearPayload;
  /** Stop handing out jobs (enforced in the claim, atomically); running jobs go on. */
  queuePause: QueuePayload;
  /** Hand out jobs again. */
  queueResume: QueuePayload;
  /** Create a schedule. */
  scheduleCreate: SchedulePayload;
  /** Remove a schedule (the jobs it created stay). */
  scheduleDelete: ScheduleDeletePayload;
  /** Stop a schedule firing. */
  schedulePause: SchedulePayload;
  /** Start a paused schedule again, from now. */
  scheduleResume: SchedulePayload;
  /** Change a schedule. */
  scheduleUpdate: SchedulePayload;
  /** Register or keep alive a worker. */
  workerHeartbeat: WorkerHeartbeatPayload;
  /** Forget a worker (it registers again with its next heartbeat). */
  workerRemove: WorkerRemovePayload;
  /** Disable or enable a worker. */
  workerSetDisabled: WorkerSetDisabledPayload;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationConcurrencyCapDeleteArgs = {
  input: ConcurrencyCapDeleteInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationConcurrencyCapSetArgs = {
  input: ConcurrencyCapSetInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationFlowCreateArgs = {
  input: FlowCreateInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationImportableDatasetDeleteArgs = {
  input: ImportableDatasetDeleteInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobCancelArgs = {
  input: JobCancelInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobClaimArgs = {
  input: JobClaimInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobCompleteArgs = {
  input: JobCompleteInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobFailArgs = {
  input: JobFailInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobReportProgressArgs = {
  input: JobReportProgressInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobRetryArgs = {
  input: JobRetryInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobUpdateArgs = {
  input: JobUpdateInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobsCancelArgs = {
  input: JobsCancelInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobsCreateArgs = {
  input: JobsCreateInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationJobsRetryArgs = {
  input: JobsRetryInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationMaintenanceSetArgs = {
  input: MaintenanceSetInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationModuleDataDeleteArgs = {
  input: ModuleDataDeleteInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationModuleDataSetArgs = {
  input: ModuleDataSetInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationQueueClearArgs = {
  input: QueueClearInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationQueuePauseArgs = {
  input: QueuePauseInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationQueueResumeArgs = {
  input: QueueResumeInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationScheduleCreateArgs = {
  input: ScheduleCreateInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationScheduleDeleteArgs = {
  input: ScheduleIdInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationSchedulePauseArgs = {
  input: ScheduleIdInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationScheduleResumeArgs = {
  input: ScheduleIdInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationScheduleUpdateArgs = {
  input: ScheduleUpdateInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationWorkerHeartbeatArgs = {
  input: WorkerHeartbeatInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationWorkerRemoveArgs = {
  input: WorkerRemoveInput;
};


/** Entry points for changing things. Every mutation takes one `input` and returns a payload with userErrors. */
export type MutationWorkerSetDisabledArgs = {
  input: WorkerSetDisabledInput;
};

/** An object with a global id, fetchable with `node(id)`. Job ids are 24-hex ObjectIds; other types prefix theirs (`Target:NAME`, `MaintenanceEvent:ID`). */
export type Node = {
  /** The global id. */
  id: Scalars['ID']['output'];
};

/** How many dead-letter jobs do one operation. */
export type OperationCount = {
  __typename?: 'OperationCount';
  /** Jobs. */
  count: Scalars['Int']['output'];
  /** The operation. */
  operation: JobOperation;
};

/** One operation's jobs over the whole window. */
export type OperationStats = {
  __typename?: 'OperationStats';
  /** Jobs cancelled. */
  cancelled: Scalars['Int']['output'];
  /** Jobs completed. */
  completed: Scalars['Int']['output'];
  /** Jobs created. */
  created: Scalars['Int']['output'];
  /** Jobs failed. */
  failed: Scalars['Int']['output'];
  /** failed / (completed + failed); null when none ended either way. */
  failureRate?: Maybe<Scalars['Float']['output']>;
  /** The operation. */
  operation: JobOperation;
  /** Retries (automatic and jobRetry). */
  retried: Scalars['Int']['output'];
  /** Median run time of an attempt (claim to end or requeue), in seconds; null without finished attempts. */
  runP50Seconds?: Maybe<Scalars['Float']['output']>;
  /** 95th percentile of the run time, in seconds. */
  runP95Seconds?: Maybe<Scalars['Float']['output']>;
  /** Attempts started. */
  started: Scalars['Int']['output'];
  /** Median time from a job becoming due to its claim, in seconds (from bucketed counts: an estimate); null without claims. */
  waitP50Seconds?: Maybe<Scalars['Float']['output']>;
  /** 95th percentile of that wait, in seconds. */
  waitP95Seconds?: Maybe<Scalars['Float']['output']>;
};

/** Relay pagination state of a connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item returned; pass it as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether more items follow the last one returned. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether items precede the first one returned. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first item returned. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Entry points for reading. */
export type Query = {
  __typename?: 'Query';
  /** One bulk action by id; null when there is none. */
  bulkAction?: Maybe<BulkAction>;
  /** Recorded bulk actions, newest first. `first` is 1..100 (default 20). */
  bulkActions: BulkActionConnection;
  /** The dead-letter jobs counted by operation and failure reason (within `filter`, if given). */
  deadLetterCounts: DeadLetterCounts;
  /** The datasets waiting in the input directory and its archive, by name. Unreadable tars are listed with both flags false. */
  importableDatasets: Array<ImportableDataset>;
  /** One job by id; null when there is none. */
  job?: Maybe<Job>;
  /**
   * Job counts per time bucket over a window. `window` (seconds): 3600, 21600 or 86400; `bucket` (seconds):
   * 60, 300, 900 or 3600, smaller than the window. Anything else is BAD_USER_INPUT.
   */
  jobStats: JobStats;
  /** Jobs matching the filter, newest first unless ordered otherwise. `first` is 1..100 (default 20). */
  jobs: JobConnection;
  /** Every switch, newest first. `first` is 1..100 (default 20). */
  maintenanceHistory: MaintenanceEventConnection;
  /** Maintenance mode now, with the drained indicator. */
  maintenanceStatus: MaintenanceStatus;
  /** One module's document; null when there is none. */
  moduleData?: Maybe<ModuleData>;
  /** Any object by its global id. */
  node?: Maybe<Node>;
  /** The job queue. */
  queue: Queue;
  /** Retention settings and the last pass. */
  retention: Retention;
  /** One schedule. */
  schedule?: Maybe<Schedule>;
  /** The next times of a cron expression in a time zone (default UTC); `count` 1..50, default 5. */
  scheduleTimesPreview: ScheduleTimesPreview;
  /** Every schedule, by name. `first` is 1..100. */
  schedules: ScheduleConnection;
  /** Version, uptime and backend health of the instance that answers. */
  serviceStatus: ServiceStatus;
  /** One target by name. */
  target?: Maybe<Target>;
  /** Targets by name (ascending); `nameStartsWith` narrows them. `first` is 1..100 (default 20). */
  targets: TargetConnection;
  /** Who the caller is, with the roles the token grants. */
  viewer: Viewer;
  /** One worker by its workerId. */
  worker?: Maybe<Worker>;
  /** Registered workers by workerId; `alive` narrows to live or expired ones. `first` is 1..100. */
  workers: WorkerConnection;
};


/** Entry points for reading. */
export type QueryBulkActionArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading. */
export type QueryBulkActionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Entry points for reading. */
export type QueryDeadLetterCountsArgs = {
  filter?: InputMaybe<JobFilter>;
};


/** Entry points for reading. */
export type QueryJobArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading. */
export type QueryJobStatsArgs = {
  bucket?: Scalars['Int']['input'];
  window?: Scalars['Int']['input'];
};


/** Entry points for reading. */
export type QueryJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<JobFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<JobOrder>;
};


/** Entry points for reading. */
export type QueryMaintenanceHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Entry points for reading. */
export type QueryModuleDataArgs = {
  module: Scalars['String']['input'];
  name: Scalars['String']['input'];
};


/** Entry points for reading. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading. */
export type QueryScheduleArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading. */
export type QueryScheduleTimesPreviewArgs = {
  count?: InputMaybe<Scalars['Int']['input']>;
  cron: Scalars['String']['input'];
  timeZone?: InputMaybe<Scalars['String']['input']>;
};


/** Entry points for reading. */
export type QuerySchedulesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Entry points for reading. */
export type QueryTargetArgs = {
  name: Scalars['String']['input'];
};


/** Entry points for reading. */
export type QueryTargetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  nameStartsWith?: InputMaybe<Scalars['String']['input']>;
};


/** Entry points for reading. */
export type QueryWorkerArgs = {
  workerId: Scalars['String']['input'];
};


/** Entry points for reading. */
export type QueryWorkersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  alive?: InputMaybe<Scalars['Boolean']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** The job queue: its switches, its counts and its jobs in claim order. */
export type Queue = {
  __typename?: 'Queue';
  /** The concurrency caps and rate limits, by operation, with how full each is. */
  caps: Array<ConcurrencyCap>;
  /** Jobs per status (every status, zero included). */
  counts: Array<JobStatusCount>;
  /** Jobs waiting for their run-at time or a retry backoff. */
  delayed: Scalars['Int']['output'];
  /** Waiting jobs in the order workers will get them (ready by priority, run-at, creation; then delayed by run-at). `first` is 1..100. */
  jobs: JobConnection;
  /** Jobs under a lease now. */
  leased: Scalars['Int']['output'];
  /** Whether maintenance mode is on (it stops claims too). */
  maintenance: Scalars['Boolean']['output'];
  /** Seconds the oldest ready job has waited; null when none waits. */
  oldestWaitingSeconds?: Maybe<Scalars['Float']['output']>;
  /** Whether the queue is paused: no job is claimed (running ones go on). */
  paused: Scalars['Boolean']['output'];
  /** Jobs ready to be claimed now. */
  ready: Scalars['Int']['output'];
};


/** The job queue: its switches, its counts and its jobs in claim order. */
export type QueueJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  operations?: InputMaybe<Array<JobOperation>>;
};

/** Cancel every waiting job. */
export type QueueClearInput = {
  /** Why; written to each cancelled job's log. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** Result of queueClear. */
export type QueueClearPayload = {
  __typename?: 'QueueClearPayload';
  /** Jobs cancelled (their history is kept). */
  cancelledCount: Scalars['Int']['output'];
  /** The queue after the change. */
  queue?: Maybe<Queue>;
  /** Problems with the input. */
  userErrors: Array<UserError>;
};

/** Pause the queue. */
export type QueuePauseInput = {
  /** Why; recorded in the log. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** Result of queuePause and queueResume. */
export type QueuePayload = {
  __typename?: 'QueuePayload';
  /** The queue after the change. */
  queue?: Maybe<Queue>;
  /** Problems with the input. */
  userErrors: Array<UserError>;
};

/** Resume the queue. */
export type QueueResumeInput = {
  /** Why; recorded in the log. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** A dataset's release status. */
export type ReleaseStatus =
  /** Not released. */
  | 'DRAFT'
  /** To be deleted with the next bump. */
  | 'PENDING_DELETE'
  /** To be released with the next bump. */
  | 'PENDING_RELEASE';

/** Retention of job history: its settings and its last pass. */
export type Retention = {
  __typename?: 'Retention';
  /** The last pass; null before the first. */
  lastPass?: Maybe<RetentionPass>;
  /** The settings in force. */
  settings: RetentionSettings;
};

/** What the last retention pass did (of any instance). */
export type RetentionPass = {
  __typename?: 'RetentionPass';
  /** Why the pass stopped early, if it did. */
  error?: Maybe<Scalars['String']['output']>;
  /** When it ended. */
  finishedAt: Scalars['DateTime']['output'];
  /** The instance that ran it. */
  instance: Scalars['String']['output'];
  /** Old terminal jobs kept because a target's last action points at them (a target always shows its last job). */
  keptForTargets: Scalars['Int']['output'];
  /** CANCELLED jobs removed. */
  removedCancelled: Scalars['Int']['output'];
  /** COMPLETED jobs removed. */
  removedCompleted: Scalars['Int']['output'];
  /** FAILED jobs removed. */
  removedFailed: Scalars['Int']['output'];
  /** Of all those, how many were removed because more than maxTerminalJobs were kept. */
  removedOverCap: Scalars['Int']['output'];
  /** When it started. */
  startedAt: Scalars['DateTime']['output'];
};

/** Which terminal jobs the retention pass removes (configuration; 0 keeps forever). */
export type RetentionSettings = {
  __typename?: 'RetentionSettings';
  /** COMPLETED and CANCELLED jobs are removed this many hours after they ended; 0: never by age. */
  completedMaxAgeHours: Scalars['Float']['output'];
  /** FAILED jobs are removed this many hours after they failed; 0: never by age. */
  failedMaxAgeHours: Scalars['Float']['output'];
  /** How often a pass runs, in seconds. */
  intervalSeconds: Scalars['Float']['output'];
  /** Most terminal jobs kept (the oldest beyond it are removed); 0: no cap. */
  maxTerminalJobs: Scalars['Int']['output'];
};

/** What a caller may do; read from the token's roles claim. */
export type Role =
  /** May also switch maintenance mode, write module data and read the service status. */
  | 'ADMIN'
  /** May also update, cancel and retry jobs, steer the queue and workers, and delete importable datasets. */
  | 'OPERATOR'
  /** May also submit jobs. */
  | 'SUBMITTER'
  /** Reads jobs, targets, datasets, queue, workers and maintenance. */
  | 'VIEWER'
  /** A worker process: registers, heartbeats, claims and runs jobs. */
  | 'WORKER';

/** A cron schedule that creates a job from a template; each time fires exactly once across instances. */
export type Schedule = {
  __typename?: 'Schedule';
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Who created it. */
  createdBy: Scalars['String']['output'];
  /** The cron expression: 5 fields (minute hour day month weekday) or 6 (seconds first). */
  cron: Scalars['String']['output'];
  /** A time deferred by maintenance, fired once maintenance is off. */
  deferredAt?: Maybe<Scalars['DateTime']['output']>;
  /** Opaque id. */
  id: Scalars['ID']['output'];
  /** The job each time creates, as given (a JobCreateInput). */
  job: Scalars['JSON']['output'];
  /** The latest runs, newest first (at most 20 are kept). */
  lastRuns: Array<ScheduleRun>;
  /** Times during maintenance mode. */
  maintenance: ScheduleMaintenancePolicy;
  /** Times missed while the service was down. */
  missedRuns: ScheduleMissedPolicy;
  /** A unique name. */
  name: Scalars['String']['output'];
  /** The next time not handled yet (null when paused). */
  nextRunAt?: Maybe<Scalars['DateTime']['output']>;
  /** The next `count` times (1..50, default 5). */
  nextRuns: Array<Scalars['DateTime']['output']>;
  /** The template's operation. */
  operation: JobOperation;
  /** Overlap with the previous run's job. */
  overlap: ScheduleOverlapPolicy;
  /** Paused: no time fires (resuming starts from then). */
  paused: Scalars['Boolean']['output'];
  /** The template's target. */
  target: Scalars['String']['output'];
  /** The IANA time zone the expression is read in. */
  timeZone: Scalars['String']['output'];
  /** When it was changed last. */
  updatedAt: Scalars['DateTime']['output'];
  /** Who changed it last. */
  updatedBy: Scalars['String']['output'];
};


/** A cron schedule that creates a job from a template; each time fires exactly once across instances. */
export type ScheduleNextRunsArgs = {
  count?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of schedules (by name). */
export type ScheduleConnection = {
  __typename?: 'ScheduleConnection';
  /** The schedules with their cursors. */
  edges: Array<ScheduleEdge>;
  /** The schedules. */
  nodes: Array<Schedule>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of schedules. */
  totalCount: Scalars['Int']['output'];
};

/** Create a schedule. */
export type ScheduleCreateInput = {
  /** 5 fields (minute hour day month weekday) or 6 (seconds first), or @hourly, @daily... */
  cron: Scalars['String']['input'];
  /** The job each time creates (no runAt). */
  job: JobCreateInput;
  /** Default SKIP. */
  maintenance?: InputMaybe<ScheduleMaintenancePolicy>;
  /** Default SKIP. */
  missedRuns?: InputMaybe<ScheduleMissedPolicy>;
  /** A unique name (1..100 characters). */
  name: Scalars['String']['input'];
  /** Default SKIP. */
  overlap?: InputMaybe<ScheduleOverlapPolicy>;
  /** Create it paused. */
  paused?: InputMaybe<Scalars['Boolean']['input']>;
  /** IANA time zone; default UTC. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

/** Result of scheduleDelete. */
export type ScheduleDeletePayload = {
  __typename?: 'ScheduleDeletePayload';
  /** Whether a schedule was removed (its jobs stay). */
  removed: Scalars['Boolean']['output'];
  /** NOT_FOUND. */
  userErrors: Array<UserError>;
};

/** A schedule with its cursor. */
export type ScheduleEdge = {
  __typename?: 'ScheduleEdge';
  /** Cursor of this schedule. */
  cursor: Scalars['String']['output'];
  /** The schedule. */
  node: Schedule;
};

/** A schedule by id. */
export type ScheduleIdInput = {
  /** The schedule. */
  id: Scalars['ID']['input'];
};

/** What a scheduled time does while maintenance mode is on. */
export type ScheduleMaintenancePolicy =
  /** Fire it once maintenance is off; further times during maintenance merge into it (recorded). */
  | 'DEFER'
  /** Skip it (recorded). */
  | 'SKIP';

/** What happens to times missed while the service was down (found more than a minute late). */
export type ScheduleMissedPolicy =
  /** Run once, for the latest missed time. */
  | 'RUN_ONCE'
  /** Skip them (recorded once). */
  | 'SKIP';

/** Whether a scheduled time fires while the previous run's job is still active. */
export type ScheduleOverlapPolicy =
  /** Create the job anyway (the in-progress guard still refuses a second job for the same target: recorded as SKIPPED_OVERLAP). */
  | 'ALLOW'
  /** Skip the time while the previous run's job is not terminal (recorded). */
  | 'SKIP';

/** Result of scheduleCreate, scheduleUpdate, schedulePause and scheduleResume. */
export type SchedulePayload = {
  __typename?: 'SchedulePayload';
  /** The schedule after the change; null when refused. */
  schedule?: Maybe<Schedule>;
  /** Problems with the input (nothing changed): INVALID_CRON, INVALID_TIME_ZONE, INVALID_PARAMETERS, DUPLICATE_NAME, NOT_FOUND... */
  userErrors: Array<UserError>;
};

/** One scheduled time of a schedule and what came of it. */
export type ScheduleRun = {
  __typename?: 'ScheduleRun';
  /** When it was handled. */
  firedAt: Scalars['DateTime']['output'];
  /** The job it created (or the active job that made it skip). */
  job?: Maybe<Job>;
  /** Details. */
  message?: Maybe<Scalars['String']['output']>;
  /** What came of it. */
  outcome: ScheduleRunOutcome;
  /** The scheduled time. */
  scheduledAt: Scalars['DateTime']['output'];
};

/** What happened at a scheduled time. */
export type ScheduleRunOutcome =
  /** The job was created. */
  | 'CREATED'
  /** Maintenance mode was on: deferred until it is off. */
  | 'DEFERRED'
  /** The template was refused (e.g. BUMP_DISABLED); the message says why. */
  | 'REJECTED'
  /** Maintenance mode was on. */
  | 'SKIPPED_MAINTENANCE'
  /** Missed while the service was down. */
  | 'SKIPPED_MISSED'
  /** The previous run's job was still active (or the target had a job in progress). */
  | 'SKIPPED_OVERLAP';

/** The next times of a cron expression (a preview before creating a schedule). */
export type ScheduleTimesPreview = {
  __typename?: 'ScheduleTimesPreview';
  /** The next times; empty when the input is refused. */
  times: Array<Scalars['DateTime']['output']>;
  /** INVALID_CRON (field cron) or INVALID_TIME_ZONE (field timeZone). */
  userErrors: Array<UserError>;
};

/** Change a schedule; what is left out stays. */
export type ScheduleUpdateInput = {
  /** A new cron expression (times count from now). */
  cron?: InputMaybe<Scalars['String']['input']>;
  /** The schedule. */
  id: Scalars['ID']['input'];
  /** A new job template. */
  job?: InputMaybe<JobCreateInput>;
  /** A new maintenance policy. */
  maintenance?: InputMaybe<ScheduleMaintenancePolicy>;
  /** A new missed-run policy. */
  missedRuns?: InputMaybe<ScheduleMissedPolicy>;
  /** A new name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** A new overlap policy. */
  overlap?: InputMaybe<ScheduleOverlapPolicy>;
  /** A new time zone (times count from now). */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

/** Facts about this service instance. */
export type ServiceStatus = {
  __typename?: 'ServiceStatus';
  /** The backends and whether they answer. */
  backends: Array<BackendStatus>;
  /** The deployment mode: development, test or production. */
  environment: Scalars['String']['output'];
  /** Seconds since this instance started. */
  uptimeSeconds: Scalars['Float']['output'];
  /** The service version. */
  version: Scalars['String']['output'];
};

/** Sort direction. */
export type SortDirection =
  /** Oldest / smallest first. */
  | 'ASC'
  /** Newest / largest first. */
  | 'DESC';

/** Live updates over graphql-ws (same URL as HTTP; token in connection_init as `authorization`). */
export type Subscription = {
  __typename?: 'Subscription';
  /** Every change of every job the filter matches before or after the change (the same filter and matching as the `jobs` query), so a watcher of active jobs also sees them finish, and a watcher of FAILED jobs sees them arrive. */
  jobEvents: JobEvent;
  /** Every change of one job, in order. */
  jobUpdated: JobEvent;
  /** Maintenance switches, and the drained indicator turning on or off. */
  maintenanceStatusChanged: MaintenanceStatus;
  /** The queue's counts and switches, at most a few times a second. */
  queueStatsChanged: Queue;
  /** Worker registrations, heartbeats, expiries and operator actions. */
  workerEvents: WorkerEvent;
};


/** Live updates over graphql-ws (same URL as HTTP; token in connection_init as `authorization`). */
export type SubscriptionJobEventsArgs = {
  filter?: InputMaybe<JobFilter>;
};


/** Live updates over graphql-ws (same URL as HTTP; token in connection_init as `authorization`). */
export type SubscriptionJobUpdatedArgs = {
  id: Scalars['ID']['input'];
};

/** A dataset (or DATASTORE) that jobs act on; upserted whenever one of its jobs is created or changes status. */
export type Target = Node & {
  __typename?: 'Target';
  /** The global id: Target:NAME. */
  id: Scalars['ID']['output'];
  /** Its jobs, newest first, including bump jobs that name it in their manifesto. */
  jobs: JobConnection;
  /** The last action. */
  lastAction: TargetAction;
  /** When it last changed. */
  lastUpdatedAt: Scalars['DateTime']['output'];
  /** Who caused the last change. */
  lastUpdatedBy: Scalars['String']['output'];
  /** The name. */
  name: Scalars['String']['output'];
  /** The status of its latest job. */
  status: JobStatus;
};


/** A dataset (or DATASTORE) that jobs act on; upserted whenever one of its jobs is created or changes status. */
export type TargetJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<JobFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** The last thing that happened to a target. */
export type TargetAction = {
  __typename?: 'TargetAction';
  /** BUMP: the version before. */
  bumpFromVersion?: Maybe<Scalars['String']['output']>;
  /** BUMP: the version after. */
  bumpToVersion?: Maybe<Scalars['String']['output']>;
  /** The job. */
  job?: Maybe<Job>;
  /** The operation of the job. */
  operation: JobOperation;
  /** SET_STATUS (or a bump's data-structure update): the release status. */
  releaseStatus?: Maybe<ReleaseStatus>;
  /** The job's status at that moment. */
  status: JobStatus;
};

/** A page of targets. */
export type TargetConnection = {
  __typename?: 'TargetConnection';
  /** The targets with cursors. */
  edges: Array<TargetEdge>;
  /** The targets. */
  nodes: Array<Target>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of targets matching. */
  totalCount: Scalars['Int']['output'];
};

/** An edge of a target connection. */
export type TargetEdge = {
  __typename?: 'TargetEdge';
  /** Opaque cursor. */
  cursor: Scalars['String']['output'];
  /** The target. */
  node: Target;
};

/** A problem with the caller's input that the caller can fix. Returned as data, never as a top-level error. */
export type UserError = {
  __typename?: 'UserError';
  /**
   * A stable machine-readable code, one of:
   * - BUMP_DISABLED: a DATASTORE bump while BUMP_ENABLED is off
   * - COUNT_ABOVE_EXPECTED: a bulk action's filter matches more jobs than its expectedCount (nothing changed)
   * - DUPLICATE_IN_PROGRESS: the target already has a job in progress
   * - DUPLICATE_NAME: a schedule with that name exists
   * - EMPTY_FILTER: a bulk action with no condition in its filter (it would match every job)
   * - INTERNAL: a bulk action could not act on one job because of a fault on our side (try that job again)
   * - INVALID_BATCH: a jobsCreate batch or a flow's items empty or over the size limit
   * - INVALID_CRON: a schedule's cron expression that does not parse
   * - INVALID_NAME: a module, document or dataset name that breaks its naming rule
   * - INVALID_PARAMETERS: an input value out of its rules (the field says which)
   * - INVALID_TARGET: a job's target name that breaks the dataset naming rule
   * - INVALID_TIME_ZONE: a schedule's time zone that is not an IANA zone
   * - INVALID_TRANSITION: a status change the lifecycle does not allow
   * - JOB_TERMINAL: a change to a job that has ended (COMPLETED, FAILED, CANCELLED)
   * - LEASE_LOST: the lease token is no longer the holder's (expired, reaped or never valid)
   * - NO_CHILDREN: a flow none of whose items could be created (so the flow was not either)
   * - NO_MATCH: a bulk action whose filter matches no job
   * - NOT_FOUND: no job, worker, document, dataset or schedule with that id or name
   * - NOT_RETRYABLE: a retry of a job that is not FAILED or CANCELLED, or was already retried
   * - TOO_LARGE: a document over its size limit
   * - TOO_MANY: a bulk action whose filter matches more jobs than one action takes
   * - TOO_MANY_GROUPS: more target-group caps on one operation than allowed
   */
  code: Scalars['String']['output'];
  /** The path of the input field at fault, e.g. ["input", "items", "3", "target"]; null when not about one field. */
  field?: Maybe<Array<Scalars['String']['output']>>;
  /** A human-readable explanation. */
  message: Scalars['String']['output'];
};

/** The authenticated caller. */
export type Viewer = {
  __typename?: 'Viewer';
  /** The token's subject. */
  id: Scalars['ID']['output'];
  /** Roles granted by the token. */
  roles: Array<Role>;
  /** When the caller's token expires. */
  tokenExpiresAt: Scalars['DateTime']['output'];
};

/** A worker process: registered by its first heartbeat, alive while its heartbeats keep coming. */
export type Worker = Node & {
  __typename?: 'Worker';
  /** Whether a heartbeat came within CLIENT_EXPIRY_SECONDS. */
  alive: Scalars['Boolean']['output'];
  /** The job it last said it was running. */
  currentJob?: Maybe<Job>;
  /** Whether operators disabled it: it gets no new jobs. */
  disabled: Scalars['Boolean']['output'];
  /** When it first registered. */
  firstSeenAt: Scalars['DateTime']['output'];
  /** Its host name. */
  hostname?: Maybe<Scalars['String']['output']>;
  /** The global id: Worker:WORKER_ID. */
  id: Scalars['ID']['output'];
  /** Anything else it reported. */
  info?: Maybe<Scalars['JSON']['output']>;
  /** Its last heartbeat. */
  lastHeartbeatAt: Scalars['DateTime']['output'];
  /** Operations it accepts. */
  operations: Array<JobOperation>;
  /** Progress of that job, 0..1. */
  progress?: Maybe<Scalars['Float']['output']>;
  /** What it last said it was doing; null once it is no longer alive. */
  status?: Maybe<WorkerStatus>;
  /** Its software version. */
  version?: Maybe<Scalars['String']['output']>;
  /** The id the worker chose (e.g. host-pid). */
  workerId: Scalars['String']['output'];
};

/** A page of workers, by workerId. */
export type WorkerConnection = {
  __typename?: 'WorkerConnection';
  /** Workers with cursors. */
  edges: Array<WorkerEdge>;
  /** The workers. */
  nodes: Array<Worker>;
  /** Pagination state. */
  pageInfo: PageInfo;
  /** Number of registered workers matching. */
  totalCount: Scalars['Int']['output'];
};

/** An edge of a worker connection. */
export type WorkerEdge = {
  __typename?: 'WorkerEdge';
  /** Opaque cursor. */
  cursor: Scalars['String']['output'];
  /** The worker. */
  node: Worker;
};

/** One change of one worker. */
export type WorkerEvent = {
  __typename?: 'WorkerEvent';
  /** When. */
  at: Scalars['DateTime']['output'];
  /** What happened. */
  kind: WorkerEventKind;
  /** The worker after the change; null when it was removed. */
  worker?: Maybe<Worker>;
  /** The worker's id. */
  workerId: Scalars['String']['output'];
};

/** What happened to a worker. */
export type WorkerEventKind =
  /** An operator disabled it. */
  | 'DISABLED'
  /** An operator enabled it. */
  | 'ENABLED'
  /** Its heartbeats stopped: none for CLIENT_EXPIRY_SECONDS, so it is no longer alive (told once, within a few seconds; a later heartbeat makes it alive again). */
  | 'EXPIRED'
  /** It sent a heartbeat. */
  | 'HEARTBEAT'
  /** It sent its first heartbeat. */
  | 'REGISTERED'
  /** An operator removed it. */
  | 'REMOVED';

/** A heartbeat: registers the worker on first use and keeps it alive. */
export type WorkerHeartbeatInput = {
  /** The job it is running. */
  currentJobId?: InputMaybe<Scalars['ID']['input']>;
  /** Its host name. */
  hostname?: InputMaybe<Scalars['String']['input']>;
  /** Anything else (JSON, at most 16 KiB). */
  info?: InputMaybe<Scalars['JSON']['input']>;
  /** Operations it accepts. */
  operations?: InputMaybe<Array<JobOperation>>;
  /** Progress of that job, 0..1. */
  progress?: InputMaybe<Scalars['Float']['input']>;
  /** What it is doing. */
  status: WorkerStatus;
  /** Its software version. */
  version?: InputMaybe<Scalars['String']['input']>;
  /** The worker's id: 1..128 of [A-Za-z0-9_.:-]. */
  workerId: Scalars['String']['input'];
};

/** What the service tells a worker on each heartbeat. */
export type WorkerHeartbeatPayload = {
  __typename?: 'WorkerHeartbeatPayload';
  /** Operators disabled this worker: it gets no new jobs. */
  disabled: Scalars['Boolean']['output'];
  /** The worker is expired after this many seconds without a heartbeat. */
  expirySeconds: Scalars['Int']['output'];
  /** Send the next heartbeat within this many seconds. */
  heartbeatIntervalSeconds: Scalars['Int']['output'];
  /** Maintenance mode is on: no new jobs for anyone. */
  maintenance: Scalars['Boolean']['output'];
  /** The queue is paused: no new jobs for anyone. */
  queuePaused: Scalars['Boolean']['output'];
  /** INVALID_PARAMETERS. */
  userErrors: Array<UserError>;
};

/** Forget a worker. */
export type WorkerRemoveInput = {
  /** The worker's id. */
  workerId: Scalars['String']['input'];
};

/** Result of workerRemove. */
export type WorkerRemovePayload = {
  __typename?: 'WorkerRemovePayload';
  /** Whether a worker was removed. */
  removed: Scalars['Boolean']['output'];
  /** NOT_FOUND. */
  userErrors: Array<UserError>;
};

/** Disable or enable a worker. */
export type WorkerSetDisabledInput = {
  /** true: it gets no new jobs (enforced in the claim); its running jobs go on. */
  disabled: Scalars['Boolean']['input'];
  /** The worker's id. */
  workerId: Scalars['String']['input'];
};

/** Result of workerSetDisabled. */
export type WorkerSetDisabledPayload = {
  __typename?: 'WorkerSetDisabledPayload';
  /** NOT_FOUND. */
  userErrors: Array<UserError>;
  /** The worker after the change. */
  worker?: Maybe<Worker>;
};

/** What a worker says it is doing. */
export type WorkerStatus =
  /** Running a job. */
  | 'BUSY'
  /** Waiting for work. */
  | 'IDLE'
  /** Finishing its jobs before it stops. */
  | 'STOPPING';



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;




/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = {
  Node:
    | ( JobRecord )
    | ( MaintenanceEventRecord )
    | ( TargetRef )
    | ( WorkerView )
  ;
};

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  BackendStatus: ResolverTypeWrapper<BackendStatus>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BulkAction: ResolverTypeWrapper<BulkActionRecord>;
  BulkActionConnection: ResolverTypeWrapper<BulkActionConnectionModel>;
  BulkActionEdge: ResolverTypeWrapper<Omit<BulkActionEdge, 'node'> & { node: ResolversTypes['BulkAction'] }>;
  BulkActionFailure: ResolverTypeWrapper<BulkFailureRecord>;
  BulkActionKind: BulkActionKind;
  BulkActionState: BulkActionState;
  BumpManifesto: ResolverTypeWrapper<BumpManifestoRecord>;
  BumpManifestoInput: BumpManifestoInput;
  ConcurrencyCap: ResolverTypeWrapper<CapView>;
  ConcurrencyCapDeleteInput: ConcurrencyCapDeleteInput;
  ConcurrencyCapDeletePayload: ResolverTypeWrapper<ConcurrencyCapDeletePayload>;
  ConcurrencyCapSetInput: ConcurrencyCapSetInput;
  ConcurrencyCapSetPayload: ResolverTypeWrapper<Omit<ConcurrencyCapSetPayload, 'cap'> & { cap?: Maybe<ResolversTypes['ConcurrencyCap']> }>;
  DataStructureUpdate: ResolverTypeWrapper<DataStructureUpdate>;
  DataStructureUpdateInput: DataStructureUpdateInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeadLetterCounts: ResolverTypeWrapper<DeadLetterCounts>;
  FailureReasonCount: ResolverTypeWrapper<FailureReasonCount>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Flow: ResolverTypeWrapper<FlowView>;
  FlowChildFailurePolicy: FlowChildFailurePolicy;
  FlowCreateInput: FlowCreateInput;
  FlowCreatePayload: ResolverTypeWrapper<Omit<FlowCreatePayload, 'existingJob' | 'flow' | 'results'> & { existingJob?: Maybe<ResolversTypes['Job']>, flow?: Maybe<ResolversTypes['Flow']>, results: Array<ResolversTypes['JobCreateResult']> }>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ImportableDataset: ResolverTypeWrapper<ImportableDataset>;
  ImportableDatasetDeleteInput: ImportableDatasetDeleteInput;
  ImportableDatasetDeletePayload: ResolverTypeWrapper<ImportableDatasetDeletePayload>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Job: ResolverTypeWrapper<JobRecord>;
  JobCancelInput: JobCancelInput;
  JobCancelPayload: ResolverTypeWrapper<Omit<JobCancelPayload, 'job'> & { job?: Maybe<ResolversTypes['Job']> }>;
  JobClaimInput: JobClaimInput;
  JobClaimNextInput: JobClaimNextInput;
  JobClaimPayload: ResolverTypeWrapper<Omit<JobClaimPayload, 'lease' | 'leases'> & { lease?: Maybe<ResolversTypes['JobLease']>, leases: Array<ResolversTypes['JobLease']> }>;
  JobCompleteInput: JobCompleteInput;
  JobCompletePayload: ResolverTypeWrapper<Omit<JobCompletePayload, 'job' | 'next'> & { job?: Maybe<ResolversTypes['Job']>, next?: Maybe<ResolversTypes['JobLease']> }>;
  JobConnection: ResolverTypeWrapper<JobConnectionModel>;
  JobCreateInput: JobCreateInput;
  JobCreateResult: ResolverTypeWrapper<Omit<JobCreateResult, 'existingJob' | 'job'> & { existingJob?: Maybe<ResolversTypes['Job']>, job?: Maybe<ResolversTypes['Job']> }>;
  JobEdge: ResolverTypeWrapper<Omit<JobEdge, 'node'> & { node: ResolversTypes['Job'] }>;
  JobEvent: ResolverTypeWrapper<JobEventView>;
  JobEventKind: JobEventKind;
  JobFailInput: JobFailInput;
  JobFailPayload: ResolverTypeWrapper<Omit<JobFailPayload, 'job' | 'next'> & { job?: Maybe<ResolversTypes['Job']>, next?: Maybe<ResolversTypes['JobLease']> }>;
  JobFilter: JobFilter;
  JobLease: ResolverTypeWrapper<LeaseView>;
  JobLogEntry: ResolverTypeWrapper<JobLogRecord>;
  JobOperation: JobOperation;
  JobOrder: JobOrder;
  JobOrderField: JobOrderField;
  JobParameters: ResolverTypeWrapper<JobRecord>;
  JobReportProgressInput: JobReportProgressInput;
  JobReportProgressPayload: ResolverTypeWrapper<ProgressPayload>;
  JobRetryInput: JobRetryInput;
  JobRetryPayload: ResolverTypeWrapper<Omit<JobRetryPayload, 'job' | 'retriedJob'> & { job?: Maybe<ResolversTypes['Job']>, retriedJob?: Maybe<ResolversTypes['Job']> }>;
  JobStats: ResolverTypeWrapper<JobStats>;
  JobStatsBucket: ResolverTypeWrapper<JobStatsBucket>;
  JobStatus: JobStatus;
  JobStatusCount: ResolverTypeWrapper<JobStatusCount>;
  JobUpdateInput: JobUpdateInput;
  JobUpdatePayload: ResolverTypeWrapper<Omit<JobUpdatePayload, 'job'> & { job?: Maybe<ResolversTypes['Job']> }>;
  JobsBulkPayload: ResolverTypeWrapper<Omit<JobsBulkPayload, 'action' | 'sample'> & { action?: Maybe<ResolversTypes['BulkAction']>, sample: Array<ResolversTypes['Job']> }>;
  JobsCancelInput: JobsCancelInput;
  JobsCreateInput: JobsCreateInput;
  JobsCreatePayload: ResolverTypeWrapper<Omit<JobsCreatePayload, 'jobs' | 'results'> & { jobs: Array<ResolversTypes['Job']>, results: Array<ResolversTypes['JobCreateResult']> }>;
  JobsRetryInput: JobsRetryInput;
  MaintenanceEvent: ResolverTypeWrapper<MaintenanceEventRecord>;
  MaintenanceEventConnection: ResolverTypeWrapper<MaintenanceEventConnectionModel>;
  MaintenanceEventEdge: ResolverTypeWrapper<Omit<MaintenanceEventEdge, 'node'> & { node: ResolversTypes['MaintenanceEvent'] }>;
  MaintenanceSetInput: MaintenanceSetInput;
  MaintenanceSetPayload: ResolverTypeWrapper<MaintenanceSetPayload>;
  MaintenanceStatus: ResolverTypeWrapper<MaintenanceStatus>;
  ModuleData: ResolverTypeWrapper<ModuleDataRecord>;
  ModuleDataDeleteInput: ModuleDataDeleteInput;
  ModuleDataDeletePayload: ResolverTypeWrapper<ModuleDataDeletePayload>;
  ModuleDataSetInput: ModuleDataSetInput;
  ModuleDataSetPayload: ResolverTypeWrapper<Omit<ModuleDataSetPayload, 'moduleData'> & { moduleData?: Maybe<ResolversTypes['ModuleData']> }>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  OperationCount: ResolverTypeWrapper<OperationCount>;
  OperationStats: ResolverTypeWrapper<OperationStats>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Queue: ResolverTypeWrapper<QueueView>;
  QueueClearInput: QueueClearInput;
  QueueClearPayload: ResolverTypeWrapper<Omit<QueueClearPayload, 'queue'> & { queue?: Maybe<ResolversTypes['Queue']> }>;
  QueuePauseInput: QueuePauseInput;
  QueuePayload: ResolverTypeWrapper<Omit<QueuePayload, 'queue'> & { queue?: Maybe<ResolversTypes['Queue']> }>;
  QueueResumeInput: QueueResumeInput;
  ReleaseStatus: ReleaseStatus;
  Retention: ResolverTypeWrapper<RetentionView>;
  RetentionPass: ResolverTypeWrapper<RetentionPassRecord>;
  RetentionSettings: ResolverTypeWrapper<RetentionSettings>;
  Role: Role;
  Schedule: ResolverTypeWrapper<ScheduleRecord>;
  ScheduleConnection: ResolverTypeWrapper<ScheduleConnectionModel>;
  ScheduleCreateInput: ScheduleCreateInput;
  ScheduleDeletePayload: ResolverTypeWrapper<ScheduleDeletePayload>;
  ScheduleEdge: ResolverTypeWrapper<Omit<ScheduleEdge, 'node'> & { node: ResolversTypes['Schedule'] }>;
  ScheduleIdInput: ScheduleIdInput;
  ScheduleMaintenancePolicy: ScheduleMaintenancePolicy;
  ScheduleMissedPolicy: ScheduleMissedPolicy;
  ScheduleOverlapPolicy: ScheduleOverlapPolicy;
  SchedulePayload: ResolverTypeWrapper<Omit<SchedulePayload, 'schedule'> & { schedule?: Maybe<ResolversTypes['Schedule']> }>;
  ScheduleRun: ResolverTypeWrapper<ScheduleRunRecord>;
  ScheduleRunOutcome: ScheduleRunOutcome;
  ScheduleTimesPreview: ResolverTypeWrapper<ScheduleTimesPreview>;
  ScheduleUpdateInput: ScheduleUpdateInput;
  ServiceStatus: ResolverTypeWrapper<ServiceStatus>;
  SortDirection: SortDirection;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Target: ResolverTypeWrapper<TargetRef>;
  TargetAction: ResolverTypeWrapper<TargetActionRecord>;
  TargetConnection: ResolverTypeWrapper<TargetConnectionModel>;
  TargetEdge: ResolverTypeWrapper<Omit<TargetEdge, 'node'> & { node: ResolversTypes['Target'] }>;
  UserError: ResolverTypeWrapper<UserError>;
  Viewer: ResolverTypeWrapper<Principal>;
  Worker: ResolverTypeWrapper<WorkerView>;
  WorkerConnection: ResolverTypeWrapper<WorkerConnectionModel>;
  WorkerEdge: ResolverTypeWrapper<Omit<WorkerEdge, 'node'> & { node: ResolversTypes['Worker'] }>;
  WorkerEvent: ResolverTypeWrapper<WorkerEventView>;
  WorkerEventKind: WorkerEventKind;
  WorkerHeartbeatInput: WorkerHeartbeatInput;
  WorkerHeartbeatPayload: ResolverTypeWrapper<WorkerHeartbeatPayload>;
  WorkerRemoveInput: WorkerRemoveInput;
  WorkerRemovePayload: ResolverTypeWrapper<WorkerRemovePayload>;
  WorkerSetDisabledInput: WorkerSetDisabledInput;
  WorkerSetDisabledPayload: ResolverTypeWrapper<Omit<WorkerSetDisabledPayload, 'worker'> & { worker?: Maybe<ResolversTypes['Worker']> }>;
  WorkerStatus: WorkerStatus;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  BackendStatus: BackendStatus;
  Boolean: Scalars['Boolean']['output'];
  BulkAction: BulkActionRecord;
  BulkActionConnection: BulkActionConnectionModel;
  BulkActionEdge: Omit<BulkActionEdge, 'node'> & { node: ResolversParentTypes['BulkAction'] };
  BulkActionFailure: BulkFailureRecord;
  BumpManifesto: BumpManifestoRecord;
  BumpManifestoInput: BumpManifestoInput;
  ConcurrencyCap: CapView;
  ConcurrencyCapDeleteInput: ConcurrencyCapDeleteInput;
  ConcurrencyCapDeletePayload: ConcurrencyCapDeletePayload;
  ConcurrencyCapSetInput: ConcurrencyCapSetInput;
  ConcurrencyCapSetPayload: Omit<ConcurrencyCapSetPayload, 'cap'> & { cap?: Maybe<ResolversParentTypes['ConcurrencyCap']> };
  DataStructureUpdate: DataStructureUpdate;
  DataStructureUpdateInput: DataStructureUpdateInput;
  DateTime: Scalars['DateTime']['output'];
  DeadLetterCounts: DeadLetterCounts;
  FailureReasonCount: FailureReasonCount;
  Float: Scalars['Float']['output'];
  Flow: FlowView;
  FlowCreateInput: FlowCreateInput;
  FlowCreatePayload: Omit<FlowCreatePayload, 'existingJob' | 'flow' | 'results'> & { existingJob?: Maybe<ResolversParentTypes['Job']>, flow?: Maybe<ResolversParentTypes['Flow']>, results: Array<ResolversParentTypes['JobCreateResult']> };
  ID: Scalars['ID']['output'];
  ImportableDataset: ImportableDataset;
  ImportableDatasetDeleteInput: ImportableDatasetDeleteInput;
  ImportableDatasetDeletePayload: ImportableDatasetDeletePayload;
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Job: JobRecord;
  JobCancelInput: JobCancelInput;
  JobCancelPayload: Omit<JobCancelPayload, 'job'> & { job?: Maybe<ResolversParentTypes['Job']> };
  JobClaimInput: JobClaimInput;
  JobClaimNextInput: JobClaimNextInput;
  JobClaimPayload: Omit<JobClaimPayload, 'lease' | 'leases'> & { lease?: Maybe<ResolversParentTypes['JobLease']>, leases: Array<ResolversParentTypes['JobLease']> };
  JobCompleteInput: JobCompleteInput;
  JobCompletePayload: Omit<JobCompletePayload, 'job' | 'next'> & { job?: Maybe<ResolversParentTypes['Job']>, next?: Maybe<ResolversParentTypes['JobLease']> };
  JobConnection: JobConnectionModel;
  JobCreateInput: JobCreateInput;
  JobCreateResult: Omit<JobCreateResult, 'existingJob' | 'job'> & { existingJob?: Maybe<ResolversParentTypes['Job']>, job?: Maybe<ResolversParentTypes['Job']> };
  JobEdge: Omit<JobEdge, 'node'> & { node: ResolversParentTypes['Job'] };
  JobEvent: JobEventView;
  JobFailInput: JobFailInput;
  JobFailPayload: Omit<JobFailPayload, 'job' | 'next'> & { job?: Maybe<ResolversParentTypes['Job']>, next?: Maybe<ResolversParentTypes['JobLease']> };
  JobFilter: JobFilter;
  JobLease: LeaseView;
  JobLogEntry: JobLogRecord;
  JobOrder: JobOrder;
  JobParameters: JobRecord;
  JobReportProgressInput: JobReportProgressInput;
  JobReportProgressPayload: ProgressPayload;
  JobRetryInput: JobRetryInput;
  JobRetryPayload: Omit<JobRetryPayload, 'job' | 'retriedJob'> & { job?: Maybe<ResolversParentTypes['Job']>, retriedJob?: Maybe<ResolversParentTypes['Job']> };
  JobStats: JobStats;
  JobStatsBucket: JobStatsBucket;
  JobStatusCount: JobStatusCount;
  JobUpdateInput: JobUpdateInput;
  JobUpdatePayload: Omit<JobUpdatePayload, 'job'> & { job?: Maybe<ResolversParentTypes['Job']> };
  JobsBulkPayload: Omit<JobsBulkPayload, 'action' | 'sample'> & { action?: Maybe<ResolversParentTypes['BulkAction']>, sample: Array<ResolversParentTypes['Job']> };
  JobsCancelInput: JobsCancelInput;
  JobsCreateInput: JobsCreateInput;
  JobsCreatePayload: Omit<JobsCreatePayload, 'jobs' | 'results'> & { jobs: Array<ResolversParentTypes['Job']>, results: Array<ResolversParentTypes['JobCreateResult']> };
  JobsRetryInput: JobsRetryInput;
  MaintenanceEvent: MaintenanceEventRecord;
  MaintenanceEventConnection: MaintenanceEventConnectionModel;
  MaintenanceEventEdge: Omit<MaintenanceEventEdge, 'node'> & { node: ResolversParentTypes['MaintenanceEvent'] };
  MaintenanceSetInput: MaintenanceSetInput;
  MaintenanceSetPayload: MaintenanceSetPayload;
  MaintenanceStatus: MaintenanceStatus;
  ModuleData: ModuleDataRecord;
  ModuleDataDeleteInput: ModuleDataDeleteInput;
  ModuleDataDeletePayload: ModuleDataDeletePayload;
  ModuleDataSetInput: ModuleDataSetInput;
  ModuleDataSetPayload: Omit<ModuleDataSetPayload, 'moduleData'> & { moduleData?: Maybe<ResolversParentTypes['ModuleData']> };
  Mutation: Record<PropertyKey, never>;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  OperationCount: OperationCount;
  OperationStats: OperationStats;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  Queue: QueueView;
  QueueClearInput: QueueClearInput;
  QueueClearPayload: Omit<QueueClearPayload, 'queue'> & { queue?: Maybe<ResolversParentTypes['Queue']> };
  QueuePauseInput: QueuePauseInput;
  QueuePayload: Omit<QueuePayload, 'queue'> & { queue?: Maybe<ResolversParentTypes['Queue']> };
  QueueResumeInput: QueueResumeInput;
  Retention: RetentionView;
  RetentionPass: RetentionPassRecord;
  RetentionSettings: RetentionSettings;
  Schedule: ScheduleRecord;
  ScheduleConnection: ScheduleConnectionModel;
  ScheduleCreateInput: ScheduleCreateInput;
  ScheduleDeletePayload: ScheduleDeletePayload;
  ScheduleEdge: Omit<ScheduleEdge, 'node'> & { node: ResolversParentTypes['Schedule'] };
  ScheduleIdInput: ScheduleIdInput;
  SchedulePayload: Omit<SchedulePayload, 'schedule'> & { schedule?: Maybe<ResolversParentTypes['Schedule']> };
  ScheduleRun: ScheduleRunRecord;
  ScheduleTimesPreview: ScheduleTimesPreview;
  ScheduleUpdateInput: ScheduleUpdateInput;
  ServiceStatus: ServiceStatus;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  Target: TargetRef;
  TargetAction: TargetActionRecord;
  TargetConnection: TargetConnectionModel;
  TargetEdge: Omit<TargetEdge, 'node'> & { node: ResolversParentTypes['Target'] };
  UserError: UserError;
  Viewer: Principal;
  Worker: WorkerView;
  WorkerConnection: WorkerConnectionModel;
  WorkerEdge: Omit<WorkerEdge, 'node'> & { node: ResolversParentTypes['Worker'] };
  WorkerEvent: WorkerEventView;
  WorkerHeartbeatInput: WorkerHeartbeatInput;
  WorkerHeartbeatPayload: WorkerHeartbeatPayload;
  WorkerRemoveInput: WorkerRemoveInput;
  WorkerRemovePayload: WorkerRemovePayload;
  WorkerSetDisabledInput: WorkerSetDisabledInput;
  WorkerSetDisabledPayload: Omit<WorkerSetDisabledPayload, 'worker'> & { worker?: Maybe<ResolversParentTypes['Worker']> };
};

export type AuthDirectiveArgs = {
  role?: Maybe<Role>;
};

export type AuthDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = AuthDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type BackendStatusResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BackendStatus'] = ResolversParentTypes['BackendStatus']> = {
  embedded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  latencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  up?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type BulkActionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BulkAction'] = ResolversParentTypes['BulkAction']> = {
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expectedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failures?: Resolver<Array<ResolversTypes['BulkActionFailure']>, ParentType, ContextType>;
  filter?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['BulkActionKind'], ParentType, ContextType>;
  matchedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  processedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['BulkActionState'], ParentType, ContextType>;
  succeededCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type BulkActionConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BulkActionConnection'] = ResolversParentTypes['BulkActionConnection']> = {
  edges?: Resolver<Array<ResolversTypes['BulkActionEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['BulkAction']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type BulkActionEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BulkActionEdge'] = ResolversParentTypes['BulkActionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['BulkAction'], ParentType, ContextType>;
};

export type BulkActionFailureResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BulkActionFailure'] = ResolversParentTypes['BulkActionFailure']> = {
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  jobId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type BumpManifestoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['BumpManifesto'] = ResolversParentTypes['BumpManifesto']> = {
  dataStructureUpdates?: Resolver<Array<ResolversTypes['DataStructureUpdate']>, ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  languageCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  releaseTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  updateType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ConcurrencyCapResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConcurrencyCap'] = ResolversParentTypes['ConcurrencyCap']> = {
  maxRunning?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  maxStarts?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  running?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startsInWindow?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  targetPrefix?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  updatedBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  windowSeconds?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ConcurrencyCapDeletePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConcurrencyCapDeletePayload'] = ResolversParentTypes['ConcurrencyCapDeletePayload']> = {
  removed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ConcurrencyCapSetPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConcurrencyCapSetPayload'] = ResolversParentTypes['ConcurrencyCapSetPayload']> = {
  cap?: Resolver<Maybe<ResolversTypes['ConcurrencyCap']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type DataStructureUpdateResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DataStructureUpdate'] = ResolversParentTypes['DataStructureUpdate']> = {
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  releaseStatus?: Resolver<ResolversTypes['ReleaseStatus'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeadLetterCountsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeadLetterCounts'] = ResolversParentTypes['DeadLetterCounts']> = {
  byOperation?: Resolver<Array<ResolversTypes['OperationCount']>, ParentType, ContextType>;
  byReason?: Resolver<Array<ResolversTypes['FailureReasonCount']>, ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type FailureReasonCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['FailureReasonCount'] = ResolversParentTypes['FailureReasonCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type FlowResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Flow'] = ResolversParentTypes['Flow']> = {
  children?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<FlowChildrenArgs>>;
  counts?: Resolver<Array<ResolversTypes['JobStatusCount']>, ParentType, ContextType>;
  finalJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  onChildFailure?: Resolver<ResolversTypes['FlowChildFailurePolicy'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type FlowCreatePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['FlowCreatePayload'] = ResolversParentTypes['FlowCreatePayload']> = {
  existingJob?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  flow?: Resolver<Maybe<ResolversTypes['Flow']>, ParentType, ContextType>;
  results?: Resolver<Array<ResolversTypes['JobCreateResult']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ImportableDatasetResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ImportableDataset'] = ResolversParentTypes['ImportableDataset']> = {
  hasData?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasMetadata?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  isArchived?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  modifiedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sizeBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type ImportableDatasetDeletePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ImportableDatasetDeletePayload'] = ResolversParentTypes['ImportableDatasetDeletePayload']> = {
  deletedName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type JobResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Job'] = ResolversParentTypes['Job']> = {
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  cancelRequested?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  failureReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  flow?: Resolver<Maybe<ResolversTypes['Flow']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  leaseExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  log?: Resolver<Array<ResolversTypes['JobLogEntry']>, ParentType, ContextType>;
  maxAttempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  parameters?: Resolver<ResolversTypes['JobParameters'], ParentType, ContextType>;
  parent?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  priority?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  progress?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  retriedBy?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  retryOf?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  runAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  sequence?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JobStatus'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['Target'], ParentType, ContextType>;
  terminal?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  worker?: Resolver<Maybe<ResolversTypes['Worker']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type JobCancelPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobCancelPayload'] = ResolversParentTypes['JobCancelPayload']> = {
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobClaimPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobClaimPayload'] = ResolversParentTypes['JobClaimPayload']> = {
  lease?: Resolver<Maybe<ResolversTypes['JobLease']>, ParentType, ContextType>;
  leases?: Resolver<Array<ResolversTypes['JobLease']>, ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobCompletePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobCompletePayload'] = ResolversParentTypes['JobCompletePayload']> = {
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  next?: Resolver<Maybe<ResolversTypes['JobLease']>, ParentType, ContextType>;
  nextReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobConnection'] = ResolversParentTypes['JobConnection']> = {
  edges?: Resolver<Array<ResolversTypes['JobEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Job']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type JobCreateResultResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobCreateResult'] = ResolversParentTypes['JobCreateResult']> = {
  error?: Resolver<Maybe<ResolversTypes['UserError']>, ParentType, ContextType>;
  existingJob?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  index?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
};

export type JobEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobEdge'] = ResolversParentTypes['JobEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
};

export type JobEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobEvent'] = ResolversParentTypes['JobEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  job?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['JobEventKind'], ParentType, ContextType>;
  previousStatus?: Resolver<Maybe<ResolversTypes['JobStatus']>, ParentType, ContextType>;
};

export type JobFailPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobFailPayload'] = ResolversParentTypes['JobFailPayload']> = {
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  next?: Resolver<Maybe<ResolversTypes['JobLease']>, ParentType, ContextType>;
  nextReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  retryAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobLeaseResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobLease'] = ResolversParentTypes['JobLease']> = {
  attempt?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  job?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  traceparent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type JobLogEntryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobLogEntry'] = ResolversParentTypes['JobLogEntry']> = {
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['JobStatus']>, ParentType, ContextType>;
};

export type JobParametersResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobParameters'] = ResolversParentTypes['JobParameters']> = {
  bumpFromVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  bumpManifesto?: Resolver<Maybe<ResolversTypes['BumpManifesto']>, ParentType, ContextType>;
  bumpToVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  payload?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  releaseStatus?: Resolver<Maybe<ResolversTypes['ReleaseStatus']>, ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type JobReportProgressPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobReportProgressPayload'] = ResolversParentTypes['JobReportProgressPayload']> = {
  cancelRequested?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  leaseExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobRetryPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobRetryPayload'] = ResolversParentTypes['JobRetryPayload']> = {
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  retriedJob?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobStatsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobStats'] = ResolversParentTypes['JobStats']> = {
  bucket?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  buckets?: Resolver<Array<ResolversTypes['JobStatsBucket']>, ParentType, ContextType>;
  from?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  operations?: Resolver<Array<ResolversTypes['OperationStats']>, ParentType, ContextType>;
  rebuiltBefore?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  to?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  window?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type JobStatsBucketResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobStatsBucket'] = ResolversParentTypes['JobStatsBucket']> = {
  cancelled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  created?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  delayed?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ready?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  retried?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  running?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  started?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  workersAlive?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type JobStatusCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobStatusCount'] = ResolversParentTypes['JobStatusCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JobStatus'], ParentType, ContextType>;
};

export type JobUpdatePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobUpdatePayload'] = ResolversParentTypes['JobUpdatePayload']> = {
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobsBulkPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobsBulkPayload'] = ResolversParentTypes['JobsBulkPayload']> = {
  action?: Resolver<Maybe<ResolversTypes['BulkAction']>, ParentType, ContextType>;
  matchedCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sample?: Resolver<Array<ResolversTypes['Job']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type JobsCreatePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobsCreatePayload'] = ResolversParentTypes['JobsCreatePayload']> = {
  jobs?: Resolver<Array<ResolversTypes['Job']>, ParentType, ContextType>;
  results?: Resolver<Array<ResolversTypes['JobCreateResult']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type MaintenanceEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MaintenanceEvent'] = ResolversParentTypes['MaintenanceEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  paused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  setBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MaintenanceEventConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MaintenanceEventConnection'] = ResolversParentTypes['MaintenanceEventConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MaintenanceEventEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['MaintenanceEvent']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MaintenanceEventEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MaintenanceEventEdge'] = ResolversParentTypes['MaintenanceEventEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['MaintenanceEvent'], ParentType, ContextType>;
};

export type MaintenanceSetPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MaintenanceSetPayload'] = ResolversParentTypes['MaintenanceSetPayload']> = {
  status?: Resolver<Maybe<ResolversTypes['MaintenanceStatus']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type MaintenanceStatusResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MaintenanceStatus'] = ResolversParentTypes['MaintenanceStatus']> = {
  drained?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  paused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  queuedJobs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  runningJobs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  setBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  since?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ModuleDataResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ModuleData'] = ResolversParentTypes['ModuleData']> = {
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  module?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  updatedBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ModuleDataDeletePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ModuleDataDeletePayload'] = ResolversParentTypes['ModuleDataDeletePayload']> = {
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ModuleDataSetPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ModuleDataSetPayload'] = ResolversParentTypes['ModuleDataSetPayload']> = {
  moduleData?: Resolver<Maybe<ResolversTypes['ModuleData']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  concurrencyCapDelete?: Resolver<ResolversTypes['ConcurrencyCapDeletePayload'], ParentType, ContextType, RequireFields<MutationConcurrencyCapDeleteArgs, 'input'>>;
  concurrencyCapSet?: Resolver<ResolversTypes['ConcurrencyCapSetPayload'], ParentType, ContextType, RequireFields<MutationConcurrencyCapSetArgs, 'input'>>;
  flowCreate?: Resolver<ResolversTypes['FlowCreatePayload'], ParentType, ContextType, RequireFields<MutationFlowCreateArgs, 'input'>>;
  importableDatasetDelete?: Resolver<ResolversTypes['ImportableDatasetDeletePayload'], ParentType, ContextType, RequireFields<MutationImportableDatasetDeleteArgs, 'input'>>;
  jobCancel?: Resolver<ResolversTypes['JobCancelPayload'], ParentType, ContextType, RequireFields<MutationJobCancelArgs, 'input'>>;
  jobClaim?: Resolver<ResolversTypes['JobClaimPayload'], ParentType, ContextType, RequireFields<MutationJobClaimArgs, 'input'>>;
  jobComplete?: Resolver<ResolversTypes['JobCompletePayload'], ParentType, ContextType, RequireFields<MutationJobCompleteArgs, 'input'>>;
  jobFail?: Resolver<ResolversTypes['JobFailPayload'], ParentType, ContextType, RequireFields<MutationJobFailArgs, 'input'>>;
  jobReportProgress?: Resolver<ResolversTypes['JobReportProgressPayload'], ParentType, ContextType, RequireFields<MutationJobReportProgressArgs, 'input'>>;
  jobRetry?: Resolver<ResolversTypes['JobRetryPayload'], ParentType, ContextType, RequireFields<MutationJobRetryArgs, 'input'>>;
  jobUpdate?: Resolver<ResolversTypes['JobUpdatePayload'], ParentType, ContextType, RequireFields<MutationJobUpdateArgs, 'input'>>;
  jobsCancel?: Resolver<ResolversTypes['JobsBulkPayload'], ParentType, ContextType, RequireFields<MutationJobsCancelArgs, 'input'>>;
  jobsCreate?: Resolver<ResolversTypes['JobsCreatePayload'], ParentType, ContextType, RequireFields<MutationJobsCreateArgs, 'input'>>;
  jobsRetry?: Resolver<ResolversTypes['JobsBulkPayload'], ParentType, ContextType, RequireFields<MutationJobsRetryArgs, 'input'>>;
  maintenanceSet?: Resolver<ResolversTypes['MaintenanceSetPayload'], ParentType, ContextType, RequireFields<MutationMaintenanceSetArgs, 'input'>>;
  moduleDataDelete?: Resolver<ResolversTypes['ModuleDataDeletePayload'], ParentType, ContextType, RequireFields<MutationModuleDataDeleteArgs, 'input'>>;
  moduleDataSet?: Resolver<ResolversTypes['ModuleDataSetPayload'], ParentType, ContextType, RequireFields<MutationModuleDataSetArgs, 'input'>>;
  queueClear?: Resolver<ResolversTypes['QueueClearPayload'], ParentType, ContextType, RequireFields<MutationQueueClearArgs, 'input'>>;
  queuePause?: Resolver<ResolversTypes['QueuePayload'], ParentType, ContextType, RequireFields<MutationQueuePauseArgs, 'input'>>;
  queueResume?: Resolver<ResolversTypes['QueuePayload'], ParentType, ContextType, RequireFields<MutationQueueResumeArgs, 'input'>>;
  scheduleCreate?: Resolver<ResolversTypes['SchedulePayload'], ParentType, ContextType, RequireFields<MutationScheduleCreateArgs, 'input'>>;
  scheduleDelete?: Resolver<ResolversTypes['ScheduleDeletePayload'], ParentType, ContextType, RequireFields<MutationScheduleDeleteArgs, 'input'>>;
  schedulePause?: Resolver<ResolversTypes['SchedulePayload'], ParentType, ContextType, RequireFields<MutationSchedulePauseArgs, 'input'>>;
  scheduleResume?: Resolver<ResolversTypes['SchedulePayload'], ParentType, ContextType, RequireFields<MutationScheduleResumeArgs, 'input'>>;
  scheduleUpdate?: Resolver<ResolversTypes['SchedulePayload'], ParentType, ContextType, RequireFields<MutationScheduleUpdateArgs, 'input'>>;
  workerHeartbeat?: Resolver<ResolversTypes['WorkerHeartbeatPayload'], ParentType, ContextType, RequireFields<MutationWorkerHeartbeatArgs, 'input'>>;
  workerRemove?: Resolver<ResolversTypes['WorkerRemovePayload'], ParentType, ContextType, RequireFields<MutationWorkerRemoveArgs, 'input'>>;
  workerSetDisabled?: Resolver<ResolversTypes['WorkerSetDisabledPayload'], ParentType, ContextType, RequireFields<MutationWorkerSetDisabledArgs, 'input'>>;
};

export type NodeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = {
  __resolveType: TypeResolveFn<'Job' | 'MaintenanceEvent' | 'Target' | 'Worker', ParentType, ContextType>;
};

export type OperationCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OperationCount'] = ResolversParentTypes['OperationCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
};

export type OperationStatsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OperationStats'] = ResolversParentTypes['OperationStats']> = {
  cancelled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  created?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failureRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  retried?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  runP50Seconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  runP95Seconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  started?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  waitP50Seconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  waitP95Seconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  bulkAction?: Resolver<Maybe<ResolversTypes['BulkAction']>, ParentType, ContextType, RequireFields<QueryBulkActionArgs, 'id'>>;
  bulkActions?: Resolver<ResolversTypes['BulkActionConnection'], ParentType, ContextType, Partial<QueryBulkActionsArgs>>;
  deadLetterCounts?: Resolver<ResolversTypes['DeadLetterCounts'], ParentType, ContextType, Partial<QueryDeadLetterCountsArgs>>;
  importableDatasets?: Resolver<Array<ResolversTypes['ImportableDataset']>, ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType, RequireFields<QueryJobArgs, 'id'>>;
  jobStats?: Resolver<ResolversTypes['JobStats'], ParentType, ContextType, RequireFields<QueryJobStatsArgs, 'bucket' | 'window'>>;
  jobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<QueryJobsArgs>>;
  maintenanceHistory?: Resolver<ResolversTypes['MaintenanceEventConnection'], ParentType, ContextType, Partial<QueryMaintenanceHistoryArgs>>;
  maintenanceStatus?: Resolver<ResolversTypes['MaintenanceStatus'], ParentType, ContextType>;
  moduleData?: Resolver<Maybe<ResolversTypes['ModuleData']>, ParentType, ContextType, RequireFields<QueryModuleDataArgs, 'module' | 'name'>>;
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  queue?: Resolver<ResolversTypes['Queue'], ParentType, ContextType>;
  retention?: Resolver<ResolversTypes['Retention'], ParentType, ContextType>;
  schedule?: Resolver<Maybe<ResolversTypes['Schedule']>, ParentType, ContextType, RequireFields<QueryScheduleArgs, 'id'>>;
  scheduleTimesPreview?: Resolver<ResolversTypes['ScheduleTimesPreview'], ParentType, ContextType, RequireFields<QueryScheduleTimesPreviewArgs, 'cron'>>;
  schedules?: Resolver<ResolversTypes['ScheduleConnection'], ParentType, ContextType, Partial<QuerySchedulesArgs>>;
  serviceStatus?: Resolver<ResolversTypes['ServiceStatus'], ParentType, ContextType>;
  target?: Resolver<Maybe<ResolversTypes['Target']>, ParentType, ContextType, RequireFields<QueryTargetArgs, 'name'>>;
  targets?: Resolver<ResolversTypes['TargetConnection'], ParentType, ContextType, Partial<QueryTargetsArgs>>;
  viewer?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
  worker?: Resolver<Maybe<ResolversTypes['Worker']>, ParentType, ContextType, RequireFields<QueryWorkerArgs, 'workerId'>>;
  workers?: Resolver<ResolversTypes['WorkerConnection'], ParentType, ContextType, Partial<QueryWorkersArgs>>;
};

export type QueueResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Queue'] = ResolversParentTypes['Queue']> = {
  caps?: Resolver<Array<ResolversTypes['ConcurrencyCap']>, ParentType, ContextType>;
  counts?: Resolver<Array<ResolversTypes['JobStatusCount']>, ParentType, ContextType>;
  delayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  jobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<QueueJobsArgs>>;
  leased?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maintenance?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  oldestWaitingSeconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  paused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type QueueClearPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['QueueClearPayload'] = ResolversParentTypes['QueueClearPayload']> = {
  cancelledCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  queue?: Resolver<Maybe<ResolversTypes['Queue']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type QueuePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['QueuePayload'] = ResolversParentTypes['QueuePayload']> = {
  queue?: Resolver<Maybe<ResolversTypes['Queue']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type RetentionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Retention'] = ResolversParentTypes['Retention']> = {
  lastPass?: Resolver<Maybe<ResolversTypes['RetentionPass']>, ParentType, ContextType>;
  settings?: Resolver<ResolversTypes['RetentionSettings'], ParentType, ContextType>;
};

export type RetentionPassResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RetentionPass'] = ResolversParentTypes['RetentionPass']> = {
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  instance?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  keptForTargets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  removedCancelled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  removedCompleted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  removedFailed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  removedOverCap?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type RetentionSettingsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RetentionSettings'] = ResolversParentTypes['RetentionSettings']> = {
  completedMaxAgeHours?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  failedMaxAgeHours?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  intervalSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  maxTerminalJobs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ScheduleResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Schedule'] = ResolversParentTypes['Schedule']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  cron?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deferredAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  job?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  lastRuns?: Resolver<Array<ResolversTypes['ScheduleRun']>, ParentType, ContextType>;
  maintenance?: Resolver<ResolversTypes['ScheduleMaintenancePolicy'], ParentType, ContextType>;
  missedRuns?: Resolver<ResolversTypes['ScheduleMissedPolicy'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  nextRunAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  nextRuns?: Resolver<Array<ResolversTypes['DateTime']>, ParentType, ContextType, Partial<ScheduleNextRunsArgs>>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  overlap?: Resolver<ResolversTypes['ScheduleOverlapPolicy'], ParentType, ContextType>;
  paused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  timeZone?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  updatedBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ScheduleConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ScheduleConnection'] = ResolversParentTypes['ScheduleConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ScheduleEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Schedule']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ScheduleDeletePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ScheduleDeletePayload'] = ResolversParentTypes['ScheduleDeletePayload']> = {
  removed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ScheduleEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ScheduleEdge'] = ResolversParentTypes['ScheduleEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Schedule'], ParentType, ContextType>;
};

export type SchedulePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SchedulePayload'] = ResolversParentTypes['SchedulePayload']> = {
  schedule?: Resolver<Maybe<ResolversTypes['Schedule']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ScheduleRunResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ScheduleRun'] = ResolversParentTypes['ScheduleRun']> = {
  firedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['ScheduleRunOutcome'], ParentType, ContextType>;
  scheduledAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ScheduleTimesPreviewResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ScheduleTimesPreview'] = ResolversParentTypes['ScheduleTimesPreview']> = {
  times?: Resolver<Array<ResolversTypes['DateTime']>, ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type ServiceStatusResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServiceStatus'] = ResolversParentTypes['ServiceStatus']> = {
  backends?: Resolver<Array<ResolversTypes['BackendStatus']>, ParentType, ContextType>;
  environment?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  uptimeSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  jobEvents?: SubscriptionResolver<ResolversTypes['JobEvent'], "jobEvents", ParentType, ContextType, Partial<SubscriptionJobEventsArgs>>;
  jobUpdated?: SubscriptionResolver<ResolversTypes['JobEvent'], "jobUpdated", ParentType, ContextType, RequireFields<SubscriptionJobUpdatedArgs, 'id'>>;
  maintenanceStatusChanged?: SubscriptionResolver<ResolversTypes['MaintenanceStatus'], "maintenanceStatusChanged", ParentType, ContextType>;
  queueStatsChanged?: SubscriptionResolver<ResolversTypes['Queue'], "queueStatsChanged", ParentType, ContextType>;
  workerEvents?: SubscriptionResolver<ResolversTypes['WorkerEvent'], "workerEvents", ParentType, ContextType>;
};

export type TargetResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Target'] = ResolversParentTypes['Target']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<TargetJobsArgs>>;
  lastAction?: Resolver<ResolversTypes['TargetAction'], ParentType, ContextType>;
  lastUpdatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastUpdatedBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JobStatus'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TargetActionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TargetAction'] = ResolversParentTypes['TargetAction']> = {
  bumpFromVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  bumpToVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  job?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['JobOperation'], ParentType, ContextType>;
  releaseStatus?: Resolver<Maybe<ResolversTypes['ReleaseStatus']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JobStatus'], ParentType, ContextType>;
};

export type TargetConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TargetConnection'] = ResolversParentTypes['TargetConnection']> = {
  edges?: Resolver<Array<ResolversTypes['TargetEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Target']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type TargetEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TargetEdge'] = ResolversParentTypes['TargetEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Target'], ParentType, ContextType>;
};

export type UserErrorResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UserError'] = ResolversParentTypes['UserError']> = {
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ViewerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  roles?: Resolver<Array<ResolversTypes['Role']>, ParentType, ContextType>;
  tokenExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type WorkerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Worker'] = ResolversParentTypes['Worker']> = {
  alive?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  currentJob?: Resolver<Maybe<ResolversTypes['Job']>, ParentType, ContextType>;
  disabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  firstSeenAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  hostname?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  info?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  lastHeartbeatAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  operations?: Resolver<Array<ResolversTypes['JobOperation']>, ParentType, ContextType>;
  progress?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  status?: Resolver<Maybe<ResolversTypes['WorkerStatus']>, ParentType, ContextType>;
  version?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  workerId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type WorkerConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerConnection'] = ResolversParentTypes['WorkerConnection']> = {
  edges?: Resolver<Array<ResolversTypes['WorkerEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Worker']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type WorkerEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerEdge'] = ResolversParentTypes['WorkerEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Worker'], ParentType, ContextType>;
};

export type WorkerEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerEvent'] = ResolversParentTypes['WorkerEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['WorkerEventKind'], ParentType, ContextType>;
  worker?: Resolver<Maybe<ResolversTypes['Worker']>, ParentType, ContextType>;
  workerId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type WorkerHeartbeatPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerHeartbeatPayload'] = ResolversParentTypes['WorkerHeartbeatPayload']> = {
  disabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  expirySeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  heartbeatIntervalSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maintenance?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  queuePaused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type WorkerRemovePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerRemovePayload'] = ResolversParentTypes['WorkerRemovePayload']> = {
  removed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
};

export type WorkerSetDisabledPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkerSetDisabledPayload'] = ResolversParentTypes['WorkerSetDisabledPayload']> = {
  userErrors?: Resolver<Array<ResolversTypes['UserError']>, ParentType, ContextType>;
  worker?: Resolver<Maybe<ResolversTypes['Worker']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphQLContext> = {
  BackendStatus?: BackendStatusResolvers<ContextType>;
  BulkAction?: BulkActionResolvers<ContextType>;
  BulkActionConnection?: BulkActionConnectionResolvers<ContextType>;
  BulkActionEdge?: BulkActionEdgeResolvers<ContextType>;
  BulkActionFailure?: BulkActionFailureResolvers<ContextType>;
  BumpManifesto?: BumpManifestoResolvers<ContextType>;
  ConcurrencyCap?: ConcurrencyCapResolvers<ContextType>;
  ConcurrencyCapDeletePayload?: ConcurrencyCapDeletePayloadResolvers<ContextType>;
  ConcurrencyCapSetPayload?: ConcurrencyCapSetPayloadResolvers<ContextType>;
  DataStructureUpdate?: DataStructureUpdateResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeadLetterCounts?: DeadLetterCountsResolvers<ContextType>;
  FailureReasonCount?: FailureReasonCountResolvers<ContextType>;
  Flow?: FlowResolvers<ContextType>;
  FlowCreatePayload?: FlowCreatePayloadResolvers<ContextType>;
  ImportableDataset?: ImportableDatasetResolvers<ContextType>;
  ImportableDatasetDeletePayload?: ImportableDatasetDeletePayloadResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Job?: JobResolvers<ContextType>;
  JobCancelPayload?: JobCancelPayloadResolvers<ContextType>;
  JobClaimPayload?: JobClaimPayloadResolvers<ContextType>;
  JobCompletePayload?: JobCompletePayloadResolvers<ContextType>;
  JobConnection?: JobConnectionResolvers<ContextType>;
  JobCreateResult?: JobCreateResultResolvers<ContextType>;
  JobEdge?: JobEdgeResolvers<ContextType>;
  JobEvent?: JobEventResolvers<ContextType>;
  JobFailPayload?: JobFailPayloadResolvers<ContextType>;
  JobLease?: JobLeaseResolvers<ContextType>;
  JobLogEntry?: JobLogEntryResolvers<ContextType>;
  JobParameters?: JobParametersResolvers<ContextType>;
  JobReportProgressPayload?: JobReportProgressPayloadResolvers<ContextType>;
  JobRetryPayload?: JobRetryPayloadResolvers<ContextType>;
  JobStats?: JobStatsResolvers<ContextType>;
  JobStatsBucket?: JobStatsBucketResolvers<ContextType>;
  JobStatusCount?: JobStatusCountResolvers<ContextType>;
  JobUpdatePayload?: JobUpdatePayloadResolvers<ContextType>;
  JobsBulkPayload?: JobsBulkPayloadResolvers<ContextType>;
  JobsCreatePayload?: JobsCreatePayloadResolvers<ContextType>;
  MaintenanceEvent?: MaintenanceEventResolvers<ContextType>;
  MaintenanceEventConnection?: MaintenanceEventConnectionResolvers<ContextType>;
  MaintenanceEventEdge?: MaintenanceEventEdgeResolvers<ContextType>;
  MaintenanceSetPayload?: MaintenanceSetPayloadResolvers<ContextType>;
  MaintenanceStatus?: MaintenanceStatusResolvers<ContextType>;
  ModuleData?: ModuleDataResolvers<ContextType>;
  ModuleDataDeletePayload?: ModuleDataDeletePayloadResolvers<ContextType>;
  ModuleDataSetPayload?: ModuleDataSetPayloadResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  OperationCount?: OperationCountResolvers<ContextType>;
  OperationStats?: OperationStatsResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Queue?: QueueResolvers<ContextType>;
  QueueClearPayload?: QueueClearPayloadResolvers<ContextType>;
  QueuePayload?: QueuePayloadResolvers<ContextType>;
  Retention?: RetentionResolvers<ContextType>;
  RetentionPass?: RetentionPassResolvers<ContextType>;
  RetentionSettings?: RetentionSettingsResolvers<ContextType>;
  Schedule?: ScheduleResolvers<ContextType>;
  ScheduleConnection?: ScheduleConnectionResolvers<ContextType>;
  ScheduleDeletePayload?: ScheduleDeletePayloadResolvers<ContextType>;
  ScheduleEdge?: ScheduleEdgeResolvers<ContextType>;
  SchedulePayload?: SchedulePayloadResolvers<ContextType>;
  ScheduleRun?: ScheduleRunResolvers<ContextType>;
  ScheduleTimesPreview?: ScheduleTimesPreviewResolvers<ContextType>;
  ServiceStatus?: ServiceStatusResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Target?: TargetResolvers<ContextType>;
  TargetAction?: TargetActionResolvers<ContextType>;
  TargetConnection?: TargetConnectionResolvers<ContextType>;
  TargetEdge?: TargetEdgeResolvers<ContextType>;
  UserError?: UserErrorResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
  Worker?: WorkerResolvers<ContextType>;
  WorkerConnection?: WorkerConnectionResolvers<ContextType>;
  WorkerEdge?: WorkerEdgeResolvers<ContextType>;
  WorkerEvent?: WorkerEventResolvers<ContextType>;
  WorkerHeartbeatPayload?: WorkerHeartbeatPayloadResolvers<ContextType>;
  WorkerRemovePayload?: WorkerRemovePayloadResolvers<ContextType>;
  WorkerSetDisabledPayload?: WorkerSetDisabledPayloadResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = GraphQLContext> = {
  auth?: AuthDirectiveResolver<any, any, ContextType>;
};
