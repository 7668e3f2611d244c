import type { Redis } from 'ioredis';
import type { BackoffOptions } from './backoff.js';
import type { QueueCodeName } from './codes.js';

export interface RedisQueueOptions {
  /** Client for commands and scripts. The caller owns it: close() leaves it open. */
  redis: Redis;
  /** Prefix of every key and of the wake channel, e.g. "js:"; tests isolate themselves by it. Required. */
  prefix: string;
  /** Current time in ms, passed to every script (Lua never reads the time). Default Date.now. */
  clock?: () => number;
  /** Lease length when claim or extend give none, in ms. Default 30000. */
  leaseMs?: number;
  /** Retry delays after a failed attempt or an expired lease. Default DEFAULT_BACKOFF (1 s doubling to 5 min, ±20%). */
  backoff?: Partial<BackoffOptions>;
  /** Source of [0, 1) numbers for the backoff jitter. Default Math.random. */
  random?: () => number;
  /** Operations that have a ready queue; others are refused. Default OPERATIONS (the contract's nine). */
  operations?: readonly string[];
  /** Due delayed jobs moved to the ready queues per claim, bounding one script's run time. Default 1000. */
  promoteLimit?: number;
  /** Heads of each ready queue a claim looks at to skip jobs this worker already tried. Default 50. */
  avoidScanDepth?: number;
  /** Jobs removed per script call by clear(). Default 1000. */
  clearBatch?: number;
}

export type QueueState = 'ready' | 'delayed' | 'leased';

export interface EnqueueInput {
  /** Job id (a 24-hex ObjectId: ids sort by creation). */
  id: string;
  /** One of the queue's operations; claimers filter on it. */
  operation: string;
  /** -1000..1000, higher is claimed first. Default 0. */
  priority?: number;
  /** Not claimable before this time (ms). Default: the ObjectId's creation time, else now; so fresh jobs order by creation. */
  runAt?: number;
  /** Attempts allowed in all (>= 1). */
  maxAttempts: number;
  /** Attempts already used, e.g. when the reconciler re-enqueues a job. Default 0. */
  attempt?: number;
  /** Never hand the job to a worker that already claimed it. Default false. */
  avoidWorkers?: boolean;
}

export interface EnqueueResult {
  /** OK when queued now; ALREADY_QUEUED / ALREADY_LEASED when the id was known (nothing changed). */
  code: Extract<QueueCodeName, 'OK' | 'ALREADY_QUEUED' | 'ALREADY_LEASED'>;
  state: QueueState;
}

export interface ClaimInput {
  workerId: string;
  /** Operations this worker accepts. */
  operations: readonly string[];
  /** Lease length, ms. Default: the queue's leaseMs. */
  leaseMs?: number;
}

export interface ClaimedJob {
  id: string;
  operation: string;
  /** Fencing token: strictly increasing over all claims of this prefix. */
  token: number;
  leaseExpiresAt: number;
  /** Number of this attempt, 1-based. */
  attempt: number;
}

export type ClaimRefusal = Extract<QueueCodeName, 'EMPTY' | 'MAINTENANCE' | 'PAUSED' | 'WORKER_DISABLED'>;

export type ClaimResult = { job: ClaimedJob } | { job: null; reason: ClaimRefusal; message: string };

export interface LeaseLost {
  ok: false;
  code: 'LEASE_LOST';
  message: string;
}

export type ExtendResult = { ok: true; leaseExpiresAt: number; cancelRequested: boolean } | LeaseLost;

export type CompleteResult = { ok: true; attempt: number } | LeaseLost;

export interface FailInput {
  /** False for errors a retry cannot fix. */
  retryable: boolean;
  /** Overrides of the queue's backoff for this retry. */
  backoff?: Partial<BackoffOptions>;
}

export type FailResult =
  /** attempt: the attempt that failed; the retry will be attempt + 1. */
  | { ok: true; outcome: 'RETRY_SCHEDULED'; runAt: number; attempt: number }
  | { ok: true; outcome: 'FAILED'; attempt: number; reason: Extract<QueueCodeName, 'EXHAUSTED' | 'NOT_RETRYABLE' | 'CANCELLED'> }
  | LeaseLost;

export interface ReapedJob {
  id: string;
  /** CANCELLED: cancellation had been requested, so the job is dropped instead of requeued. */
  outcome: 'REQUEUED' | 'EXHAUSTED' | 'CANCELLED';
  /** The attempt whose lease expired. */
  attempt: number;
  workerId: string;
  /** When REQUEUED: when the job is claimable again. */
  runAt?: number;
}

export interface LeaseInfo {
  token: number;
  workerId: string;
  leaseExpiresAt: number;
  leasedAt: number;
  cancelRequested: boolean;
}

export interface QueuedJob {
  id: string;
  state: QueueState;
  operation: string;
  priority: number;
  runAt: number;
  /** Attempts used so far (a leased job counts its current one). */
  attempt: number;
  maxAttempts: number;
  avoidWorkers: boolean;
  enqueuedAt: number;
  /** Present while leased. */
  lease?: LeaseInfo;
}

export type JobQueueState = QueuedJob | { id: string; state: 'absent' };

export interface QueueCounts {
  ready: number;
  delayed: number;
  leased: number;
  readyByOperation: Record<string, number>;
}

export interface PeekInput {
  /** Only these operations. Default: all. */
  operations?: readonly string[];
  offset?: number;
  limit: number;
}

export interface QueueFlags {
  maintenance: boolean;
  paused: boolean;
}

/** WORK: something may be claimable now (or a switch turned off); try claim again. */
export type WaitOutcome = 'WORK' | 'TIMEOUT' | 'ABORTED' | 'CLOSED';
