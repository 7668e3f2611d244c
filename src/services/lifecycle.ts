import { randomUUID } from 'node:crypto';
import { mongo, Types } from 'mongoose';
import type { QueueConfig } from '../config.js';
import type { JobCreateInput, JobOperation, JobStatus, JobUpdateInput } from '../generated/graphql.js';
import type { Logger } from '../logger.js';
import { isDuplicateKey, type Models } from '../models/index.js';
import type { JobLogRecord, JobRecord } from '../models/job.js';
import { outboxEntry, QueueResetError, type ChangeInput, type FlowPolicy, type ChangeResult, type ClaimRefusal, type FinishResult, type PendingEvent, type QueueJob, type RedisQueue } from '../queue/index.js';
import { currentTraceparent, inClientSpan, mongoSpan } from '../observability/tracing.js';
import { parseObjectId } from './byIds.js';
import type { CapService } from './caps.js';
import type { EventService, JobEventView } from './events.js';
import { ACTIVE_STATUSES, allowedFrom, checkTransition, DEFAULT_MAX_ATTEMPTS, isTerminal, LEASE_FIELDS, RUNNING_STATUSES, validateJobCreate, type ValidJobInput } from './jobRules.js';
import type { JobService } from './jobs.js';
import type { JobWrite, JobWriter } from './jobWriter.js';
import type { MaintenanceService } from './maintenance.js';
import type { TargetService } from './targets.js';
import { userError, type UserError } from './userErrors.js';
import { progressError, workerIdError, type WorkerService } from './workers.js';

/**
 * The job lifecycle: every change of a job, one function each, read top to
 * bottom. Each one
 *   1. decides in Redis (RedisQueue: one Lua script, fencing token checked,
 *      the job's sequence number raised, the job's hot state returned),
 *   2. records that state in MongoDB (JobWriter: batched, a write older than
 *      the stored sequence is a no-op),
 *   3. tells the queue what it must still know (a new job is enqueued),
 *   4. publishes the event,
 * called explicitly in that order. Nothing here takes a lock: races are
 * decided by the scripts (and, at creation, by the unique in-progress index).
 * When Redis lost its data, every decision waits until the queue was restored
 * from MongoDB (restore), so a live lease is never handed to a second worker.
 */

export const MAX_BATCH = 1000;
const MONGO_INSERT = mongoSpan('insertMany', 'jobs');
/** Most jobs one jobClaim may take. */
export const MAX_CLAIM = 100;
/** Added to a job's stored sequence when the queue is rebuilt from MongoDB, so decisions after a loss outrank any write still in flight from before. */
const SEQ_JUMP = 1_000_000;
/**
 * Copies of job documents this instance keeps (created or leased through it), so that a claim or a report
 * needs no read: a copy is used only while the job's sequence shows no other decision came between.
 */
const HELD_MAX = 10_000;
/** Larger payloads (JSON text) are not kept in memory. */
const HELD_MAX_PAYLOAD = 16 * 1024;

export interface JobCreateResult {
  index: number;
  job: JobRecord | null;
  error: UserError | null;
  existingJob: JobRecord | null;
}

export interface CreateOptions {
  /** A flow's children (flowCreate): linked to the flow's final job. */
  parent?: Types.ObjectId;
  /** Runs after the insert, before the created jobs are enqueued (a flow's final job is made ready for them). */
  beforeEnqueue?: (created: JobRecord[]) => Promise<void>;
  /** Ids for the items (a schedule's: one per scheduled time, so a second insert of the same time is a duplicate). */
  ids?: Types.ObjectId[];
  /** The first log line instead of "created". */
  note?: string;
}

export interface JobResult {
  job: JobRecord | null;
  userErrors: UserError[];
}

export interface LeaseView {
  job: JobRecord;
  token: string;
  expiresAt: Date;
  attempt: number;
}

export interface ClaimNextInput {
  workerId: string;
  operations: readonly JobOperation[];
}

type FinishOk = Extract<FinishResult, { ok: true }>;

/** jobReportProgress's answer; `job` null with a `jobId`: not at hand, read when the field is asked for. */
export interface ProgressPayload {
  job: JobRecord | null;
  jobId: string | null;
  leaseExpiresAt: Date | null;
  cancelRequested: boolean;
  userErrors: UserError[];
}

export interface LifecycleDeps {
  models: Models;
  /** Reading jobs (the lifecycle reads through it, never around it). */
  jobs: JobService;
  queue: RedisQueue;
  writer: JobWriter;
  targets: TargetService;
  events: EventService;
  maintenance: MaintenanceService;
  workers: WorkerService;
  /** Concurrency caps: copied to Redis with the other switches. */
  caps: CapService;
  cfg: QueueConfig;
  bumpEnabled: boolean;
  logger: Logger;
  clock: () => Date;
  /** Told of LEASE_LOST answers and reaped leases (metrics: src/observability). */
  observe?: { leaseLost(): void; leasesExpired(n: number): void };
}

const LEASE_LOST = (): UserError => userError('LEASE_LOST', 'the lease on this job is no longer yours: stop working on it', ['input', 'leaseToken']);
const NOT_FOUND = (): UserError => userError('NOT_FOUND', 'no job with this id', ['input', 'id']);

export class JobLifecycle {
  private readonly models: Models;
  private readonly queue: RedisQueue;
  private readonly writer: JobWriter;
  private readonly clock: () => Date;
  /** Documents of jobs leased through this instance, kept current by its own writes (events of worker reports need no read). */
  private readonly held = new Map<string, JobRecord>();
  private restoring: Promise<void> | undefined;
  /** Ended jobs (id → the tombstone's sequence) whose end MongoDB did not show in the last reconcile pass. */
  private unrecordedEnds = new Map<string, number>();

  constructor(private readonly d: LifecycleDeps) {
    this.models = d.models;
    this.queue = d.queue;
    this.writer = d.writer;
    this.clock = d.clock;
  }

  /** The LEASE_LOST answer, counted. */
  private leaseLost(): UserError {
    this.d.observe?.leaseLost();
    return LEASE_LOST();
  }

  // ---- create

  async create(items: JobCreateInput[], actor: string, opts: CreateOptions = {}): Promise<{ results: JobCreateResult[]; jobs: JobRecord[]; userErrors: UserError[] }> {
    if (items.length === 0 || items.length > MAX_BATCH) {
      return { results: [], jobs: [], userErrors: [userError('INVALID_BATCH', `a batch holds 1 to ${MAX_BATCH} items`, ['input', 'items'])] };
    }
    const now = this.clock();
    const results: JobCreateResult[] = items.map((_, index) => ({ index, job: null, error: null, existingJob: null }));
    const pending: Array<{ index: number; doc: JobRecord; note?: string }> = [];
    items.forEach((item, index) => {
      const v = validateJobCreate(item, ['input', 'items', index], this.d.bumpEnabled);
      if (v.ok) pending.push({ index, doc: withOptions(newJob(v.value, actor, now), opts, index), note: opts.note });
      else results[index]!.error = v.errors[0]!;
    });
    // Record: the unique in-progress index decides duplicates (one insertMany per batch).
    const created = await this.insertGuarded(pending, results);
    await opts.beforeEnqueue?.(created);
    if (created.length === 0) return { results, jobs: [], userErrors: [] };
    await this.d.targets.recordCreated(created, actor, now);
    for (const job of created) this.hold(job);
    // Tell the queue, then publish: sent together on one connection, so in order and in one round trip.
    await Promise.all([this.enqueue(created), this.d.events.publishJobs(created.map((job) => ({ kind: 'CREATED', job, previousStatus: null, at: now })))]);
    return { results, jobs: created, userErrors: [] };
  }

  // ---- claim (and claim-next)

  async claim(input: { workerId: string; operations: readonly JobOperation[]; waitSeconds?: number | null; maxJobs?: number | null }, signal?: AbortSignal) {
    const errors: UserError[] = [];
    const idError = workerIdError(input.workerId);
    if (idError) errors.push(idError);
    if (input.operations.length === 0) errors.push(userError('INVALID_PARAMETERS', 'give at least one operation', ['input', 'operations']));
    const wait = input.waitSeconds ?? 0;
    if (!Number.isInteger(wait) || wait < 0 || wait > this.d.cfg.claimMaxWaitSeconds) {
      errors.push(userError('INVALID_PARAMETERS', `waitSeconds: 0 to ${this.d.cfg.claimMaxWaitSeconds}`, ['input', 'waitSeconds']));
    }
    const max = input.maxJobs ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > MAX_CLAIM) errors.push(userError('INVALID_PARAMETERS', `maxJobs: 1 to ${MAX_CLAIM}`, ['input', 'maxJobs']));
    if (errors.length) return { lease: null, leases: [], reason: null, userErrors: errors };

    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const { leases, reason } = await this.claimNow(input.workerId, input.operations, max);
      if (leases.length > 0) return { lease: leases[0]!, leases, reason: null, userErrors: [] };
      const remaining = deadline - Date.now();
      if (reason !== 'EMPTY' || remaining <= 0 || signal?.aborted) return { lease: null, leases: [], reason, userErrors: [] };
      // Long poll: woken by an enqueue on any instance (Redis pub/sub), not by polling.
      await this.queue.waitForWork(input.operations, remaining, signal);
      if (signal?.aborted) return { lease: null, leases: [], reason, userErrors: [] };
    }
  }

  /** Decide (claim script), record (one batched write per job, then one read of their documents), publish and hand out. */
  private async claimNow(workerId: string, operations: readonly JobOperation[], max: number): Promise<{ leases: LeaseView[]; reason: ClaimRefusal | null }> {
    const claimed = await this.decide(() => this.queue.claim({ workerId, operations, max, leaseMs: this.d.cfg.leaseMs }));
    if (claimed.reason !== null) return { leases: [], reason: claimed.reason };
    const recorded = await this.recordClaims(workerId, claimed.jobs, this.clock());
    const epochNow = await this.publishReadingEpoch(recorded.events);
    return { leases: this.handOut(claimed.epoch, recorded.leases, epochNow), reason: null };
  }

  /** Records claimed jobs (one batched write each, then one read of their documents); their events are returned, not yet published. */
  private async recordClaims(workerId: string, jobs: QueueJob[], at: Date): Promise<{ leases: LeaseView[]; events: JobEventView[] }> {
    const all: JobWrite[] = jobs.map((q) => ({
      ...this.recordOf(q, at),
      log: [{ at, actor: workerId, message: `claimed (attempt ${q.attempt} of ${q.maxAttempts})`, status: 'INITIATED' as const }],
    }));
    const written = await this.writer.writeAll(all);
    const writes = all.filter((_, i) => written[i]!.status === 'fulfilled');
    const recorded = jobs.filter((q, i) => {
      const r = written[i]!;
      // Not recorded: the job is not handed out; its lease runs out and the reaper requeues it.
      if (r.status === 'rejected') this.d.logger.error({ err: r.reason, jobId: q.id }, 'claim not recorded');
      return r.status === 'fulfilled';
    });
    // The copies this instance holds (it created them, say) are current when no other decision came between.
    const current = new Map(recorded.flatMap((q, i) => {
      const held = this.heldBefore(q.id, q.seq);
      return held ? [[q.id, applied(held, writes[i]!)] as const] : [];
    }));
    const docs = await this.readMany(recorded.filter((q) => !current.has(q.id)).map((q) => q.id));
    const leases: LeaseView[] = [];
    const events: JobEventView[] = [];
    for (const q of recorded) {
      const job = current.get(q.id) ?? docs.get(q.id);
      if (!job || isTerminal(job.status)) {
        this.d.logger.error({ jobId: q.id, status: job?.status }, 'claimed job missing or ended in MongoDB; not handed out');
        continue;
      }
      leases.push({ job, token: q.token!, expiresAt: new Date(q.leaseExpiresAt!), attempt: q.attempt });
      events.push({ kind: 'STATUS_CHANGED', job: asDecided(job, q.status), previousStatus: 'QUEUED', at, outbox: outboxEntry(q.id, q.seq) });
    }
    return { leases, events };
  }

  /**
   * Publishes events and, in the same round trip, reads the epoch marker. A claim whose epoch is no longer
   * the marker's is not handed out: Redis lost its data since it was decided, and the queue was rebuilt from
   * MongoDB meanwhile without it (its lease runs out and the job is requeued).
   */
  private async publishReadingEpoch(events: JobEventView[]): Promise<string | null> {
    const [, epoch] = await Promise.all([this.d.events.publishJobs(events), this.queue.epoch()]);
    return epoch;
  }

  /** The recorded leases, if the epoch they were claimed in still holds. */
  private handOut(claimedIn: string, leases: LeaseView[], epochNow: string | null): LeaseView[] {
    if (epochNow !== claimedIn) {
      if (leases.length) this.d.logger.warn({ jobs: leases.length }, 'Redis lost its data while jobs were being claimed: not handed out');
      return [];
    }
    for (const { job } of leases) this.hold(job);
    return leases;
  }

  /** The claimNext input's problem, if any (checked before anything is decided). */
  private claimNextError(next: ClaimNextInput | null | undefined): UserError | null {
    if (!next) return null;
    const problem = workerIdError(next.workerId) ?? (next.operations.length === 0 ? userError('INVALID_PARAMETERS', 'give at least one operation', ['input', 'operations']) : null);
    return problem && { ...problem, field: ['input', 'claimNext', ...(problem.field?.slice(1) ?? [])] };
  }

  /**
   * A finish (complete or fail) with, optionally, the next claim: both scripts go out together (one round
   * trip), both writes join one batch, and all their events are published in one round trip that also checks
   * the epoch marker. If Redis lost its data since the finish was decided, the rebuilt queue may hold the
   * job's lease again (MongoDB was read before this write landed): the job is ended there once more.
   */
  private async finishAndClaim(
    input: { id: string; leaseToken: string; claimNext?: ClaimNextInput | null },
    outcome: { outcome: 'complete' } | { outcome: 'fail'; retryable: boolean },
    record: (r: FinishOk, at: Date) => { log: JobLogRecord[]; set: Partial<JobRecord> },
  ): Promise<{ r: FinishResult; job: JobRecord | null; next: LeaseView | null; nextReason: ClaimRefusal | null }> {
    const next = input.claimNext;
    const [r, claimed] = await Promise.all([
      this.decide(() => this.queue.finish(input.id, input.leaseToken, outcome)),
      next ? this.decide(() => this.queue.claim({ workerId: next.workerId, operations: next.operations, max: 1, leaseMs: this.d.cfg.leaseMs })) : null,
    ]);
    const at = this.clock();
    const [finished, recorded] = await Promise.all([
      r.ok ? this.recordFinish(r, at, record(r, at)) : null,
      claimed?.reason === null ? this.recordClaims(next!.workerId, claimed.jobs, at) : null,
    ]);
    const epochNow = await this.publishReadingEpoch([...(finished ? [finished.event] : []), ...(recorded?.events ?? [])]);
    const handed = recorded && claimed?.reason === null ? this.handOut(claimed.epoch, recorded.leases, epochNow) : [];
    if (r.ok && finished) {
      if (epochNow !== r.epoch) await this.endAgain(r.job, at);
      await this.recordBump(finished.event.job, at);
      if (r.maintenance && r.leasesLeft === 0) await this.d.events.publishMaintenance();
      await this.flowChildrenEnded([finished.event.job]);
    }
    return {
      r,
      job: finished?.event.job ?? null,
      next: handed[0] ?? null,
      nextReason: !next || handed[0] ? null : (claimed?.reason ?? 'EMPTY'),
    };
  }

  /** A finished job the rebuilt queue may hold as running again: ended there once more (its worker is done with it). */
  private async endAgain(q: QueueJob, at: Date): Promise<void> {
    if (q.state !== 'ended') return; // a retry went back to the queue: a restored lease of it just runs out
    const r = await this.change(q.id, { kind: 'status', status: q.status, terminal: true, allowedFrom: ACTIVE_STATUSES });
    if (!r || r.code !== 'OK') return;
    this.d.logger.warn({ jobId: q.id }, 'Redis lost its data as the job ended: ended again in the rebuilt queue');
    await this.record({ ...this.recordOf(r.job, at), log: [{ at, actor: 'system', message: `${q.status} again after Redis lost its data` }] }, r.previousStatus);
  }

  // ---- the lease holder's calls: progress, complete, fail

  async progress(input: { id: string; leaseToken: string; status?: JobStatus | null; progress?: number | null; message?: string | null }, actor: string): Promise<ProgressPayload> {
    const none = { job: null, jobId: null, leaseExpiresAt: null, cancelRequested: false };
    const message = input.message?.trim() || null;
    const problem =
      progressError(input.progress) ??
      (input.message && input.message.length > 10_000 ? userError('INVALID_PARAMETERS', 'message: at most 10000 characters', ['input', 'message']) : null) ??
      (input.status && isTerminal(input.status) ? userError('INVALID_TRANSITION', 'finish with jobComplete or jobFail', ['input', 'status']) : null);
    if (problem) return { ...none, userErrors: [problem] };
    if (!parseObjectId(input.id)) return { ...none, userErrors: [this.leaseLost()] };

    const to = input.status ?? null;
    const r = await this.decide(() =>
      this.queue.extend(input.id, input.leaseToken, { status: to, allowedFrom: to ? allowedFrom(to) : [], progress: input.progress, message: Boolean(message), leaseMs: this.d.cfg.leaseMs }),
    );
    if (!r.ok && r.code === 'LEASE_LOST') return { ...none, userErrors: [this.leaseLost()] };
    if (!r.ok) return { ...none, userErrors: [checkTransition(r.status as JobStatus, to!)!] };
    const q = r.job;
    const at = this.clock();
    const answer = { jobId: input.id, leaseExpiresAt: new Date(q.leaseExpiresAt!), cancelRequested: q.cancelRequested, userErrors: [] };
    // Nothing written: the job is read only if the caller asks for it (see ProgressPayload).
    if (!r.write) return { ...answer, job: this.overlay(q) };

    const previous = r.previousStatus as JobStatus;
    const moved = previous !== q.status;
    const log: JobLogRecord[] = [];
    if (moved) log.push({ at, actor, message: `status ${previous} → ${q.status}`, status: q.status as JobStatus });
    if (message && r.keepMessage) log.push({ at, actor, message });
    const write = { ...this.recordOf(q, at), log };
    await this.writer.write(write);
    const job = await this.after(write);
    await this.d.events.publishJobs([{ kind: moved ? 'STATUS_CHANGED' : 'UPDATED', job: asDecided(job, q.status), previousStatus: moved ? previous : null, at, ...(moved ? { outbox: outboxEntry(q.id, q.seq) } : {}) }]);
    return { ...answer, job };
  }

  async complete(input: { id: string; leaseToken: string; message?: string | null; claimNext?: ClaimNextInput | null }, actor: string) {
    const problem = this.claimNextError(input.claimNext);
    if (problem) return { job: null, next: null, nextReason: null, userErrors: [problem] };
    if (!parseObjectId(input.id)) return { job: null, next: null, nextReason: null, userErrors: [this.leaseLost()] };
    const message = input.message?.trim().slice(0, 10_000) || 'completed';
    const { r, job, next, nextReason } = await this.finishAndClaim(input, { outcome: 'complete' }, (_r, at) => ({ log: [{ at, actor, message, status: 'COMPLETED' }], set: {} }));
    return { job, next, nextReason, userErrors: r.ok ? [] : [this.leaseLost()] };
  }

  async fail(input: { id: string; leaseToken: string; reason: string; retryable?: boolean | null; claimNext?: ClaimNextInput | null }, actor: string) {
    const reason = input.reason.trim().slice(0, 10_000);
    const problem = reason ? this.claimNextError(input.claimNext) : userError('INVALID_PARAMETERS', 'reason must not be empty', ['input', 'reason']);
    if (problem) return { job: null, retryAt: null, next: null, nextReason: null, userErrors: [problem] };
    if (!parseObjectId(input.id)) return { job: null, retryAt: null, next: null, nextReason: null, userErrors: [this.leaseLost()] };
    const { r, job, next, nextReason } = await this.finishAndClaim(input, { outcome: 'fail', retryable: input.retryable ?? true }, (r, at) => {
      const q = r.job;
      if (r.outcome === 'RETRY_SCHEDULED') {
        return { log: [{ at, actor, message: `attempt ${q.attempt} of ${q.maxAttempts} failed: ${reason}; retry at ${new Date(r.runAt!).toISOString()}`, status: 'QUEUED' }], set: { failureReason: reason } };
      }
      const why = r.outcome === 'EXHAUSTED' ? `${reason} (after ${q.attempt} attempts)` : reason;
      return { log: [{ at, actor, message: `${q.status === 'CANCELLED' ? 'cancelled' : 'failed'}: ${why}`, status: q.status as JobStatus }], set: { failureReason: why } };
    });
    const retryAt = r.ok && r.runAt !== null ? new Date(r.runAt) : null;
    return { job, retryAt, next, nextReason, userErrors: r.ok ? [] : [this.leaseLost()] };
  }

  /** Records the end of an attempt; its event is returned, not yet published. The job leaves this instance's held documents. */
  private async recordFinish(r: FinishOk, at: Date, change: { log: JobLogRecord[]; set: Partial<JobRecord> }): Promise<{ event: JobEventView }> {
    const base = this.recordOf(r.job, at);
    const write = { ...base, set: { ...base.set, ...change.set }, log: change.log };
    await this.writer.write(write);
    const job = await this.after(write);
    this.held.delete(r.job.id);
    return { event: { kind: 'STATUS_CHANGED', job: asDecided(job, r.job.status), previousStatus: r.previousStatus as JobStatus, at, outbox: outboxEntry(r.job.id, r.job.seq) } };
  }

  // ---- operators: update, cancel, retry

  async update(input: JobUpdateInput, actor: string): Promise<JobResult> {
    const errors: UserError[] = [];
    const description = input.description?.trim();
    const message = input.logMessage?.trim();
    if (input.status == null && input.description == null && input.logMessage == null) {
      errors.push(userError('INVALID_PARAMETERS', 'give at least one of status, description, logMessage', ['input']));
    }
    if (input.description != null && (!description || description.length > 10_000)) errors.push(userError('INVALID_PARAMETERS', 'description: 1 to 10000 characters', ['input', 'description']));
    if (input.logMessage != null && (!message || message.length > 10_000)) errors.push(userError('INVALID_PARAMETERS', 'logMessage: 1 to 10000 characters', ['input', 'logMessage']));
    if (errors.length) return { job: null, userErrors: errors };

    const to = input.status ?? null;
    const change: ChangeInput = to ? { kind: 'status', status: to, terminal: isTerminal(to), allowedFrom: allowedFrom(to) } : { kind: 'note', allowedFrom: ACTIVE_STATUSES };
    const r = await this.change(input.id, change);
    if (!r) return { job: null, userErrors: [NOT_FOUND()] };
    if (r.code === 'INVALID_TRANSITION' || r.code === 'ALREADY_RETRIED') return { job: null, userErrors: [checkTransition(r.job.status as JobStatus, to ?? (r.job.status as JobStatus))!] };
    const at = this.clock();
    const previous = r.previousStatus;
    const log: JobLogRecord[] = [];
    if (to && previous !== to) log.push({ at, actor, message: `status ${previous} → ${to}`, status: to });
    if (description !== undefined) log.push({ at, actor, message: 'description changed' });
    if (message) log.push({ at, actor, message });
    const base = this.recordOf(r.job, at);
    const job = await this.record({ ...base, set: { ...base.set, ...(description !== undefined ? { description } : {}) }, log }, previous);
    return { job, userErrors: [] };
  }

  async cancel(id: string, reason: string | null | undefined, actor: string): Promise<JobResult> {
    const why = reason?.trim().slice(0, 1000);
    const r = await this.change(id, { kind: 'cancel', allowedFrom: ACTIVE_STATUSES });
    if (!r) return { job: null, userErrors: [NOT_FOUND()] };
    if (r.code !== 'OK' && r.code !== 'CANCEL_REQUESTED') return { job: null, userErrors: [userError('JOB_TERMINAL', `the job is already ${r.job.status}`, ['input', 'id'])] };
    const at = this.clock();
    // A job a worker holds is cancelled through the worker (it hears of it on its next progress report).
    const requested = r.code === 'CANCEL_REQUESTED';
    const message = requested ? (why ? `cancellation requested: ${why}` : 'cancellation requested') : why ? `cancelled: ${why}` : 'cancelled';
    const job = await this.record({ ...this.recordOf(r.job, at), log: [{ at, actor, message, ...(requested ? {} : { status: 'CANCELLED' as const }) }] }, r.previousStatus);
    // A flow's final job cancelled: its children still waiting for a worker go too.
    if (job.flow && job.status === 'CANCELLED') await this.cancelChildren(job._id, ['QUEUED'], `the flow's final job ${id} was cancelled`, actor);
    return { job, userErrors: [] };
  }

  async retry(id: string, actor: string): Promise<JobResult & { retriedJob: JobRecord | null }> {
    const old = await this.read(id);
    if (!old) return { job: null, retriedJob: null, userErrors: [NOT_FOUND()] };
    if (old.operation === 'BUMP' && !this.d.bumpEnabled) {
      return { job: null, retriedJob: old, userErrors: [userError('BUMP_DISABLED', 'datastore bumps are disabled by configuration', ['input', 'id'])] };
    }
    const now = this.clock();
    const doc = newJob({ input: retryInput(old), payloadJson: old.payload ?? null }, actor, now, old._id);
    // Decide: only one retry per job, and only of an ended one.
    const r = await this.change(id, { kind: 'retriedBy', retriedBy: doc._id.toHexString(), allowedFrom: ['FAILED', 'CANCELLED'] });
    if (!r) return { job: null, retriedJob: null, userErrors: [NOT_FOUND()] };
    if (r.code === 'INVALID_TRANSITION') {
      return { job: null, retriedJob: old, userErrors: [userError('NOT_RETRYABLE', `only FAILED or CANCELLED jobs can be retried; this one is ${r.job.status}`, ['input', 'id'])] };
    }
    if (r.code === 'ALREADY_RETRIED') return { job: null, retriedJob: old, userErrors: [userError('NOT_RETRYABLE', `already retried as ${r.job.retriedBy}`, ['input', 'id'])] };
    // Record: the new job (the in-progress guard may refuse it), then the old one's link.
    const results: JobCreateResult[] = [{ index: 0, job: null, error: null, existingJob: null }];
    const [created] = await this.insertGuarded([{ index: 0, doc }], results);
    if (!created) {
      await this.queue.unmarkRetried(id);
      const res = results[0]!;
      return { job: res.existingJob, retriedJob: old, userErrors: [{ ...res.error!, field: ['input', 'id'] }] };
    }
    await this.d.targets.recordCreated([created], actor, now);
    const base = this.recordOf(r.job, now);
    const link: JobWrite = { ...base, set: { ...base.set, retriedBy: created._id }, log: [{ at: now, actor, message: `retried as ${created._id.toHexString()}` }] };
    await this.writer.write(link);
    // The new job is queued and told first, then the old one's link.
    await Promise.all([this.enqueue([created]), this.d.events.publishJobs([{ kind: 'CREATED', job: created, previousStatus: null, at: now }])]);
    const retriedJob = await this.announce(link, r.previousStatus);
    return { job: created, retriedJob, userErrors: [] };
  }

  /** Cancels every waiting job (queueClear; their history stays), a page of the queue at a time; returns how many. */
  async cancelWaiting(reason: string | null | undefined, actor: string): Promise<number> {
    let cancelled = 0;
    for (;;) {
      const page = await this.queue.peek({ limit: MAX_CLAIM });
      if (page.length === 0) return cancelled;
      const results = await Promise.all(page.map((q) => this.cancel(q.id, reason ?? 'queue cleared', actor)));
      const done = results.filter((r) => r.job?.status === 'CANCELLED').length;
      cancelled += done;
      if (done === 0) return cancelled; // nothing on this page could be cancelled: stop rather than spin
    }
  }

  // ---- the system: reap, time limit, reconcile, restore

  /** Requeues (or ends) jobs whose lease expired, up to `limit`; every one is recorded with its own log line. Returns how many. */
  async reap(limit = 100): Promise<number> {
    // What MongoDB holds of the expired leases is read before the decision, so that the records go out right
    // after it: a requeued job can be claimed at once (its due time wakes long polls), and a claim recorded
    // before this requeue would make the requeue's record (and its log line) an older write, applied to nothing.
    const due = await this.queue.expiredLeases(limit);
    if (due.length === 0) return 0;
    const before = await this.readMany(due);
    const reaped = await this.decide(() => this.queue.reap(limit));
    if (reaped.length === 0) return 0;
    // A lease that expired between the read and the decision is read now.
    const unread = reaped.filter((r) => !before.has(r.id)).map((r) => r.id);
    if (unread.length) for (const [id, doc] of await this.readMany(unread)) before.set(id, doc);
    this.d.observe?.leasesExpired(reaped.length);
    const at = this.clock();
    const writes: JobWrite[] = reaped.map(({ job: q, outcome, runAt, workerId }) => {
      const who = `worker ${workerId}, attempt ${q.attempt} of ${q.maxAttempts}`;
      const base = this.recordOf(q, at);
      if (outcome === 'REQUEUED') return { ...base, log: [{ at, actor: 'system', message: `lease expired (${who}); retry at ${new Date(runAt!).toISOString()}`, status: 'QUEUED' }] };
      if (outcome === 'CANCELLED') return { ...base, log: [{ at, actor: 'system', message: `cancelled: lease expired after cancellation was requested (${who})`, status: 'CANCELLED' }] };
      const failureReason = `lease expired on the last attempt (${who})`;
      return { ...base, set: { ...base.set, failureReason }, log: [{ at, actor: 'system', message: `failed: ${failureReason}`, status: 'FAILED' }] };
    });
    // A claim whose record never reached MongoDB (its instance died after the claim script, or the write
    // failed and the lease was not handed out) is recorded now, from the queue, so the log accounts for every attempt.
    reaped.forEach(({ job: q, workerId }, i) => {
      const attempts = before.get(q.id)?.attempts;
      if (attempts === undefined || attempts >= q.attempt || q.leasedAt === null) return;
      const claim: JobLogRecord = { at: new Date(q.leasedAt), actor: workerId, message: `claimed (attempt ${q.attempt} of ${q.maxAttempts})`, status: 'INITIATED' };
      writes[i]!.log = [claim, ...(writes[i]!.log ?? [])];
    });
    // Each job's write stands alone: one that fails is logged (the reconciler repairs it), the others go on.
    const settled = await this.writer.writeAll(writes);
    const events: JobEventView[] = [];
    reaped.forEach((r, i) => {
      this.held.delete(r.id);
      const doc = before.get(r.id);
      if (settled[i]!.status === 'rejected') this.d.logger.error({ err: (settled[i] as PromiseRejectedResult).reason, jobId: r.id }, 'reaped job not recorded');
      else if (doc) events.push({ kind: 'STATUS_CHANGED', job: applied(doc, writes[i]!), previousStatus: r.previousStatus as JobStatus, at, outbox: outboxEntry(r.id, r.job.seq) });
    });
    await this.d.events.publishJobs(events);
    await this.runningEnded();
    await this.flowChildrenEnded(events.map((e) => e.job));
    return reaped.length;
  }

  /** Fails a running job past the time limit; its worker's next call gets LEASE_LOST. */
  async timeLimit(id: string): Promise<boolean> {
    const r = await this.change(id, { kind: 'status', status: 'FAILED', terminal: true, allowedFrom: RUNNING_STATUSES });
    if (!r || r.code !== 'OK') return false;
    const at = this.clock();
    const failureReason = `time limit of ${this.d.cfg.jobTimeLimitMs / 1000} s exceeded`;
    const base = this.recordOf(r.job, at);
    await this.record({ ...base, set: { ...base.set, failureReason }, log: [{ at, actor: 'system', message: `failed: ${failureReason}`, status: 'FAILED' }] }, r.previousStatus);
    this.held.delete(id);
    await this.runningEnded();
    return true;
  }

  /**
   * One reconciliation pass: the switches copied from MongoDB to Redis, every
   * active job MongoDB holds given back to the queue if Redis lacks it (a crash
   * between insert and enqueue, a lost Redis), a job whose end MongoDB missed
   * recorded from the queue's tombstone, and running jobs past the time limit failed.
   */
  async reconcile(): Promise<{ enqueued: number; repaired: number; timedOut: number }> {
    await this.checkQueue();
    await this.syncSwitches();
    // Read before MongoDB: a copy read in an epoch that has ended since is not applied (see hydrate).
    const epoch = await this.queue.epoch();
    const active = await this.models.Job.find({ status: { $in: [...ACTIVE_STATUSES] } }, HYDRATE_FIELDS).sort({ _id: 1 }).lean<HydrateFields[]>();
    const known = await this.queue.ids();
    const suspects = new Map<string, number>();
    let enqueued = 0;
    let repaired = 0;
    let timedOut = 0;
    const now = this.clock().getTime();
    for (const doc of active) {
      const id = doc._id.toHexString();
      if (RUNNING_STATUSES.includes(doc.status) && doc.startedAt && now - doc.startedAt.getTime() > this.d.cfg.jobTimeLimitMs) {
        if (await this.timeLimit(id)) timedOut++;
        continue;
      }
      if (known.has(id)) continue;
      const hydrated = await this.queue.hydrate({ ...this.hydrateOf(doc, SEQ_JUMP), epoch });
      if (hydrated.code === 'EPOCH_CHANGED') break; // Redis lost its data during this pass: the restore took over
      if (hydrated.code === 'OK') {
        enqueued++;
        continue;
      }
      // The queue knows it but holds it in no set: it ended (a tombstone) and MongoDB has not recorded that.
      // Its record may still be on its way (`active` was read before the end): only a later pass that still
      // misses it repairs it, else both records land (merged in one batch, both log lines kept).
      const q = await this.queue.job(id);
      if (q && q.state === 'ended' && q.seq > (doc.seq ?? 0)) {
        if (this.unrecordedEnds.get(id) !== q.seq) {
          suspects.set(id, q.seq);
          continue;
        }
        await this.record({ ...this.recordOf(q, this.clock()), log: [{ at: this.clock(), actor: 'system', message: `recorded ${q.status} (the first record of it was lost)`, status: q.status as JobStatus }] }, doc.status);
        repaired++;
      }
    }
    this.unrecordedEnds = suspects;
    repaired += await this.reconcileFlows();
    // The running counts the caps read are derived from the leases: any drift is repaired here.
    const recounted = await this.queue.recountRunning();
    if (recounted) this.d.logger.warn({ operations: recounted }, 'reconciler repaired running counts');
    if (enqueued || repaired || timedOut) this.d.logger.warn({ enqueued, repaired, timedOut }, 'reconciler repaired the queue');
    return { enqueued, repaired, timedOut };
  }

  /**
   * The event relay: publishes status changes whose deciding instance did not within EVENT_RELAY_GRACE_MS (it
   * died, or hangs, between the decision and the publish). A change MongoDB lacks (the instance died before
   * recording it) is recorded first, from the queue, while the queue still holds the job at that decision;
   * otherwise its record (or a later one) is awaited for up to four grace periods, then what MongoDB holds is
   * sent. The event is the job as recorded, with the change's statuses and its decision's time; the outbox
   * script lets exactly one instance send it (lua/announce.lua). Returns how many this instance sent.
   */
  async relayEvents(limit = 100): Promise<number> {
    const grace = this.d.cfg.eventRelayGraceMs;
    const { now, events: pending } = await this.queue.pendingEvents(grace, limit);
    if (pending.length === 0) return 0;
    const docs = await this.readMany([...new Set(pending.map((p) => p.id))]);
    let sent = 0;
    for (const p of pending) {
      let job = docs.get(p.id);
      if (!job) {
        await this.queue.announce(p.entry, 'drop', '', ''); // the job is gone (retention): nobody to tell
        continue;
      }
      if ((job.seq ?? 0) < p.seq) {
        const q = await this.queue.job(p.id);
        if (q && q.seq === p.seq) docs.set(p.id, (job = await this.recordLate(q, p, job)));
        else if (now - p.at < 4 * grace) continue;
      }
      const event: JobEventView = { kind: 'STATUS_CHANGED', job: asDecided(job, p.status), previousStatus: p.previousStatus as JobStatus, at: new Date(p.at) };
      if (await this.d.events.relayJob(event, p.entry)) sent++;
    }
    if (sent) this.d.logger.warn({ events: sent }, 'relayed events that their deciding instance did not publish');
    return sent;
  }

  /**
   * After this instance's subscription to Redis broke (a Redis restart, a dropped connection): the status changes
   * published within `withinMs` (lua/announce.lua keeps a minute of them), built like the relay's events, are
   * delivered to this instance's subscribers, except those that reached them already. Returns how many.
   */
  async replayRecent(withinMs: number): Promise<number> {
    const sent = await this.queue.sentEvents(withinMs, 10_000);
    if (sent.length === 0) return 0;
    const docs = await this.readMany([...new Set(sent.map((p) => p.id))]);
    const events = sent.flatMap((p): JobEventView[] => {
      const job = docs.get(p.id);
      return job ? [{ kind: 'STATUS_CHANGED', job: asDecided(job, p.status), previousStatus: p.previousStatus as JobStatus, at: new Date(p.at), outbox: p.entry }] : [];
    });
    const delivered = this.d.events.deliverLocal(events);
    if (delivered) this.d.logger.warn({ events: delivered }, 'delivered status changes missed while the event subscription was broken');
    return delivered;
  }

  /** Records a decision that its instance never recorded, from the queue's state of the job at that decision. */
  private async recordLate(q: QueueJob, p: PendingEvent, doc: JobRecord): Promise<JobRecord> {
    const at = new Date(p.at);
    const line: JobLogRecord =
      p.previousStatus === 'QUEUED' && p.status === 'INITIATED'
        ? { at, actor: q.workerId ?? 'system', message: `claimed (attempt ${q.attempt} of ${q.maxAttempts})`, status: 'INITIATED' }
        : { at, actor: 'system', message: `status ${p.previousStatus} → ${p.status} (recorded late: the instance that decided it stopped first)`, status: p.status as JobStatus };
    const write = { ...this.recordOf(q, at), log: [line] };
    await this.writer.write(write);
    return applied(doc, write);
  }

  /**
   * Rebuilds the queue from MongoDB after Redis lost its data: switches, every
   * queued job, every running job with its lease (a live lease goes back to its
   * holder, so no job runs twice; an expired one is then reaped), fencing tokens
   * kept above any issued before; then the epoch marker, after which decisions
   * resume. Runs once at a time per instance; safe on several instances at once.
   */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      await this.syncSwitches();
      const active = await this.models.Job.find({ status: { $in: [...ACTIVE_STATUSES] } }, HYDRATE_FIELDS).lean<HydrateFields[]>();
      // Copies read while the marker is missing; once another instance's restore set it, the rest is its work.
      await Promise.all(active.map((doc) => this.queue.hydrate({ ...this.hydrateOf(doc, SEQ_JUMP), epoch: null })));
      const restored = await this.queue.markRestored(this.clock().getTime() * 1000, randomUUID());
      if (restored) this.d.logger.warn({ jobs: active.length }, 'Redis had lost the queue: restored from MongoDB');
    })().finally(() => {
      this.restoring = undefined;
    });
    return this.restoring;
  }

  /** Restores the queue when Redis lost it (called when the Redis connection is ready again). */
  async checkQueue(): Promise<void> {
    if (!(await this.queue.intact())) await this.restore();
  }

  // ---- flows: children, then a final job (lua/flow.lua decides the final job exactly once)

  /**
   * A flow: the final job is inserted first (WAITING, holding its target's in-progress guard, so a duplicate
   * `then` refuses the whole flow), then the children through create (per-item results and duplicate rules);
   * before they are enqueued the final job records how many there are and is given to the queue, held in no
   * set. No child created: the final job is removed again and nothing is left.
   */
  async createFlow(input: { items: JobCreateInput[]; then: JobCreateInput; onChildFailure?: FlowPolicy | null }, actor: string) {
    const none = { finalJob: null, results: [] as JobCreateResult[], existingJob: null as JobRecord | null };
    if (input.items.length === 0 || input.items.length > MAX_BATCH) {
      return { ...none, userErrors: [userError('INVALID_BATCH', `a flow holds 1 to ${MAX_BATCH} items`, ['input', 'items'])] };
    }
    const v = validateJobCreate(input.then, ['input', 'then'], this.d.bumpEnabled);
    if (!v.ok) return { ...none, userErrors: v.errors };
    if (input.then.runAt != null) return { ...none, userErrors: [userError('INVALID_PARAMETERS', "a flow's final job runs when its children end: no runAt", ['input', 'then', 'runAt'])] };
    const now = this.clock();
    const policy = input.onChildFailure ?? 'FAIL';
    const final: JobRecord = {
      ...newJob(v.value, actor, now),
      status: 'WAITING',
      flow: { total: null, onChildFailure: policy },
    };
    const guard: JobCreateResult[] = [{ index: 0, job: null, error: null, existingJob: null }];
    // Its first line goes to the log collection like any new job's (an embedded `log` would hide the later lines).
    const note = `created as a flow's final job: runs when its children end (a failed child: ${policy})`;
    const [inserted] = await this.insertGuarded([{ index: 0, doc: final, note }], guard);
    if (!inserted) return { ...none, existingJob: guard[0]!.existingJob, userErrors: [{ ...guard[0]!.error!, field: ['input', 'then', 'target'] }] };
    const children = await this.create(input.items, actor, {
      parent: final._id,
      note: `created as a child of flow ${final._id.toHexString()}`,
      beforeEnqueue: async (created) => {
        if (created.length === 0) {
          await this.models.Job.deleteOne({ _id: final._id });
          return;
        }
        final.flow = { total: created.length, onChildFailure: policy };
        await this.models.Job.updateOne({ _id: final._id }, { $set: { flow: final.flow } });
        await this.d.targets.recordCreated([final], actor, now);
        this.hold(final);
        await Promise.all([this.enqueue([final]), this.d.events.publishJobs([{ kind: 'CREATED', job: final, previousStatus: null, at: now }])]);
      },
    });
    if (children.jobs.length === 0) {
      return { ...none, results: children.results, userErrors: [userError('NO_CHILDREN', 'no item could be created, so neither was the flow', ['input', 'items'])] };
    }
    return { finalJob: final, results: children.results, existingJob: null, userErrors: [] };
  }

  /** Ended jobs that are flow children: each counted in its flow, which may queue or fail the final job. */
  private async flowChildrenEnded(jobs: JobRecord[]): Promise<void> {
    for (const child of jobs) {
      if (!child.parent || !isTerminal(child.status)) continue;
      const final = await this.read(child.parent.toHexString());
      if (final?.flow) await this.flowStep(final, child._id.toHexString(), child.status);
    }
  }

  /** Counts one ended child in its flow (idempotent); records and publishes what the flow script decided. */
  private async flowStep(final: JobRecord, childId: string, childStatus: JobStatus): Promise<void> {
    const finalId = final._id.toHexString();
    const policy = final.flow!.onChildFailure;
    const step = { finalId, childId, childStatus, total: final.flow!.total, policy };
    let r = await this.decide(() => this.queue.flowStep(step));
    if (r.code === 'NOT_FOUND') {
      await this.queue.hydrate({ ...this.hydrateOf(final, 0), epoch: await this.queue.epoch() });
      r = await this.decide(() => this.queue.flowStep(step));
    }
    const at = this.clock();
    if (r.code === 'COUNTED') {
      // The flow moved on (its counts changed): watchers of the final job hear of it.
      await this.d.events.publishJobs([{ kind: 'UPDATED', job: final, previousStatus: null, at }]);
      return;
    }
    if (r.code !== 'RELEASED' && r.code !== 'FLOW_FAILED') return;
    const counts = `${r.ended - r.failed} completed, ${r.failed} failed or cancelled`;
    const base = this.recordOf(r.job, at);
    if (r.code === 'RELEASED') {
      await this.record({ ...base, log: [{ at, actor: 'system', message: `children ended (${counts}): queued`, status: 'QUEUED' }] }, 'WAITING');
      return;
    }
    const failureReason = `child ${childId} ended ${childStatus} (a failed child: ${policy})`;
    await this.record({ ...base, set: { ...base.set, failureReason }, log: [{ at, actor: 'system', message: `failed: ${failureReason}`, status: 'FAILED' }] }, 'WAITING');
    if (policy === 'CANCEL_REST') await this.cancelChildren(final._id, ACTIVE_STATUSES, `child ${childId} ended ${childStatus} (CANCEL_REST)`, 'system');
  }

  /** Cancels a flow's children in these statuses (running ones through their workers). */
  private async cancelChildren(finalId: Types.ObjectId, statuses: readonly JobStatus[], reason: string, actor: string): Promise<void> {
    const children = await this.models.Job.find({ parent: finalId, status: { $in: [...statuses] } }, { _id: 1 }).sort({ _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>();
    for (const c of children) await this.cancel(c._id.toHexString(), reason, actor);
  }

  /**
   * Flows whose final job still waits though the queue has not counted all of their ended children (an
   * instance died between a child's end and its flow step, or Redis lost its data): the missing ends are
   * counted now. A flow whose creation never recorded its children (its instance died) gets them counted
   * after a minute. Returns how many flows were touched.
   */
  private async reconcileFlows(): Promise<number> {
    const waiting = await this.models.Job.find({ status: 'WAITING' }).sort({ _id: 1 }).lean<JobRecord[]>();
    let touched = 0;
    for (const final of waiting) {
      if (!final.flow) continue;
      const children = await this.models.Job.find({ parent: final._id }, { _id: 1, status: 1 }).sort({ _id: 1 }).lean<Array<Pick<JobRecord, '_id' | 'status'>>>();
      if (final.flow.total === null) {
        if (this.clock().getTime() - final.createdAt.getTime() < 60_000) continue;
        final.flow = { ...final.flow, total: children.length };
        await this.models.Job.updateOne({ _id: final._id }, { $set: { flow: final.flow } });
        if (children.length === 0) {
          await this.cancel(final._id.toHexString(), 'the flow was never completed at creation (no children recorded)', 'system');
          touched++;
          continue;
        }
      }
      const ended = children.filter((c) => isTerminal(c.status));
      if (ended.length === 0 || (await this.queue.flowCounted(final._id.toHexString())) >= ended.length) continue;
      touched++;
      for (const c of ended) await this.flowStep(final, c._id.toHexString(), c.status);
    }
    return touched;
  }

  // ---- steps shared by the transitions

  /** Runs a decision; when Redis lost its data, restores the queue first and decides again. */
  private async decide<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof QueueResetError)) throw err;
      await this.restore();
      return fn();
    }
  }

  /** A change decided in Redis; a job the queue does not know is given to it from MongoDB first. Null: no such job. */
  private async change(id: string, input: ChangeInput): Promise<Exclude<ChangeResult, { code: 'NOT_FOUND' }> | null> {
    if (!parseObjectId(id)) return null;
    const r = await this.decide(() => this.queue.change(id, input));
    if (r.code !== 'NOT_FOUND') return r;
    const epoch = await this.queue.epoch();
    const doc = await this.models.Job.findOne({ _id: new Types.ObjectId(id) }, HYDRATE_FIELDS).lean<HydrateFields>();
    if (!doc) return null;
    await this.queue.hydrate({ ...this.hydrateOf(doc, 0), epoch });
    const again = await this.decide(() => this.queue.change(id, input));
    return again.code === 'NOT_FOUND' ? null : again;
  }

  /** Records an operator's or the system's change, reads the job back and publishes it. */
  private async record(write: JobWrite, previous: string): Promise<JobRecord> {
    await this.writer.write(write);
    return this.announce(write, previous);
  }

  /** Reads a recorded job back and publishes its change. */
  private async announce(write: JobWrite, previous: string): Promise<JobRecord> {
    const job = (await this.read(write.id.toHexString()))!;
    const status = write.set.status ?? job.status;
    const moved = previous !== status;
    const at = write.set.updatedAt ?? this.clock();
    const outbox = moved ? { outbox: outboxEntry(write.id.toHexString(), write.seq) } : {};
    await this.d.events.publishJobs([{ kind: moved ? 'STATUS_CHANGED' : 'UPDATED', job: asDecided(job, status), previousStatus: moved ? (previous as JobStatus) : null, at, ...outbox }]);
    if (moved) await this.recordBump(job, at);
    if (moved) await this.flowChildrenEnded([job]);
    return job;
  }

  /** Jobs stopped running outside a finish (which learns the switch from its script): while maintenance is on, "drained" may have turned on. */
  private async runningEnded(): Promise<void> {
    if ((await this.queue.flags()).maintenance) await this.d.events.publishMaintenance();
  }

  /** A DATASTORE bump that completed is the last action of every dataset its manifesto names. */
  private async recordBump(job: JobRecord, at: Date): Promise<void> {
    if (job.status === 'COMPLETED' && job.operation === 'BUMP') await this.d.targets.recordBump(job, at);
  }

  /** The MongoDB record of the queue's state of a job: its hot fields, in full, at its sequence number. */
  private recordOf(q: QueueJob, at: Date): JobWrite {
    const set: Partial<JobRecord> = { status: q.status as JobStatus, attempts: q.attempt, cancelRequested: q.cancelRequested, updatedAt: at };
    const unset: Array<keyof JobRecord> = [];
    if (q.progress !== null) set.progress = q.progress;
    if (q.workerId) set.workerId = q.workerId;
    if (q.state === 'leased') {
      set.leaseToken = q.token;
      set.leaseExpiresAt = new Date(q.leaseExpiresAt!);
      set.startedAt = new Date(q.leasedAt!);
      set.runAt = null;
    } else {
      unset.push(...LEASE_FIELDS);
    }
    if (q.state === 'ready' || q.state === 'delayed') set.runAt = new Date(q.runAt);
    if (q.state === 'ended') {
      set.finishedAt = at;
      unset.push('activeTarget');
    }
    if (q.retriedBy) set.retriedBy = new Types.ObjectId(q.retriedBy);
    return { id: new Types.ObjectId(q.id), seq: q.seq, set, unset };
  }

  /**
   * This instance's copy of a job, if it is current for a decision at sequence `seq`: the copy is at
   * `seq - 1`, so no other decision (on any instance) came between. Otherwise nothing: read MongoDB.
   */
  private heldBefore(id: string, seq: number): JobRecord | undefined {
    const held = this.held.get(id);
    if (held && held.seq === seq - 1) return held;
    if (held) this.held.delete(id);
    return undefined;
  }

  /** The job after a write: the held copy with the write applied when it is current, else read back. */
  private async after(write: JobWrite): Promise<JobRecord> {
    const id = write.id.toHexString();
    const held = this.heldBefore(id, write.seq);
    const job = held ? applied(held, write) : await this.read(id);
    if (!job) throw new Error(`job ${id} vanished`);
    this.hold(job);
    return job;
  }

  /** The held copy with the queue's hot state laid over it (nothing was written); null when the copy is not current. */
  private overlay(q: QueueJob): JobRecord | null {
    const held = this.heldBefore(q.id, q.seq);
    if (!held) return null;
    const job: JobRecord = { ...held, ...this.recordOf(q, held.updatedAt).set, updatedAt: held.updatedAt, seq: q.seq };
    this.hold(job);
    return job;
  }

  /** Keeps a copy of a job this instance has at hand (bounded; large payloads are not kept). */
  private hold(job: JobRecord): void {
    const id = job._id.toHexString();
    this.held.delete(id);
    if ((job.payload?.length ?? 0) > HELD_MAX_PAYLOAD) return;
    this.held.set(id, job);
    if (this.held.size > HELD_MAX) this.held.delete(this.held.keys().next().value!);
  }

  private read(id: string): Promise<JobRecord | null> {
    return this.d.jobs.byId(id);
  }

  private async readMany(ids: string[]): Promise<Map<string, JobRecord>> {
    const docs = await this.d.jobs.byIds(ids);
    return new Map(docs.flatMap((d) => (d ? [[d._id.toHexString(), d] as const] : [])));
  }

  private hydrateOf(doc: HydrateFields, jump: number) {
    return hydrateOf(doc, jump, this.d.cfg.avoidSameWorker);
  }

  /** Puts committed jobs into the queue. A failure is logged, not thrown: the jobs are committed, and the reconciler enqueues them. */
  private async enqueue(jobs: JobRecord[]): Promise<void> {
    try {
      await this.decide(() => Promise.all(jobs.map((job) => this.queue.hydrate(this.hydrateOf(job, 0)))));
    } catch (err) {
      this.d.logger.error({ err, jobs: jobs.length }, 'enqueue failed; the reconciler will enqueue these jobs');
    }
  }

  /** Mongo is the source of truth for the switches the claim script reads in Redis. */
  private async syncSwitches(): Promise<void> {
    const [latest, setting, disabled, flags, inRedis] = await Promise.all([
      this.d.maintenance.latest(),
      this.models.Setting.findOne({ _id: 'queue' }).lean<{ paused: boolean }>(),
      this.d.workers.disabledIds(),
      this.queue.flags(),
      this.queue.disabledWorkers(),
    ]);
    if (flags.maintenance !== latest.paused) await this.queue.setMaintenance(latest.paused);
    if (flags.paused !== Boolean(setting?.paused)) await this.queue.setPaused(Boolean(setting?.paused));
    for (const id of disabled) if (!inRedis.includes(id)) await this.queue.setWorkerDisabled(id, true);
    for (const id of inRedis) if (!disabled.includes(id)) await this.queue.setWorkerDisabled(id, false);
    await this.d.caps.sync();
  }

  /**
   * Inserts jobs; the unique guard refuses a second job in progress for a
   * target (E11000), which becomes DUPLICATE_IN_PROGRESS with the existing job.
   * If that job ended between the refusal and the look-up, the insert is tried again.
   */
  private async insertGuarded(pending: Array<{ index: number; doc: JobRecord; note?: string }>, results: JobCreateResult[]): Promise<JobRecord[]> {
    const created: JobRecord[] = [];
    let todo = pending;
    for (let round = 0; todo.length > 0 && round < 3; round++) {
      const failed = new Set<number>();
      try {
        // The first log line is in the document (see JobWriter: a job's lines go with its own writes).
        const docs = todo.map(({ doc, note }) => ({ ...doc, recentLog: [{ ...createdLine(doc, note), seq: doc.seq }] }));
        // In turn with the other writes of jobs (FerretDB v1: one write command at a time, see CommandLane).
        await this.writer.inTurn(() => inClientSpan('insertMany jobs', MONGO_INSERT, () => this.models.Job.collection.insertMany(docs, { ordered: false })));
      } catch (err) {
        const writeErrors = bulkWriteErrors(err, todo.length);
        if (!writeErrors) throw err;
        for (const we of writeErrors) {
          if (we.code !== 11000) throw err;
          failed.add(we.index);
        }
      }
      const dupes = todo.filter((_, i) => failed.has(i));
      for (const [i, p] of todo.entries()) if (!failed.has(i)) created.push(p.doc);
      todo = [];
      if (dupes.length === 0) break;
      const existing = await this.models.Job.find({ activeTarget: { $in: [...new Set(dupes.map((d) => d.doc.target))] } }).lean<JobRecord[]>();
      const byTarget = new Map(existing.map((j) => [j.target, j]));
      for (const dupe of dupes) {
        const holder = byTarget.get(dupe.doc.target);
        if (holder) {
          results[dupe.index]!.error = userError('DUPLICATE_IN_PROGRESS', `a job for ${dupe.doc.target} is already in progress (${holder._id.toHexString()})`, ['input', 'items', dupe.index, 'target']);
          results[dupe.index]!.existingJob = holder;
        } else {
          todo.push(dupe);
        }
      }
    }
    for (const t of todo) {
      results[t.index]!.error = userError('DUPLICATE_IN_PROGRESS', `a job for ${t.doc.target} is already in progress`, ['input', 'items', t.index, 'target']);
    }
    const inserted = new Set(created);
    const ordered = pending.filter((p) => inserted.has(p.doc));
    for (const p of ordered) results[p.index]!.job = p.doc;
    return ordered.map((p) => p.doc);
  }
}

/** A job document with a write applied, as MongoDB will hold it once the write is committed. */
function applied(job: JobRecord, write: JobWrite): JobRecord {
  const last = write.log?.at(-1);
  const out: JobRecord = { ...job, ...write.set, seq: write.seq, ...(last ? { lastActor: last.actor } : {}) };
  for (const f of write.unset ?? []) delete (out as unknown as Record<string, unknown>)[f];
  return out;
}

/**
 * The job as an event of a decision shows it: with the decision's status, when what was read back is already
 * newer (a later decision was recorded first), so each event's previous and new status are the decision's.
 */
function asDecided(job: JobRecord, status: string): JobRecord {
  return job.status === status ? job : { ...job, status: status as JobStatus };
}

/** What hydrate reads of a job document. */
const HYDRATE_FIELDS = {
  _id: 1, status: 1, seq: 1, operation: 1, target: 1, priority: 1, runAt: 1, createdAt: 1, maxAttempts: 1, attempts: 1, cancelRequested: 1,
  progress: 1, workerId: 1, leaseToken: 1, leaseExpiresAt: 1, startedAt: 1, retriedBy: 1,
} as const;
type HydrateFields = Pick<JobRecord, keyof typeof HYDRATE_FIELDS>;

/** The queue's view of a job document, its sequence raised by `jump`. */
function hydrateOf(doc: HydrateFields, jump: number, avoidWorkers: boolean) {
  const running = RUNNING_STATUSES.includes(doc.status);
  return {
    id: doc._id.toHexString(),
    state: isTerminal(doc.status) ? ('ended' as const) : running ? ('leased' as const) : doc.status === 'WAITING' ? ('held' as const) : ('ready' as const),
    status: doc.status,
    seq: (doc.seq ?? 0) + jump,
    operation: doc.operation,
    target: doc.target,
    priority: doc.priority,
    runAt: (doc.runAt ?? doc.createdAt).getTime(),
    maxAttempts: doc.maxAttempts,
    attempt: doc.attempts,
    avoidWorkers,
    cancelRequested: doc.cancelRequested,
    progress: doc.progress ?? null,
    retriedBy: doc.retriedBy?.toHexString() ?? null,
    // A running job without a lease on record gets one that has already expired: the reaper requeues it.
    lease: running
      ? { token: doc.leaseToken ?? '0', workerId: doc.workerId ?? 'unknown', leaseExpiresAt: doc.leaseExpiresAt?.getTime() ?? 0, leasedAt: doc.startedAt?.getTime() ?? 0 }
      : undefined,
  };
}

function newJob({ input, payloadJson }: ValidJobInput, actor: string, now: Date, retryOf?: Types.ObjectId): JobRecord {
  const manifestoTargets = input.bumpManifesto?.dataStructureUpdates.map((u) => u.name) ?? [];
  return {
    _id: new Types.ObjectId(),
    target: input.target,
    operation: input.operation,
    status: 'QUEUED',
    seq: 1,
    activeTarget: input.target,
    relatedTargets: [...new Set([input.target, ...manifestoTargets])],
    releaseStatus: input.releaseStatus ?? null,
    description: input.description?.trim() ?? null,
    bumpManifesto: input.bumpManifesto
      ? {
          version: input.bumpManifesto.version,
          description: input.bumpManifesto.description,
          releaseTime: input.bumpManifesto.releaseTime ?? null,
          languageCode: input.bumpManifesto.languageCode ?? null,
          updateType: input.bumpManifesto.updateType ?? null,
          dataStructureUpdates: input.bumpManifesto.dataStructureUpdates.map((u) => ({ ...u })),
        }
      : null,
    bumpFromVersion: input.bumpFromVersion ?? null,
    bumpToVersion: input.bumpToVersion ?? null,
    payload: payloadJson,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    priority: input.priority ?? 0,
    runAt: input.runAt ?? null,
    attempts: 0,
    maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    cancelRequested: false,
    failureReason: null,
    lastActor: actor,
    retryOf: retryOf ?? null,
    retriedBy: null,
    ...traceOf(currentTraceparent()),
  };
}

/** The creating request's trace context, stored only when there is one. */
function traceOf(traceparent: string | null): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}

function withOptions(job: JobRecord, opts: CreateOptions, index: number): JobRecord {
  const out = { ...job };
  if (opts.parent) out.parent = opts.parent;
  if (opts.ids?.[index]) out._id = opts.ids[index]!;
  return out;
}

/** The first line of a new job's log (a flow's final job and children say what they are). */
function createdLine(job: JobRecord, note?: string): JobLogRecord {
  return { at: job.createdAt, actor: job.createdBy, message: note ? note : job.retryOf ? `created as a retry of ${job.retryOf.toHexString()}` : 'created', status: job.status };
}

/** A retry submits the old job's parameters again. */
function retryInput(old: JobRecord): JobCreateInput {
  return {
    target: old.target,
    operation: old.operation,
    description: old.description,
    releaseStatus: old.releaseStatus,
    bumpManifesto: old.bumpManifesto ?? null,
    bumpFromVersion: old.bumpFromVersion,
    bumpToVersion: old.bumpToVersion,
    priority: old.priority,
    maxAttempts: old.maxAttempts,
  };
}

/** The per-document errors of an unordered insertMany; null when the error is not about documents. */
function bulkWriteErrors(err: unknown, batchSize: number): Array<{ index: number; code: number }> | null {
  if (err instanceof mongo.MongoBulkWriteError) {
    const list = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return list.map((e) => ({ index: e.index, code: e.code }));
  }
  if (isDuplicateKey(err) && batchSize === 1) return [{ index: 0, code: 11000 }];
  return null;
}

export type { JobEventView };
