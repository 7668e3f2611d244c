/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
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
export type BumpManifestoInput = {
  /** The datasets that change (at most 1000). */
  dataStructureUpdates: Array<DataStructureUpdateInput>;
  /** Release notes. */
  description: string;
  /** Language of the description. */
  languageCode?: string | null | undefined;
  /** When the release takes effect. */
  releaseTime?: string | null | undefined;
  /** MAJOR, MINOR or PATCH. */
  updateType?: string | null | undefined;
  /** The datastore version being released. */
  version: string;
};

/** Remove a cap. */
export type ConcurrencyCapDeleteInput = {
  /** The operation whose cap goes. */
  operation: JobOperation;
  /** The target group's prefix, for a group's cap. */
  targetPrefix?: string | null | undefined;
};

/** Set (or replace) a cap. Give maxRunning, maxStarts with windowSeconds, or both. */
export type ConcurrencyCapSetInput = {
  /** Most jobs running at once (1..100000). */
  maxRunning?: number | null | undefined;
  /** Most starts per window (1..1000000); needs windowSeconds. */
  maxStarts?: number | null | undefined;
  /** The operation to cap. */
  operation: JobOperation;
  /** Cap only the operation's jobs whose target starts with this (a group of targets; [A-Z0-9_], at most 20 groups per operation). An operation's own cap and its groups' caps all apply. */
  targetPrefix?: string | null | undefined;
  /** The window of maxStarts in seconds (1..86400). */
  windowSeconds?: number | null | undefined;
};

/** A data-structure update inside a bump manifesto. */
export type DataStructureUpdateInput = {
  /** What changed. */
  description: string;
  /** The dataset name. */
  name: string;
  /** The operation applied to the dataset. */
  operation: string;
  /** Its release status in this bump. */
  releaseStatus: ReleaseStatus;
};

/** What a flow's failed child (FAILED or CANCELLED) does to the flow. */
export type FlowChildFailurePolicy =
  /** The final job fails at once and the other children are cancelled (running ones through their workers). */
  | 'CANCEL_REST'
  /** Nothing: the final job runs when every child has ended, whatever their outcome (its worker reads them). */
  | 'CONTINUE'
  /** The final job fails at once; the other children go on. */
  | 'FAIL';

/** Which importable dataset to delete. */
export type ImportableDatasetDeleteInput = {
  /** The dataset name; only the top-level `<NAME>.tar` is deleted, never the archive. */
  name: string;
};

/** Which job to cancel. */
export type JobCancelInput = {
  /** The job. */
  id: string | number;
  /** Why; written to the log. */
  reason?: string | null | undefined;
};

/** One job to create. */
export type JobCreateInput = {
  /** BUMP: the current datastore version (required). */
  bumpFromVersion?: string | null | undefined;
  /** BUMP: what is released (required). */
  bumpManifesto?: BumpManifestoInput | null | undefined;
  /** BUMP: the version after the bump (required). */
  bumpToVersion?: string | null | undefined;
  /** REMOVE and BUMP: why (required for those). */
  description?: string | null | undefined;
  /** Attempts before the job fails, 1..20. Default 3. */
  maxAttempts?: number | null | undefined;
  /** The operation. */
  operation: JobOperation;
  /** Free-form parameters for the worker (JSON, at most 64 KiB). */
  payload?: unknown;
  /** Queue priority, -100..100; higher runs first. Default 0. */
  priority?: number | null | undefined;
  /** SET_STATUS: the release status to set (required). */
  releaseStatus?: ReleaseStatus | null | undefined;
  /** Do not start before this time. */
  runAt?: string | null | undefined;
  /** Dataset name ([A-Z0-9_], not starting with a digit or _), or DATASTORE for BUMP. */
  target: string;
};

/** What happened to a job. */
export type JobEventKind =
  /** It was created. */
  | 'CREATED'
  /** Its status changed (previousStatus says from what). */
  | 'STATUS_CHANGED'
  /** Something else changed: progress, description, log, cancellation request. */
  | 'UPDATED';

/** Which jobs to return. Every condition given must hold. The same filter drives the `jobs` query and the `jobEvents` subscription. */
export type JobFilter = {
  /** true: only jobs that are not terminal; false: only terminal ones. */
  active?: boolean | null | undefined;
  /** Jobs created at or after this time. */
  createdAfter?: string | null | undefined;
  /** Jobs created before this time. */
  createdBefore?: string | null | undefined;
  /** Jobs created by this user (the token's subject). */
  createdBy?: string | null | undefined;
  /** true: only dead-letter jobs, FAILED (attempts used up, failed as not retryable, or over the time limit) and not retried yet; false: every other job. */
  deadLetter?: boolean | null | undefined;
  /** Jobs whose failure reason is exactly this text (the reasons are listed by `deadLetterCounts`). */
  failureReason?: string | null | undefined;
  /** Jobs doing any of these operations. */
  operations?: Array<JobOperation> | null | undefined;
  /** Jobs in any of these statuses. */
  statuses?: Array<JobStatus> | null | undefined;
  /** Jobs for this target (exact name). */
  target?: string | null | undefined;
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
  direction?: SortDirection | null | undefined;
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

/** Which job to retry. */
export type JobRetryInput = {
  /** A FAILED or CANCELLED job. */
  id: string | number;
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

/** Change a job's status, description or log. */
export type JobUpdateInput = {
  /** A new description. */
  description?: string | null | undefined;
  /** The job. */
  id: string | number;
  /** A line to append to the log. */
  logMessage?: string | null | undefined;
  /** The new status; must be a legal transition. */
  status?: JobStatus | null | undefined;
};

/** Cancel every job a filter matches. */
export type JobsCancelInput = {
  /** Only count the matching jobs and return a few of them; nothing changes, nothing is recorded. */
  dryRun?: boolean | null | undefined;
  /** Required unless dryRun: the most jobs the caller expects to act on (what a dry run or the jobs list showed). More matches is COUNT_ABOVE_EXPECTED and nothing changes. */
  expectedCount?: number | null | undefined;
  /** Which jobs; at least one condition (an empty filter is refused with EMPTY_FILTER). */
  filter: JobFilter;
  /** Why; written to each job's log. */
  reason?: string | null | undefined;
};

/** A batch of jobs to create (1 to 1000). */
export type JobsCreateInput = {
  /** The jobs, each validated and created on its own. */
  items: Array<JobCreateInput>;
};

/** Retry every job a filter matches (FAILED or CANCELLED ones; the others get a failure entry). */
export type JobsRetryInput = {
  /** Only count the matching jobs and return a few of them; nothing changes, nothing is recorded. */
  dryRun?: boolean | null | undefined;
  /** Required unless dryRun: the most jobs the caller expects to act on. More matches is COUNT_ABOVE_EXPECTED and nothing changes. */
  expectedCount?: number | null | undefined;
  /** Which jobs; at least one condition (an empty filter is refused with EMPTY_FILTER). `{ deadLetter: true }` re-runs the dead-letter jobs. */
  filter: JobFilter;
};

/** Switch maintenance mode. */
export type MaintenanceSetInput = {
  /** Why (shown to users), at most 1000 characters. */
  message: string;
  /** true pauses: no new claims; running jobs go on to the end. */
  paused: boolean;
};

/** Cancel every waiting job. */
export type QueueClearInput = {
  /** Why; written to each cancelled job's log. */
  reason?: string | null | undefined;
};

/** Pause the queue. */
export type QueuePauseInput = {
  /** Why; recorded in the log. */
  reason?: string | null | undefined;
};

/** Resume the queue. */
export type QueueResumeInput = {
  /** Why; recorded in the log. */
  reason?: string | null | undefined;
};

/** A dataset's release status. */
export type ReleaseStatus =
  /** Not released. */
  | 'DRAFT'
  /** To be deleted with the next bump. */
  | 'PENDING_DELETE'
  /** To be released with the next bump. */
  | 'PENDING_RELEASE';

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

/** Create a schedule. */
export type ScheduleCreateInput = {
  /** 5 fields (minute hour day month weekday) or 6 (seconds first), or @hourly, @daily... */
  cron: string;
  /** The job each time creates (no runAt). */
  job: JobCreateInput;
  /** Default SKIP. */
  maintenance?: ScheduleMaintenancePolicy | null | undefined;
  /** Default SKIP. */
  missedRuns?: ScheduleMissedPolicy | null | undefined;
  /** A unique name (1..100 characters). */
  name: string;
  /** Default SKIP. */
  overlap?: ScheduleOverlapPolicy | null | undefined;
  /** Create it paused. */
  paused?: boolean | null | undefined;
  /** IANA time zone; default UTC. */
  timeZone?: string | null | undefined;
};

/** A schedule by id. */
export type ScheduleIdInput = {
  /** The schedule. */
  id: string | number;
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

/** Sort direction. */
export type SortDirection =
  /** Oldest / smallest first. */
  | 'ASC'
  /** Newest / largest first. */
  | 'DESC';

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

/** Forget a worker. */
export type WorkerRemoveInput = {
  /** The worker's id. */
  workerId: string;
};

/** Disable or enable a worker. */
export type WorkerSetDisabledInput = {
  /** true: it gets no new jobs (enforced in the claim); its running jobs go on. */
  disabled: boolean;
  /** The worker's id. */
  workerId: string;
};

/** What a worker says it is doing. */
export type WorkerStatus =
  /** Running a job. */
  | 'BUSY'
  /** Waiting for work. */
  | 'IDLE'
  /** Finishing its jobs before it stops. */
  | 'STOPPING';

export type UserErrorFieldsFragment = { code: string, message: string, field: Array<string> | null };

export type BulkPayloadFieldsFragment = { matchedCount: number, sample: Array<{ id: string, status: JobStatus, target: { id: string, name: string } }>, action: { id: string } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> };

export type BulkCancelMutationVariables = Exact<{
  input: JobsCancelInput;
}>;


export type BulkCancelMutation = { jobsCancel: { matchedCount: number, sample: Array<{ id: string, status: JobStatus, target: { id: string, name: string } }>, action: { id: string } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type BulkRetryMutationVariables = Exact<{
  input: JobsRetryInput;
}>;


export type BulkRetryMutation = { jobsRetry: { matchedCount: number, sample: Array<{ id: string, status: JobStatus, target: { id: string, name: string } }>, action: { id: string } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type BulkActionProgressQueryVariables = Exact<{
  id: string | number;
}>;


export type BulkActionProgressQuery = { bulkAction: { id: string, kind: BulkActionKind, state: BulkActionState, matchedCount: number, processedCount: number, succeededCount: number, failedCount: number, error: string | null, failures: Array<{ jobId: string, code: string, message: string }> } | null };

export type JobRowFragment = { id: string, operation: JobOperation, status: JobStatus, terminal: boolean, createdBy: string, createdAt: string, updatedAt: string, progress: number | null, attempts: number, maxAttempts: number, target: { id: string, name: string } };

export type JobDetailFragment = { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> };

export type CapFieldsFragment = { operation: JobOperation, targetPrefix: string | null, maxRunning: number | null, maxStarts: number | null, windowSeconds: number | null, running: number, startsInWindow: number, updatedBy: string, updatedAt: string };

export type QueueCapsQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueCapsQuery = { queue: { caps: Array<{ operation: JobOperation, targetPrefix: string | null, maxRunning: number | null, maxStarts: number | null, windowSeconds: number | null, running: number, startsInWindow: number, updatedBy: string, updatedAt: string }> } };

export type CapSetMutationVariables = Exact<{
  input: ConcurrencyCapSetInput;
}>;


export type CapSetMutation = { concurrencyCapSet: { cap: { operation: JobOperation, targetPrefix: string | null, maxRunning: number | null, maxStarts: number | null, windowSeconds: number | null, running: number, startsInWindow: number, updatedBy: string, updatedAt: string } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type CapDeleteMutationVariables = Exact<{
  input: ConcurrencyCapDeleteInput;
}>;


export type CapDeleteMutation = { concurrencyCapDelete: { removed: boolean, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type DashboardStatsQueryVariables = Exact<{
  window: number;
  bucket: number;
}>;


export type DashboardStatsQuery = { jobStats: { window: number, bucket: number, from: string, to: string, rebuiltBefore: string | null, buckets: Array<{ start: string, created: number, started: number, completed: number, failed: number, cancelled: number, retried: number, ready: number | null, delayed: number | null, running: number | null, workersAlive: number | null }>, operations: Array<{ operation: JobOperation, created: number, completed: number, failed: number, cancelled: number, retried: number, failureRate: number | null, waitP50Seconds: number | null, waitP95Seconds: number | null, runP50Seconds: number | null, runP95Seconds: number | null }> } };

export type ImportableDatasetsQueryVariables = Exact<{ [key: string]: never; }>;


export type ImportableDatasetsQuery = { importableDatasets: Array<{ name: string, hasData: boolean, hasMetadata: boolean, isArchived: boolean, sizeBytes: number, modifiedAt: string }> };

export type ImportableDatasetDeleteMutationVariables = Exact<{
  input: ImportableDatasetDeleteInput;
}>;


export type ImportableDatasetDeleteMutation = { importableDatasetDelete: { deletedName: string | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type FailedPageQueryVariables = Exact<{ [key: string]: never; }>;


export type FailedPageQuery = { deadLetterCounts: { total: number, byOperation: Array<{ operation: JobOperation, count: number }>, byReason: Array<{ reason: string, count: number }> } };

export type JobFlowQueryVariables = Exact<{
  id: string | number;
}>;


export type JobFlowQuery = { job: { id: string, flow: { id: string, total: number, onChildFailure: FlowChildFailurePolicy, finalJob: { id: string, status: JobStatus, operation: JobOperation, target: { name: string } }, counts: Array<{ status: JobStatus, count: number }>, children: { totalCount: number, nodes: Array<{ id: string, status: JobStatus, operation: JobOperation, target: { name: string } }> } } | null } | null };

export type JobFlowUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type JobFlowUpdatedSubscription = { jobUpdated: { kind: JobEventKind, at: string } };

export type JobPageQueryVariables = Exact<{
  id: string | number;
}>;


export type JobPageQuery = { job: { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> } | null };

export type JobPageUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type JobPageUpdatedSubscription = { jobUpdated: { kind: JobEventKind, at: string, job: { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> } } };

export type JobPageCancelMutationVariables = Exact<{
  input: JobCancelInput;
}>;


export type JobPageCancelMutation = { jobCancel: { job: { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type JobPageRetryMutationVariables = Exact<{
  input: JobRetryInput;
}>;


export type JobPageRetryMutation = { jobRetry: { job: { id: string, status: JobStatus } | null, retriedJob: { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type JobPageUpdateMutationVariables = Exact<{
  input: JobUpdateInput;
}>;


export type JobPageUpdateMutation = { jobUpdate: { job: { id: string, status: JobStatus, terminal: boolean, operation: JobOperation, description: string | null, createdBy: string, createdAt: string, updatedAt: string, startedAt: string | null, finishedAt: string | null, priority: number, runAt: string | null, attempts: number, maxAttempts: number, cancelRequested: boolean, failureReason: string | null, progress: number | null, leaseExpiresAt: string | null, target: { id: string, name: string, status: JobStatus }, parameters: { target: string, operation: JobOperation, releaseStatus: ReleaseStatus | null, description: string | null, bumpFromVersion: string | null, bumpToVersion: string | null, payload: unknown, bumpManifesto: { version: string, description: string, releaseTime: string | null, languageCode: string | null, updateType: string | null, dataStructureUpdates: Array<{ name: string, description: string, operation: string, releaseStatus: ReleaseStatus }> } | null }, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null } | null, retryOf: { id: string, status: JobStatus } | null, retriedBy: { id: string, status: JobStatus } | null, log: Array<{ at: string, actor: string, message: string, status: JobStatus | null }> } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type JobsPageQueryVariables = Exact<{
  filter?: JobFilter | null | undefined;
  orderBy?: JobOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type JobsPageQuery = { jobs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, operation: JobOperation, status: JobStatus, terminal: boolean, createdBy: string, createdAt: string, updatedAt: string, progress: number | null, attempts: number, maxAttempts: number, target: { id: string, name: string } }> } };

export type JobsPageEventsSubscriptionVariables = Exact<{
  filter?: JobFilter | null | undefined;
}>;


export type JobsPageEventsSubscription = { jobEvents: { kind: JobEventKind, previousStatus: JobStatus | null, at: string, job: { id: string, operation: JobOperation, status: JobStatus, terminal: boolean, createdBy: string, createdAt: string, updatedAt: string, progress: number | null, attempts: number, maxAttempts: number, target: { id: string, name: string } } } };

export type MaintenanceHistoryQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MaintenanceHistoryQuery = { maintenanceHistory: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, paused: boolean, message: string, setBy: string, at: string }> } };

export type MaintenanceSetMutationVariables = Exact<{
  input: MaintenanceSetInput;
}>;


export type MaintenanceSetMutation = { maintenanceSet: { status: { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type QueuePageFieldsFragment = { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } };

export type QueueOverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueOverviewQuery = { queue: { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } } };

export type QueueStatsLiveSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type QueueStatsLiveSubscription = { queueStatsChanged: { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } } };

export type QueuePauseMutationVariables = Exact<{
  input: QueuePauseInput;
}>;


export type QueuePauseMutation = { queuePause: { queue: { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type QueueResumeMutationVariables = Exact<{
  input: QueueResumeInput;
}>;


export type QueueResumeMutation = { queueResume: { queue: { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type QueueClearMutationVariables = Exact<{
  input: QueueClearInput;
}>;


export type QueueClearMutation = { queueClear: { cancelledCount: number, queue: { paused: boolean, maintenance: boolean, ready: number, delayed: number, leased: number, oldestWaitingSeconds: number | null, counts: Array<{ status: JobStatus, count: number }>, jobs: { totalCount: number, nodes: Array<{ id: string, operation: JobOperation, priority: number, createdAt: string, target: { name: string } }> } } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type WorkerRowFieldsFragment = { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null, version: string | null, operations: Array<JobOperation>, disabled: boolean, lastHeartbeatAt: string, progress: number | null, currentJob: { id: string, status: JobStatus } | null };

export type WorkersListQueryVariables = Exact<{
  alive?: boolean | null | undefined;
  first?: number | null | undefined;
}>;


export type WorkersListQuery = { workers: { totalCount: number, nodes: Array<{ id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null, version: string | null, operations: Array<JobOperation>, disabled: boolean, lastHeartbeatAt: string, progress: number | null, currentJob: { id: string, status: JobStatus } | null }> } };

export type WorkerEventsLiveSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WorkerEventsLiveSubscription = { workerEvents: { kind: WorkerEventKind, workerId: string, worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null, version: string | null, operations: Array<JobOperation>, disabled: boolean, lastHeartbeatAt: string, progress: number | null, currentJob: { id: string, status: JobStatus } | null } | null } };

export type WorkerSetDisabledMutationVariables = Exact<{
  input: WorkerSetDisabledInput;
}>;


export type WorkerSetDisabledMutation = { workerSetDisabled: { worker: { id: string, workerId: string, alive: boolean, status: WorkerStatus | null, hostname: string | null, version: string | null, operations: Array<JobOperation>, disabled: boolean, lastHeartbeatAt: string, progress: number | null, currentJob: { id: string, status: JobStatus } | null } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type WorkerRemoveMutationVariables = Exact<{
  input: WorkerRemoveInput;
}>;


export type WorkerRemoveMutation = { workerRemove: { removed: boolean, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type ScheduleRowFieldsFragment = { id: string, name: string, cron: string, timeZone: string, operation: JobOperation, target: string, overlap: ScheduleOverlapPolicy, missedRuns: ScheduleMissedPolicy, maintenance: ScheduleMaintenancePolicy, paused: boolean, deferredAt: string | null, nextRuns: Array<string>, lastRuns: Array<{ scheduledAt: string, outcome: ScheduleRunOutcome, message: string | null, job: { id: string, status: JobStatus } | null }> };

export type SchedulesListQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulesListQuery = { schedules: { totalCount: number, nodes: Array<{ id: string, name: string, cron: string, timeZone: string, operation: JobOperation, target: string, overlap: ScheduleOverlapPolicy, missedRuns: ScheduleMissedPolicy, maintenance: ScheduleMaintenancePolicy, paused: boolean, deferredAt: string | null, nextRuns: Array<string>, lastRuns: Array<{ scheduledAt: string, outcome: ScheduleRunOutcome, message: string | null, job: { id: string, status: JobStatus } | null }> }> } };

export type SchedulePreviewQueryVariables = Exact<{
  cron: string;
  timeZone?: string | null | undefined;
}>;


export type SchedulePreviewQuery = { scheduleTimesPreview: { times: Array<string>, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type ScheduleCreateMutationVariables = Exact<{
  input: ScheduleCreateInput;
}>;


export type ScheduleCreateMutation = { scheduleCreate: { schedule: { id: string, name: string, cron: string, timeZone: string, operation: JobOperation, target: string, overlap: ScheduleOverlapPolicy, missedRuns: ScheduleMissedPolicy, maintenance: ScheduleMaintenancePolicy, paused: boolean, deferredAt: string | null, nextRuns: Array<string>, lastRuns: Array<{ scheduledAt: string, outcome: ScheduleRunOutcome, message: string | null, job: { id: string, status: JobStatus } | null }> } | null, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type SchedulePauseMutationVariables = Exact<{
  input: ScheduleIdInput;
}>;


export type SchedulePauseMutation = { schedulePause: { userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type ScheduleResumeMutationVariables = Exact<{
  input: ScheduleIdInput;
}>;


export type ScheduleResumeMutation = { scheduleResume: { userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type ScheduleDeleteMutationVariables = Exact<{
  input: ScheduleIdInput;
}>;


export type ScheduleDeleteMutation = { scheduleDelete: { removed: boolean, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type SubmitJobsMutationVariables = Exact<{
  input: JobsCreateInput;
}>;


export type SubmitJobsMutation = { jobsCreate: { results: Array<{ index: number, job: { id: string, status: JobStatus, operation: JobOperation, target: { id: string, name: string } } | null, error: { code: string, message: string, field: Array<string> | null } | null, existingJob: { id: string, status: JobStatus } | null }>, userErrors: Array<{ code: string, message: string, field: Array<string> | null }> } };

export type RetentionPanelQueryVariables = Exact<{ [key: string]: never; }>;


export type RetentionPanelQuery = { retention: { settings: { completedMaxAgeHours: number, failedMaxAgeHours: number, maxTerminalJobs: number, intervalSeconds: number }, lastPass: { startedAt: string, finishedAt: string, removedCompleted: number, removedFailed: number, removedCancelled: number, removedOverCap: number, keptForTargets: number, error: string | null } | null } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, roles: Array<Role>, tokenExpiresAt: string } };

export type MaintenanceFieldsFragment = { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number };

export type MaintenanceStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type MaintenanceStatusQuery = { maintenanceStatus: { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number } };

export type MaintenanceBannerSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MaintenanceBannerSubscription = { maintenanceStatusChanged: { paused: boolean, message: string, setBy: string, since: string, drained: boolean, runningJobs: number, queuedJobs: number } };
