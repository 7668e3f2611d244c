/**
 * Thin typed calls to the worker API (schema/workers.graphql, described in docs/worker-protocol.md), one
 * method per mutation, over plain fetch.
 * The types are hand-written on purpose: this file is meant to be copied into worker code bases that do
 * not run our codegen, so it depends on nothing but the platform.
 */
import { WorkerClientError } from './errors.js';

export type JobOperation =
  | 'ADD'
  | 'CHANGE'
  | 'PATCH_METADATA'
  | 'SET_STATUS'
  | 'BUMP'
  | 'DELETE_DRAFT'
  | 'REMOVE'
  | 'ROLLBACK_REMOVE'
  | 'DELETE_ARCHIVE';

export type JobStatus =
  | 'QUEUED'
  | 'INITIATED'
  | 'VALIDATING'
  | 'DECRYPTING'
  | 'TRANSFORMING'
  | 'PSEUDONYMIZING'
  | 'ENRICHING'
  | 'CONVERTING'
  | 'PARTITIONING'
  | 'BUILT'
  | 'IMPORTING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED';

export type WorkerStatus = 'IDLE' | 'BUSY' | 'STOPPING';

/** Why jobClaim handed out no job. */
export type ClaimEmptyReason = 'EMPTY' | 'MAINTENANCE' | 'PAUSED' | 'WORKER_DISABLED';

export interface UserError {
  code: string;
  message: string;
  field: string[] | null;
}

export interface HeartbeatInput {
  workerId: string;
  status: WorkerStatus;
  hostname?: string;
  version?: string;
  operations?: JobOperation[];
  currentJobId?: string | null;
  progress?: number | null;
  info?: unknown;
}

export interface HeartbeatResult {
  heartbeatIntervalSeconds: number;
  expirySeconds: number;
  disabled: boolean;
  maintenance: boolean;
  queuePaused: boolean;
  userErrors: UserError[];
}

export interface ClaimInput {
  workerId: string;
  operations: JobOperation[];
  /** Long poll, 0..30 seconds: ends as soon as at least one job is claimable. */
  waitSeconds?: number;
  /** Take up to this many jobs in one call, 1..100. Default 1. */
  maxJobs?: number;
}

/** Ask for the next job in the same call that completes or fails one (no long poll). */
export interface ClaimNextInput {
  workerId: string;
  operations: JobOperation[];
}

export interface LeasedJobParameters {
  target: string;
  operation: JobOperation;
  releaseStatus: string | null;
  description: string | null;
  bumpFromVersion: string | null;
  bumpToVersion: string | null;
  payload: unknown;
}

export interface LeasedJob {
  id: string;
  operation: JobOperation;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  parameters: LeasedJobParameters;
}

export interface JobLease {
  /** The fencing token for progress, complete and fail. */
  token: string;
  expiresAt: string;
  attempt: number;
  job: LeasedJob;
  /** W3C trace context of the request that created the job (when the service traces): the parent of the job's span. */
  traceparent: string | null;
}

/** A ClaimEmptyReason; kept open so a new reason does not break old workers. */
export type ClaimReason = ClaimEmptyReason | (string & {});

export interface ClaimResult {
  /** The first of `leases` (the only one unless maxJobs > 1), or null. */
  lease: JobLease | null;
  /** Every lease handed out, in claim order; empty when none. */
  leases: JobLease[];
  /** Why no job was handed out; null when one was. */
  reason: ClaimReason | null;
  userErrors: UserError[];
}

export interface JobRef {
  id: string;
  status: JobStatus;
}

export interface ReportProgressInput {
  id: string;
  leaseToken: string;
  status?: JobStatus;
  progress?: number;
  message?: string;
}

/** The job is no longer selected in progress, complete and fail answers (the service then resolves fewer fields). */
type NotSelectedJob = {
  /** @deprecated Not selected any more: always undefined. */
  job?: JobRef | null;
};

export interface ReportProgressResult extends NotSelectedJob {
  leaseExpiresAt: string | null;
  cancelRequested: boolean;
  userErrors: UserError[];
}

export interface CompleteInput {
  id: string;
  leaseToken: string;
  message?: string;
  /** Also claim the next job in the same call (answered in `next`). */
  claimNext?: ClaimNextInput;
}

/** The next lease of a complete or fail that asked for one (claimNext). */
export interface NextLease {
  /** Handed out even when the finish itself was refused (LEASE_LOST): it is the caller's to run. */
  next: JobLease | null;
  /** Why no next lease was handed out; null when one was, or none was asked. */
  nextReason: ClaimReason | null;
}

export interface CompleteResult extends NextLease, NotSelectedJob {
  userErrors: UserError[];
}

export interface FailInput {
  id: string;
  leaseToken: string;
  reason: string;
  retryable?: boolean;
  /** Also claim the next job in the same call (answered in `next`). */
  claimNext?: ClaimNextInput;
}

export interface FailResult extends NextLease, NotSelectedJob {
  /** When the retry becomes claimable (the job is QUEUED again); null when it ended. */
  retryAt: string | null;
  userErrors: UserError[];
}

export interface WorkerClientOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:4000 (the client appends /graphql). */
  url: string;
  /** A bearer token with the WORKER role, or a function asked before every call (so tokens can rotate). */
  token: string | (() => string | Promise<string>);
  /** Time allowed for one call, on top of a claim's long-poll wait. Default 10000. */
  fetchTimeoutMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (the worker uses it to cut a long poll short on stop). */
  signal?: AbortSignal;
  /** More request headers, e.g. `traceparent` so the service's spans of the call join the job's trace. */
  headers?: Record<string, string>;
}

// Each document selects only what the worker uses: every further field is work for the service on
// the hot path (claim, progress, complete), where a job costs at most 3 MongoDB commands.
const USER_ERRORS = 'userErrors { code message field }';
/** What a handler gets: LeasedJob. */
const LEASE = `token expiresAt attempt traceparent job { id operation status attempts maxAttempts
      parameters { target operation releaseStatus description bumpFromVersion bumpToVersion payload } }`;

const HEARTBEAT = `mutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {
  workerHeartbeat(input: $input) { heartbeatIntervalSeconds expirySeconds disabled maintenance queuePaused ${USER_ERRORS} }
}`;
const CLAIM = `mutation JobClaim($input: JobClaimInput!) {
  jobClaim(input: $input) { leases { ${LEASE} } reason ${USER_ERRORS} }
}`;
const REPORT_PROGRESS = `mutation JobReportProgress($input: JobReportProgressInput!) {
  jobReportProgress(input: $input) { leaseExpiresAt cancelRequested ${USER_ERRORS} }
}`;
const COMPLETE = `mutation JobComplete($input: JobCompleteInput!) {
  jobComplete(input: $input) { next { ${LEASE} } nextReason ${USER_ERRORS} }
}`;
const FAIL = `mutation JobFail($input: JobFailInput!) {
  jobFail(input: $input) { retryAt next { ${LEASE} } nextReason ${USER_ERRORS} }
}`;

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

export class WorkerClient {
  private readonly endpoint: string;
  private readonly token: WorkerClientOptions['token'];
  private readonly fetchTimeoutMs: number;

  constructor(options: WorkerClientOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/graphql`;
    this.token = options.token;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 10_000;
  }

  heartbeat(input: HeartbeatInput, options?: CallOptions): Promise<HeartbeatResult> {
    return this.mutate<HeartbeatResult>('workerHeartbeat', HEARTBEAT, input, options);
  }

  async claim(input: ClaimInput, options?: CallOptions): Promise<ClaimResult> {
    const waitMs = (input.waitSeconds ?? 0) * 1000;
    const result = await this.mutate<Omit<ClaimResult, 'lease'>>('jobClaim', CLAIM, input, options, waitMs);
    // `lease` is leases[0]: selecting both would send the first job twice.
    return { ...result, lease: result.leases[0] ?? null };
  }

  reportProgress(input: ReportProgressInput, options?: CallOptions): Promise<ReportProgressResult> {
    return this.mutate<ReportProgressResult>('jobReportProgress', REPORT_PROGRESS, input, options);
  }

  complete(input: CompleteInput, options?: CallOptions): Promise<CompleteResult> {
    return this.mutate<CompleteResult>('jobComplete', COMPLETE, input, options);
  }

  fail(input: FailInput, options?: CallOptions): Promise<FailResult> {
    return this.mutate<FailResult>('jobFail', FAIL, input, options);
  }

  private async mutate<T>(
    field: string,
    query: string,
    input: object,
    options: CallOptions | undefined,
    extraTimeoutMs = 0,
  ): Promise<T> {
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    const timeout = AbortSignal.timeout(this.fetchTimeoutMs + extraTimeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { ...options?.headers, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { input } }),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (options?.signal?.aborted) throw new WorkerClientError('ABORTED', `${field} aborted`, undefined, { cause: error });
      if (timeout.aborted) throw new WorkerClientError('TIMEOUT', `${field} timed out`, undefined, { cause: error });
      const detail = error instanceof Error ? error.message : String(error);
      throw new WorkerClientError('NETWORK_ERROR', `${field}: ${detail}`, undefined, { cause: error });
    }
    let body: GraphQLResponse | undefined;
    try {
      body = JSON.parse(text) as GraphQLResponse;
    } catch {
      // A proxy's HTML error page, say: reported below by its status.
    }
    const first = body?.errors?.[0];
    if (first) {
      const code = typeof first.extensions?.code === 'string' ? first.extensions.code : `HTTP_${response.status}`;
      throw new WorkerClientError(code, first.message ?? 'GraphQL error', response.status);
    }
    if (!response.ok) {
      throw new WorkerClientError(`HTTP_${response.status}`, `${field}: HTTP ${response.status}`, response.status);
    }
    const result = body?.data?.[field];
    if (result === undefined || result === null) {
      throw new WorkerClientError('BAD_RESPONSE', `${field}: no data in the response`, response.status);
    }
    return result as T;
  }
}

/** The first userError with this code, if any. */
export function findUserError(errors: readonly UserError[], code: string): UserError | undefined {
  return errors.find((error) => error.code === code);
}
