import { mongo, Types } from 'mongoose';
import type { JobCreateInput, JobFilter, JobOrder, JobStatus, JobUpdateInput } from '../generated/graphql.js';
import { isDuplicateKey, type Models } from '../models/index.js';
import { JOB_LOG_LIMIT, type JobLogRecord, type JobRecord } from '../models/job.js';
import type { TargetRecord } from '../models/target.js';
import { findByIds, parseObjectId } from './byIds.js';
import { afterCursor, jobCursor, jobFilterQuery, jobSort, sortSpec } from './jobFilter.js';
import type { JobLock } from './jobLock.js';
import { checkTransition, DEFAULT_MAX_ATTEMPTS, isTerminal, LEASE_FIELDS, validateJobCreate, type ValidJobInput } from './jobRules.js';
import { lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import type { TargetService } from './targets.js';
import { userError, type UserError } from './userErrors.js';

export const MAX_BATCH = 1000;

export interface JobCreateResult {
  index: number;
  job: JobRecord | null;
  error: UserError | null;
  existingJob: JobRecord | null;
}

export interface JobResult {
  job: JobRecord | null;
  userErrors: UserError[];
}

/** Told of every committed change, after Mongo has it and still under the job's lock (the queue and subscriptions listen here). */
export interface JobListener {
  /** `targets[i]` is the target of `jobs[i]` as just written. */
  created?(jobs: JobRecord[], targets: TargetRecord[]): Promise<void> | void;
  /** `target` is the job's target as just written when the status changed; null when it did not (not rewritten). */
  changed?(job: JobRecord, previous: JobStatus, target: TargetRecord | null): Promise<void> | void;
}

/** A change decided under the job's lock. `status` equal to the current one changes no status. */
export interface JobChange {
  status: JobStatus;
  set: Partial<JobRecord>;
  unset?: ReadonlyArray<keyof JobRecord>;
  log: JobLogRecord[];
}

/** What a job change may ask of the queue (set by the queue service; absent in a service without one). */
export interface JobQueuePort {
  /** Takes a waiting job out of the queue. LEASED: a worker holds it, and cancellation was requested from it. */
  withdraw(id: string): Promise<'WITHDRAWN' | 'LEASED'>;
}

export interface JobServiceOptions {
  bumpEnabled: boolean;
  /** Keep the expected status in update filters (MongoDB). Off on FerretDB, where it forces a full scan and the job lock already serializes writes. */
  conditionalFilters: boolean;
  /** Look jobs up one `_id` at a time (FerretDB, see findByIds). */
  pointLookups?: boolean;
  clock?: () => Date;
}

/**
 * Jobs: creation (with the in-progress guard), reads, and every change of a
 * job, each a read-check-write under the job's Redis lock with the expected
 * status kept in the update filter.
 */
export class JobService {
  private readonly listeners: JobListener[] = [];
  private readonly clock: () => Date;
  private queue: JobQueuePort | undefined;

  constructor(
    private readonly models: Models,
    private readonly targets: TargetService,
    private readonly lock: JobLock,
    private readonly opts: JobServiceOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
  }

  listen(listener: JobListener): void {
    this.listeners.push(listener);
  }

  attachQueue(queue: JobQueuePort): void {
    this.queue = queue;
  }

  // ---- reads

  async byId(id: string): Promise<JobRecord | null> {
    const oid = parseObjectId(id);
    return oid ? this.models.Job.findOne({ _id: oid }).lean<JobRecord>() : null;
  }

  async byIds(ids: readonly string[]): Promise<Array<JobRecord | null>> {
    const oids = ids.map(parseObjectId).filter((x): x is Types.ObjectId => x !== null);
    const found = await findByIds<JobRecord>(this.models.Job, oids, this.opts.pointLookups ?? false);
    const byId = new Map(found.map((j) => [j._id.toHexString(), j]));
    return ids.map((id) => byId.get(String(id).toLowerCase()) ?? null);
  }

  async list(args: { filter?: JobFilter | null; orderBy?: JobOrder | null; first?: number | null; after?: string | null; relatedTarget?: string }, opts: ListOptions = {}): Promise<Connection<JobRecord>> {
    const first = pageSize(args.first);
    const sort = jobSort(args.orderBy);
    const base = jobFilterQuery(args.filter);
    const scoped = args.relatedTarget === undefined ? base : and(base, { relatedTargets: String(args.relatedTarget) });
    const paged = args.after ? and(scoped, afterCursor(args.after, sort)) : scoped;
    const totalCount = lazyCount(() => this.models.Job.countDocuments(scoped), opts.countNow);
    const items = await this.models.Job.find(paged).sort(sortSpec(sort)).limit(first + 1).lean<JobRecord[]>();
    return toConnection(items, first, args.after, (j) => jobCursor(j, sort), totalCount);
  }

  // ---- creation

  async createMany(items: JobCreateInput[], actor: string): Promise<{ results: JobCreateResult[]; jobs: JobRecord[]; userErrors: UserError[] }> {
    if (items.length === 0 || items.length > MAX_BATCH) {
      return { results: [], jobs: [], userErrors: [userError('INVALID_BATCH', `a batch holds 1 to ${MAX_BATCH} items`, ['input', 'items'])] };
    }
    const now = this.clock();
    const results: JobCreateResult[] = items.map((_, index) => ({ index, job: null, error: null, existingJob: null }));
    const pending: Array<{ index: number; doc: JobRecord }> = [];
    items.forEach((item, index) => {
      const v = validateJobCreate(item, ['input', 'items', index], this.opts.bumpEnabled);
      if (v.ok) pending.push({ index, doc: this.newJob(v.value, actor, now) });
      else results[index]!.error = v.errors[0]!;
    });

    const created = await this.insertGuarded(pending, results);
    if (created.length > 0) await this.afterCreate(created, actor, now);
    return { results, jobs: created, userErrors: [] };
  }

  /**
   * Inserts jobs; the unique guard refuses a second job in progress for a
   * target (E11000), which becomes DUPLICATE_IN_PROGRESS with the existing job.
   * If that job ended between the refusal and the look-up, the insert is tried again.
   */
  private async insertGuarded(pending: Array<{ index: number; doc: JobRecord }>, results: JobCreateResult[]): Promise<JobRecord[]> {
    const created: JobRecord[] = [];
    let todo = pending;
    for (let round = 0; todo.length > 0 && round < 3; round++) {
      const failed = new Set<number>();
      try {
        await this.models.Job.collection.insertMany(
          todo.map((p) => p.doc),
          { ordered: false },
        );
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
      for (const d of dupes) {
        const holder = byTarget.get(d.doc.target);
        if (holder) {
          results[d.index]!.error = userError('DUPLICATE_IN_PROGRESS', `a job for ${d.doc.target} is already in progress (${holder._id.toHexString()})`, ['input', 'items', d.index, 'target']);
          results[d.index]!.existingJob = holder;
        } else {
          todo.push(d);
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

  private newJob({ input, payloadJson }: ValidJobInput, actor: string, now: Date, retryOf?: Types.ObjectId): JobRecord {
    const manifestoTargets = input.bumpManifesto?.dataStructureUpdates.map((u) => u.name) ?? [];
    return {
      _id: new Types.ObjectId(),
      target: input.target,
      operation: input.operation,
      status: 'QUEUED',
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
      log: [{ at: now, actor, message: retryOf ? `created as a retry of ${retryOf.toHexString()}` : 'created', status: 'QUEUED' }],
      retryOf: retryOf ?? null,
      retriedBy: null,
    };
  }

  // ---- changes

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

    return this.transition(input.id, actor, async (job) => {
      const to = input.status ?? job.status;
      const illegal = checkTransition(job.status, to);
      if (illegal) return illegal;
      const log: JobLogRecord[] = [];
      if (to !== job.status) log.push({ at: this.clock(), actor, message: `status ${job.status} → ${to}`, status: to });
      if (description !== undefined) log.push({ at: this.clock(), actor, message: 'description changed' });
      if (message) log.push({ at: this.clock(), actor, message });
      return { status: to, set: description !== undefined ? { description } : {}, log };
    });
  }

  async cancel(id: string, reason: string | null | undefined, actor: string): Promise<JobResult> {
    const why = reason?.trim().slice(0, 1000);
    return this.transition(id, actor, async (job) => {
      if (isTerminal(job.status)) return userError('JOB_TERMINAL', `the job is already ${job.status}`, ['input', 'id']);
      // A job a worker holds is cancelled through the worker (it hears of it on its next progress report).
      if ((await this.queue?.withdraw(id)) === 'LEASED') {
        const message = why ? `cancellation requested: ${why}` : 'cancellation requested';
        return { status: job.status, set: { cancelRequested: true }, log: [{ at: this.clock(), actor, message }] };
      }
      const message = why ? `cancelled: ${why}` : 'cancelled';
      return { status: 'CANCELLED', set: {}, unset: LEASE_FIELDS, log: [{ at: this.clock(), actor, message, status: 'CANCELLED' }] };
    });
  }

  async retry(id: string, actor: string): Promise<JobResult & { retriedJob: JobRecord | null }> {
    const oid = parseObjectId(id);
    if (!oid) return { job: null, retriedJob: null, userErrors: [notFound()] };
    return this.lock.withLock(oid.toHexString(), async () => {
      const old = await this.models.Job.findOne({ _id: oid }).lean<JobRecord>();
      if (!old) return { job: null, retriedJob: null, userErrors: [notFound()] };
      if (old.status !== 'FAILED' && old.status !== 'CANCELLED') {
        return { job: null, retriedJob: old, userErrors: [userError('NOT_RETRYABLE', `only FAILED or CANCELLED jobs can be retried; this one is ${old.status}`, ['input', 'id'])] };
      }
      if (old.retriedBy) {
        return { job: null, retriedJob: old, userErrors: [userError('NOT_RETRYABLE', `already retried as ${old.retriedBy.toHexString()}`, ['input', 'id'])] };
      }
      if (old.operation === 'BUMP' && !this.opts.bumpEnabled) {
        return { job: null, retriedJob: old, userErrors: [userError('BUMP_DISABLED', 'datastore bumps are disabled by configuration', ['input', 'id'])] };
      }
      const now = this.clock();
      const input: JobCreateInput = {
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
      const doc = this.newJob({ input, payloadJson: old.payload ?? null }, actor, now, old._id);
      const results: JobCreateResult[] = [{ index: 0, job: null, error: null, existingJob: null }];
      const [created] = await this.insertGuarded([{ index: 0, doc }], results);
      if (!created) {
        const r = results[0]!;
        return { job: r.existingJob, retriedJob: old, userErrors: [{ ...r.error!, field: ['input', 'id'] }] };
      }
      const log = trimLog(old.log, [{ at: now, actor, message: `retried as ${created._id.toHexString()}` }]);
      await this.models.Job.collection.updateOne(this.guarded(old._id, { retriedBy: null }), { $set: { retriedBy: created._id, updatedAt: now, log } });
      await this.afterCreate([created], actor, now);
      // The old job changed too (retriedBy and its log): its watchers are told, like any other change.
      const retriedJob: JobRecord = { ...old, retriedBy: created._id, updatedAt: now, log };
      await this.tellChanged(retriedJob, old.status, null);
      return { job: created, retriedJob, userErrors: [] };
    });
  }

  /**
   * One change of one job under its lock: read, let `decide` check it against
   * the rules (it may also consult the queue, still under the lock), write with
   * the expected status in the filter, record it on the target, tell the
   * listeners. `decide` returns null to change nothing. The queue service uses
   * this for the transitions the state machine leaves to the system (claims,
   * requeues after a lost lease).
   */
  async transition(id: string, actor: string, decide: (job: JobRecord) => Promise<UserError | JobChange | null>): Promise<JobResult> {
    const oid = parseObjectId(id);
    if (!oid) return { job: null, userErrors: [notFound()] };
    return this.lock.withLock(oid.toHexString(), async () => {
      const job = await this.models.Job.findOne({ _id: oid }).lean<JobRecord>();
      if (!job) return { job: null, userErrors: [notFound()] };
      const decision = await decide(job);
      if (decision === null) return { job, userErrors: [] };
      if ('code' in decision) return { job, userErrors: [decision] };
      const now = this.clock();
      const set: Partial<JobRecord> = { ...decision.set, status: decision.status, updatedAt: now, log: trimLog(job.log, decision.log) };
      const unset: Record<string, 1> = {};
      for (const field of decision.unset ?? []) unset[field] = 1;
      if (isTerminal(decision.status) && !isTerminal(job.status)) {
        set.finishedAt = now;
        unset.activeTarget = 1;
      }
      const res = await this.models.Job.collection.updateOne(
        this.guarded(job._id, { status: job.status }),
        Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set },
      );
      if (res.matchedCount !== 1) throw new Error(`job ${id} changed under its lock`);
      const after: JobRecord = { ...job, ...set };
      for (const field of Object.keys(unset)) delete (after as unknown as Record<string, unknown>)[field];
      const target = decision.status !== job.status ? await this.targets.recordJob(after, actor, now) : null;
      await this.tellChanged(after, job.status, target);
      return { job: after, userErrors: [] };
    });
  }

  /** The filter of a write to one job: its id, plus the expected state where that costs nothing (see conditionalFilters). */
  private guarded(id: Types.ObjectId, expected: Record<string, unknown>): Record<string, unknown> {
    return this.opts.conditionalFilters ? { _id: id, ...expected } : { _id: id };
  }

  private async tellChanged(job: JobRecord, previous: JobStatus, target: TargetRecord | null): Promise<void> {
    for (const l of this.listeners) await l.changed?.(job, previous, target);
  }

  /** What every new job gets once committed: its target recorded, then the listeners told (the queue enqueues it). */
  private async afterCreate(jobs: JobRecord[], actor: string, at: Date): Promise<void> {
    const targets = await this.targets.recordCreated(jobs, actor, at);
    for (const l of this.listeners) await l.created?.(jobs, targets);
  }
}

function notFound(): UserError {
  return userError('NOT_FOUND', 'no job with this id', ['input', 'id']);
}

function trimLog(log: JobLogRecord[], add: JobLogRecord[]): JobLogRecord[] {
  const all = [...log, ...add];
  return all.length > JOB_LOG_LIMIT ? all.slice(all.length - JOB_LOG_LIMIT) : all;
}

function and(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(a).length === 0) return b;
  return { $and: [a, b] };
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
