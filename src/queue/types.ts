import type { RedisClient as Redis } from '../db/redis.js';
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
  /** How long an ended job stays known to the queue, so that no late enqueue brings it back, in ms. Default 1 hour. */
  tombstoneMs?: number;
  /** Least time between two MongoDB writes of a progress fraction alone, per job, in ms. Default 1000. */
  progressWriteMs?: number;
  /** Most worker messages kept in one job's log. Default 500. */
  maxLogMessages?: number;
}

/** Where a job is in the queue; `ended` is a tombstone kept for tombstoneMs. */
/** held: the final job of a flow, out of every set until its children end (lua/flow.lua). */
export type QueueState = 'ready' | 'delayed' | 'leased' | 'ended' | 'held';

/**
 * A job as the queue holds it, returned by every script that changes it: the
 * hot state that MongoDB records, with the sequence number that orders those
 * records (a write older than the stored sequence is a no-op).
 */
export interface QueueJob {
  id: string;
  state: QueueState;
  status: string;
  seq: number;
  operation: string;
  runAt: number;
  /** Attempts used so far (a leased job counts its current one). */
  attempt: number;
  maxAttempts: number;
  avoidWorkers: boolean;
  cancelRequested: boolean;
  progress: number | null;
  enqueuedAt: number;
  /** The worker holding it (or that last held it). */
  workerId: string | null;
  /** Present while leased. */
  token: string | null;
  leaseExpiresAt: number | null;
  leasedAt: number | null;
  retriedBy: string | null;
}

/** A status change in the outbox (lua/outbox.lua): decided, its event not yet published. */
export interface PendingEvent {
  /** '<id>:<seq>' (keys.ts outboxEntry). */
  entry: string;
  id: string;
  seq: number;
  /** When it was decided (ms, Redis's clock). */
  at: number;
  previousStatus: string;
  status: string;
}

/** What hydrate needs to give the queue a job in the state MongoDB recorded. */
export interface HydrateInput {
  id: string;
  /** ready: queued (delayed when runAt is later than now); leased: running; ended: terminal; held: a flow's final job waiting for its children. */
  state: 'ready' | 'leased' | 'ended' | 'held';
  status: string;
  seq: number;
  operation: string;
  /** -1000..1000, higher is claimed first. Default 0. */
  priority?: number;
  /** Not claimable before this time (ms). Default: the ObjectId's creation time, else now. */
  runAt?: number;
  /** Attempts allowed in all (>= 1). */
  maxAttempts: number;
  /** Attempts already used. Default 0. */
  attempt?: number;
  /** Never hand the job to a worker that already claimed it. Default false. */
  avoidWorkers?: boolean;
  cancelRequested?: boolean;
  progress?: number | null;
  retriedBy?: string | null;
  /** When leased: the holder's lease as MongoDB recorded it. */
  lease?: { token: string; workerId: string; leaseExpiresAt: number; leasedAt: number };
  /**
   * The epoch marker's value when this copy was read (RedisQueue.epoch); null: read while the marker was
   * missing (a restore). A copy from another epoch is refused (EPOCH_CHANGED). Absent: any (a job just created).
   */
  epoch?: string | null;
  /** The job's target: concurrency caps on a group of targets (a name prefix) match it. */
  target?: string;
}

export type FlowPolicy = 'FAIL' | 'CONTINUE' | 'CANCEL_REST';

/** A child's end as the flow script decided it (see lua/flow.lua). */
export type FlowStepResult =
  | { code: 'NOT_FOUND' }
  | { code: 'COUNTED' | 'ALREADY_COUNTED' | 'DECIDED'; ended: number; failed: number }
  | { code: 'RELEASED' | 'FLOW_FAILED'; ended: number; failed: number; job: QueueJob };

export interface HydrateResult {
  /** OK when the queue took it now; ALREADY_QUEUED when it knew the id, EPOCH_CHANGED when the copy is from another epoch (nothing changed). */
  code: Extract<QueueCodeName, 'OK' | 'ALREADY_QUEUED' | 'EPOCH_CHANGED'>;
  state: QueueState;
}

export interface ClaimInput {
  workerId: string;
  /** Operations this worker accepts. */
  operations: readonly string[];
  /** Lease length, ms. Default: the queue's leaseMs. */
  leaseMs?: number;
  /** Most jobs to take. Default 1. */
  max?: number;
}

export type ClaimRefusal = Extract<QueueCodeName, 'EMPTY' | 'MAINTENANCE' | 'PAUSED' | 'WORKER_DISABLED'>;

/** `epoch`: the marker's value when the jobs were claimed (check it is unchanged before handing them out). */
export type ClaimResult = { jobs: QueueJob[]; reason: null; epoch: string } | { jobs: []; reason: ClaimRefusal };

export interface LeaseLost {
  ok: false;
  code: 'LEASE_LOST';
}

export interface ExtendInput {
  /** The stage the job moves to; absent: it stays. */
  status?: string | null;
  /** Statuses `status` may follow (jobRules.allowedFrom). */
  allowedFrom?: readonly string[];
  progress?: number | null;
  /** A message comes with the report (counted against maxLogMessages). */
  message?: boolean;
  leaseMs?: number;
}

export type ExtendResult =
  | { ok: true; write: boolean; keepMessage: boolean; previousStatus: string; job: QueueJob }
  | LeaseLost
  | { ok: false; code: 'INVALID_TRANSITION'; status: string };

export type FinishOutcome = Extract<QueueCodeName, 'OK' | 'RETRY_SCHEDULED' | 'EXHAUSTED' | 'NOT_RETRYABLE' | 'CANCELLED'>;

export type FinishResult =
  | { ok: true; outcome: FinishOutcome; runAt: number | null; maintenance: boolean; leasesLeft: number; previousStatus: string; job: QueueJob; epoch: string }
  | LeaseLost;

export interface ReapedJob {
  id: string;
  /** CANCELLED: cancellation had been requested, so the job ended instead of being requeued. */
  outcome: 'REQUEUED' | 'EXHAUSTED' | 'CANCELLED';
  /** The worker whose lease expired. */
  workerId: string;
  /** When REQUEUED: when the job is claimable again. */
  runAt: number | null;
  previousStatus: string;
  job: QueueJob;
}

export type ChangeKind = 'status' | 'cancel' | 'retriedBy' | 'note';

export interface ChangeInput {
  kind: ChangeKind;
  /** Statuses the change may follow. */
  allowedFrom: readonly string[];
  /** kind status: the new status. */
  status?: string;
  terminal?: boolean;
  /** kind retriedBy: the retrying job. */
  retriedBy?: string;
}

export type ChangeResult =
  | { code: 'OK' | 'CANCEL_REQUESTED' | 'INVALID_TRANSITION' | 'ALREADY_RETRIED'; previousStatus: string; job: QueueJob }
  | { code: 'NOT_FOUND' };

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
