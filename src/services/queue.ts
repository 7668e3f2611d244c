import type { QueueConfig } from '../config.js';
import type { JobOperation, JobStatus } from '../generated/graphql.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import type { RedisQueue } from '../queue/index.js';
import { ALL_STATUSES, checkTransition, isTerminal, LEASE_FIELDS } from './jobRules.js';
import type { JobChange, JobService } from './jobs.js';
import { badInput, decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import { userError, type UserError } from './userErrors.js';
import { progressError, workerIdError } from './workers.js';

/**
 * The bridge between jobs in Mongo and the queue in Redis. Races are decided
 * in Redis (claim, extend, complete and fail are Lua scripts checking the
 * fencing token); every Mongo write of a job happens under the job's lock, with
 * the Redis step inside it, so Mongo records what Redis decided in order.
 * Order of writes: Mongo commits a job before it is enqueued (listener).
 */

/** What the queue needs of a job to enqueue it (the reconciler reads only these). */
export const QUEUED_JOB_FIELDS = { _id: 1, operation: 1, priority: 1, runAt: 1, createdAt: 1, maxAttempts: 1, attempts: 1 } as const;
export type QueuedJob = Pick<JobRecord, keyof typeof QUEUED_JOB_FIELDS>;

export interface LeaseView {
  job: JobRecord;
  token: string;
  expiresAt: Date;
  attempt: number;
}

export interface QueueView {
  paused: boolean;
  maintenance: boolean;
  ready: number;
  delayed: number;
  leased: number;
  oldestWaitingSeconds: number | null;
}

const LEASE_LOST = (): UserError => userError('LEASE_LOST', 'the lease on this job is no longer yours: stop working on it', ['input', 'leaseToken']);

export class QueueService {
  private readonly switchListeners: Array<() => void> = [];

  constructor(
    private readonly models: Models,
    private readonly jobs: JobService,
    private readonly queue: RedisQueue,
    private readonly cfg: QueueConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {
    jobs.listen({
      created: (created) => this.enqueueAll(created),
      changed: async (job) => {
        // A job that ended leaves the waiting line; a lease is told to stop. Every path to an end passes here,
        // so none can leave an ended job queued. After the holder's own complete/fail (or the reaper) the
        // script already removed it, and this costs one round trip that finds nothing.
        if (isTerminal(job.status)) await this.queue.remove(job._id.toHexString());
      },
    });
    jobs.attachQueue({
      withdraw: async (id) => ((await this.queue.remove(id)).code === 'CANCEL_REQUESTED' ? 'LEASED' : 'WITHDRAWN'),
    });
  }

  /** Puts committed jobs into the queue (idempotent: the reconciler may do it again). */
  async enqueueAll(jobs: QueuedJob[]): Promise<void> {
    // Sent together: one connection keeps them in order, and a batch costs one round trip, not one per job.
    await Promise.all(jobs.map((job) => this.enqueue(job)));
  }

  enqueue(job: QueuedJob) {
    return this.queue.enqueue(this.entryOf(job));
  }

  /** How a job sits in the queue (also what the reconciler restores a lost lease with). */
  entryOf(job: QueuedJob) {
    return {
      id: job._id.toHexString(),
      operation: job.operation,
      priority: job.priority,
      runAt: (job.runAt ?? job.createdAt).getTime(),
      maxAttempts: job.maxAttempts,
      attempt: job.attempts,
      avoidWorkers: this.cfg.avoidSameWorker,
    };
  }

  // ---- the worker's calls

  async claim(input: { workerId: string; operations: readonly JobOperation[]; waitSeconds?: number | null }, signal?: AbortSignal) {
    const errors: UserError[] = [];
    const idError = workerIdError(input.workerId);
    if (idError) errors.push(idError);
    if (input.operations.length === 0) errors.push(userError('INVALID_PARAMETERS', 'give at least one operation', ['input', 'operations']));
    const wait = input.waitSeconds ?? 0;
    if (!Number.isInteger(wait) || wait < 0 || wait > this.cfg.claimMaxWaitSeconds) {
      errors.push(userError('INVALID_PARAMETERS', `waitSeconds: 0 to ${this.cfg.claimMaxWaitSeconds}`, ['input', 'waitSeconds']));
    }
    if (errors.length) return { lease: null, reason: null, userErrors: errors };

    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const claimed = await this.queue.claim({ workerId: input.workerId, operations: input.operations, leaseMs: this.cfg.leaseMs });
      if (claimed.job) {
        const { id, token, attempt, leaseExpiresAt } = claimed.job;
        const lease = await this.startAttempt(id, String(token), attempt, leaseExpiresAt, input.workerId);
        if (lease) return { lease, reason: null, userErrors: [] };
        continue; // the job ended meanwhile and gave its lease back: ask again
      }
      const remaining = deadline - Date.now();
      if (claimed.reason !== 'EMPTY' || remaining <= 0 || signal?.aborted) return { lease: null, reason: claimed.reason, userErrors: [] };
      // Long poll: woken by an enqueue on any instance (Redis pub/sub), not by polling Mongo.
      await this.queue.waitForWork(input.operations, remaining, signal);
      // Woken because the caller went away (or the service is stopping): take no job for it.
      if (signal?.aborted) return { lease: null, reason: claimed.reason, userErrors: [] };
    }
  }

  /** Records a claim in Mongo. A job that ended (or was cancelled) since it was queued gives its lease back. */
  private async startAttempt(id: string, token: string, attempt: number, expiresAt: number, workerId: string): Promise<LeaseView | null> {
    let lease: LeaseView | null = null;
    await this.jobs.transition(id, workerId, async (job) => {
      if (isTerminal(job.status)) {
        await this.queue.fail(id, token, { retryable: false });
        return null;
      }
      // The claim happened before this lock; if its lease lapsed meanwhile, record nothing.
      if ((await this.queue.leaseOf(id))?.token !== Number(token)) return null;
      const now = this.clock();
      if (job.cancelRequested) {
        await this.queue.fail(id, token, { retryable: false });
        return { status: 'CANCELLED', set: {}, unset: LEASE_FIELDS, log: [{ at: now, actor: 'system', message: 'cancelled before it started', status: 'CANCELLED' }] };
      }
      return {
        status: 'INITIATED',
        set: { attempts: attempt, workerId, leaseToken: token, leaseExpiresAt: new Date(expiresAt), startedAt: now, progress: 0, runAt: null },
        log: [{ at: now, actor: workerId, message: `claimed (attempt ${attempt} of ${job.maxAttempts})`, status: 'INITIATED' }],
      };
    }).then((r) => {
      if (r.job && r.job.status === 'INITIATED' && r.job.leaseToken === token) lease = { job: r.job, token, expiresAt: new Date(expiresAt), attempt };
    });
    return lease;
  }

  /**
   * The lease holder's calls. Each checks the token against Mongo's record and
   * against Redis (the decider) under the job's lock; a stale token gets
   * LEASE_LOST and changes nothing. A job an operator ended meanwhile also
   * answers LEASE_LOST, and its lease is given back.
   */
  private async asHolder(id: string, token: string, workerActor: string, then: (job: JobRecord) => Promise<UserError | JobChange>) {
    return this.jobs.transition(id, workerActor, async (job) => {
      if (job.leaseToken !== token) return LEASE_LOST();
      if (isTerminal(job.status)) {
        await this.queue.fail(id, token, { retryable: false });
        return LEASE_LOST();
      }
      return then(job);
    });
  }

  async reportProgress(input: { id: string; leaseToken: string; status?: JobStatus | null; progress?: number | null; message?: string | null }, actor: string) {
    const problem = checkProgressInput(input);
    if (problem) return { job: null, leaseExpiresAt: null, cancelRequested: false, userErrors: [problem] };
    let leaseExpiresAt: Date | null = null;
    let cancelRequested = false;
    const result = await this.asHolder(input.id, input.leaseToken, actor, async (job) => {
      const extended = await this.queue.extend(input.id, input.leaseToken, this.cfg.leaseMs);
      if (!extended.ok) return LEASE_LOST();
      leaseExpiresAt = new Date(extended.leaseExpiresAt);
      cancelRequested = extended.cancelRequested || job.cancelRequested;
      const to = input.status ?? job.status;
      const illegal = to === 'COMPLETED' || to === 'FAILED' || to === 'CANCELLED' ? userError('INVALID_TRANSITION', 'finish with jobComplete or jobFail', ['input', 'status']) : checkTransition(job.status, to);
      if (illegal) return illegal;
      const now = this.clock();
      const log = [];
      if (to !== job.status) log.push({ at: now, actor, message: `status ${job.status} → ${to}`, status: to });
      if (input.message?.trim()) log.push({ at: now, actor, message: input.message.trim() });
      const set: Partial<JobRecord> = { leaseExpiresAt };
      if (input.progress !== null && input.progress !== undefined) set.progress = input.progress;
      return { status: to, set, log };
    });
    return { job: result.job, leaseExpiresAt, cancelRequested, userErrors: result.userErrors };
  }

  async complete(input: { id: string; leaseToken: string; message?: string | null }, actor: string) {
    return this.asHolder(input.id, input.leaseToken, actor, async () => {
      const done = await this.queue.complete(input.id, input.leaseToken);
      if (!done.ok) return LEASE_LOST();
      const message = input.message?.trim().slice(0, 10_000) || 'completed';
      return { status: 'COMPLETED', set: { progress: 1 }, unset: LEASE_FIELDS, log: [{ at: this.clock(), actor, message, status: 'COMPLETED' }] };
    });
  }

  async fail(input: { id: string; leaseToken: string; reason: string; retryable?: boolean | null }, actor: string) {
    const reason = input.reason.trim().slice(0, 10_000);
    if (!reason) return { job: null, retryAt: null, userErrors: [userError('INVALID_PARAMETERS', 'reason must not be empty', ['input', 'reason'])] };
    let retryAt: Date | null = null;
    const result = await this.asHolder(input.id, input.leaseToken, actor, async (job) => {
      const failed = await this.queue.fail(input.id, input.leaseToken, { retryable: input.retryable ?? true });
      if (!failed.ok) return LEASE_LOST();
      const at = this.clock();
      if (failed.outcome === 'RETRY_SCHEDULED') {
        retryAt = new Date(failed.runAt);
        return {
          status: 'QUEUED',
          set: { failureReason: reason, runAt: retryAt },
          unset: LEASE_FIELDS,
          log: [{ at, actor, message: `attempt ${failed.attempt} of ${job.maxAttempts} failed: ${reason}; retry at ${retryAt.toISOString()}`, status: 'QUEUED' }],
        };
      }
      const status = failed.reason === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
      const why = failed.reason === 'EXHAUSTED' ? `${reason} (after ${failed.attempt} attempts)` : reason;
      return { status, set: { failureReason: why }, unset: LEASE_FIELDS, log: [{ at, actor, message: `${status === 'CANCELLED' ? 'cancelled' : 'failed'}: ${why}`, status }] };
    });
    return { job: result.job, retryAt, userErrors: result.userErrors };
  }

  // ---- the queue as operators see it

  async view(): Promise<QueueView> {
    const [flags, counts, oldest] = await Promise.all([this.queue.flags(), this.queue.counts(), this.queue.oldestWaitingSince()]);
    return {
      paused: flags.paused,
      maintenance: flags.maintenance,
      ready: counts.ready,
      delayed: counts.delayed,
      leased: counts.leased,
      oldestWaitingSeconds: oldest === null ? null : Math.max(0, (this.clock().getTime() - oldest) / 1000),
    };
  }

  /** Jobs per status from Mongo ($group with $sum only: DESIGN.md rule 5). */
  async countsByStatus(): Promise<Array<{ status: JobStatus; count: number }>> {
    const rows = await this.models.Job.aggregate<{ _id: JobStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    const byStatus = new Map(rows.map((r) => [r._id, r.n]));
    return ALL_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
  }

  /** Waiting jobs in claim order. Claim order moves as workers take jobs, so a cursor is a position in it. */
  async jobsInClaimOrder(args: { operations?: readonly JobOperation[] | null; first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<JobRecord>> {
    const first = pageSize(args.first);
    const offset = args.after ? decodeCursor(args.after, ['number'])[0] : 0;
    if (!Number.isInteger(offset) || offset < 0) throw badInput('after: not a cursor from this connection');
    const totalCount = lazyCount(() => this.queue.counts().then((c) => c.ready + c.delayed), opts.countNow);
    const peeked = await this.queue.peek({ operations: args.operations ?? undefined, offset, limit: first + 1 });
    const jobs = (await this.jobs.byIds(peeked.map((j) => j.id))).filter((j): j is JobRecord => j !== null);
    const connection = toConnection(jobs, first, args.after, () => '', totalCount);
    connection.edges.forEach((edge, i) => (edge.cursor = encodeCursor([offset + i + 1])));
    connection.pageInfo.startCursor = connection.edges[0]?.cursor ?? null;
    connection.pageInfo.endCursor = connection.edges.at(-1)?.cursor ?? null;
    return connection;
  }

  /** Told when the queue is paused or resumed. */
  onSwitch(listener: () => void): void {
    this.switchListeners.push(listener);
  }

  async setPaused(paused: boolean, actor: string): Promise<QueueView> {
    await this.models.Setting.updateOne({ _id: 'queue' }, { $set: { paused, updatedBy: actor, updatedAt: this.clock() } }, { upsert: true });
    await this.queue.setPaused(paused);
    for (const l of this.switchListeners) l();
    return this.view();
  }

  /** Cancels every waiting job (their history stays); returns how many. */
  async clear(reason: string | null | undefined, actor: string): Promise<number> {
    const ids = await this.queue.clear();
    let cancelled = 0;
    for (const id of ids) {
      const r = await this.jobs.cancel(id, reason ?? 'queue cleared', actor);
      if (r.userErrors.length === 0 && r.job?.status === 'CANCELLED') cancelled++;
    }
    return cancelled;
  }

  /** The maintenance switch as the claim script reads it (one Redis read; view() also counts the queue). */
  isMaintenance(): Promise<boolean> {
    return this.queue.isMaintenance();
  }

  setMaintenance(on: boolean): Promise<void> {
    return this.queue.setMaintenance(on);
  }
}


function checkProgressInput(input: { progress?: number | null; message?: string | null }): UserError | null {
  const progress = progressError(input.progress);
  if (progress) return progress;
  if (input.message && input.message.length > 10_000) return userError('INVALID_PARAMETERS', 'message: at most 10000 characters', ['input', 'message']);
  return null;
}

