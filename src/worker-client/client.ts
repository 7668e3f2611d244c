/**
 * Thin typed calls to the worker API (schema/workers.graphql), one method per mutation, over plain fetch.
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
  /** Long poll, 0..30 seconds. */
  waitSeconds?: number;
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
}

export interface ClaimResult {
  lease: JobLease | null;
  /** A ClaimEmptyReason when no job was handed out; kept open so a new reason does not break old workers. */
  reason: ClaimEmptyReason | (string & {}) | null;
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

export interface ReportProgressResult {
  leaseExpiresAt: string | null;
  cancelRequested: boolean;
  userErrors: UserError[];
  job: JobRef | null;
}

export interface CompleteInput {
  id: string;
  leaseToken: string;
  message?: string;
}

export interface CompleteResult {
  job: JobRef | null;
  userErrors: UserError[];
}

export interface FailInput {
  id: string;
  leaseToken: string;
  reason: string;
  retryable?: boolean;
}

export interface FailResult {
  job: JobRef | null;
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
}

const USER_ERRORS = 'userErrors { code message field }';
const JOB_REF = 'job { id status }';

const HEARTBEAT = `mutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {
  workerHeartbeat(input: $input) { heartbeatIntervalSeconds expirySeconds disabled maintenance queuePaused ${USER_ERRORS} }
}`;
const CLAIM = `mutation JobClaim($input: JobClaimInput!) {
  jobClaim(input: $input) {
    lease { token expiresAt attempt job { id operation status attempts maxAttempts
      parameters { target operation releaseStatus description bumpFromVersion bumpToVersion payload } } }
    reason ${USER_ERRORS}
  }
}`;
const REPORT_PROGRESS = `mutation JobReportProgress($input: JobReportProgressInput!) {
  jobReportProgress(input: $input) { leaseExpiresAt cancelRequested ${USER_ERRORS} ${JOB_REF} }
}`;
const COMPLETE = `mutation JobComplete($input: JobCompleteInput!) {
  jobComplete(input: $input) { ${JOB_REF} ${USER_ERRORS} }
}`;
const FAIL = `mutation JobFail($input: JobFailInput!) {
  jobFail(input: $input) { ${JOB_REF} retryAt ${USER_ERRORS} }
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

  claim(input: ClaimInput, options?: CallOptions): Promise<ClaimResult> {
    const waitMs = (input.waitSeconds ?? 0) * 1000;
    return this.mutate<ClaimResult>('jobClaim', CLAIM, input, options, waitMs);
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
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
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
