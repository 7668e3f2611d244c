import { setTimeout as rest } from 'node:timers/promises';
import { Types } from 'mongoose';
import type { JobFilter } from '../generated/graphql.js';
import type { Logger } from '../logger.js';
import type { Models } from '../models/index.js';
import type { BulkActionKind, BulkActionRecord, BulkFailureRecord } from '../models/bulkAction.js';
import type { JobRecord } from '../models/job.js';
import { parseObjectId } from './byIds.js';
import { isEmptyJobFilter, jobFilterQuery } from './jobFilter.js';
import type { JobService } from './jobs.js';
import type { JobLifecycle, JobResult } from './lifecycle.js';
import { decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import { userError, type UserError } from './userErrors.js';

/** Jobs acted on at once; the service yields to other requests between batches. */
export const BULK_BATCH = 20;
/**
 * After each batch the action rests as long as the batch took (at most a second): it takes about half of
 * the backends' time, so other requests keep theirs (on FerretDB every list query reads the whole collection).
 */
const REST_MAX_MS = 1000;
/** Failure entries kept on the record (failedCount counts them all). */
export const BULK_FAILURES_KEPT = 1000;
/** Jobs a dry run (and every answer) shows. */
const SAMPLE = 10;

export type BulkActionConnectionModel = Connection<BulkActionRecord>;

export interface BulkInput {
  filter: JobFilter;
  reason?: string | null;
  dryRun?: boolean | null;
  expectedCount?: number | null;
}

export interface BulkPayload {
  matchedCount: number;
  sample: JobRecord[];
  action: BulkActionRecord | null;
  userErrors: UserError[];
}

/**
 * jobsCancel / jobsRetry: the jobs a JobFilter matches (the same filter code as the `jobs` query),
 * checked against the caller's bound, recorded, then acted on in batches of BULK_BATCH in the
 * background through the lifecycle's own cancel and retry (so each job gets its usual checks, log
 * line and event, and the in-progress guard refuses a duplicate retry), resting between batches as long
 * as the batch took.
 * The record is updated after each batch; `stop()` (shutdown) ends a running action as FAILED.
 */
export class BulkActionService {
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly models: Models,
    private readonly jobs: JobService,
    private readonly lifecycle: JobLifecycle,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    /** Most jobs one action takes (config BULK_MAX, default 10,000): a filter matching more is refused with TOO_MANY. */
    private readonly max: number,
  ) {}

  async start(kind: BulkActionKind, input: BulkInput, actor: string): Promise<BulkPayload> {
    const refused = (matchedCount: number, sample: JobRecord[], ...userErrors: UserError[]): BulkPayload => ({ matchedCount, sample, action: null, userErrors });
    if (isEmptyJobFilter(input.filter)) return refused(0, [], userError('EMPTY_FILTER', 'give at least one condition: an empty filter would match every job', ['input', 'filter']));
    const expected = input.expectedCount;
    if (!input.dryRun && (expected === null || expected === undefined)) {
      return refused(0, [], userError('INVALID_PARAMETERS', 'expectedCount is required unless dryRun: give the number of jobs you expect to act on', ['input', 'expectedCount']));
    }
    if (expected !== null && expected !== undefined && (!Number.isInteger(expected) || expected < 1)) {
      return refused(0, [], userError('INVALID_PARAMETERS', 'expectedCount must be 1 or more', ['input', 'expectedCount']));
    }
    const reason = input.reason?.trim().slice(0, 1000) || null;

    const query = jobFilterQuery(input.filter);
    // The jobs it acts on: their ids as the filter matches them now, oldest first (one more than allowed tells "too many").
    const [matched, sample] = await Promise.all([
      this.models.Job.find(query, { _id: 1 }).sort({ createdAt: 1, _id: 1 }).limit(this.max + 1).lean<Array<{ _id: Types.ObjectId }>>(),
      this.jobs.list({ filter: input.filter, first: SAMPLE }),
    ]);
    const count = matched.length > this.max ? await this.models.Job.countDocuments(query) : matched.length;
    if (count === 0) return refused(0, [], userError('NO_MATCH', 'no job matches this filter: nothing to do', ['input', 'filter']));
    if (input.dryRun) return { matchedCount: count, sample: sample.nodes, action: null, userErrors: [] };
    if (count > expected!) {
      return refused(count, sample.nodes, userError('COUNT_ABOVE_EXPECTED', `the filter matches ${count} jobs, more than the ${expected} expected: nothing was changed; check the filter and give the new count`, ['input', 'expectedCount']));
    }
    if (count > this.max) return refused(count, sample.nodes, userError('TOO_MANY', `the filter matches ${count} jobs; one action takes at most ${this.max}: narrow the filter`, ['input', 'filter']));

    const now = this.clock();
    const record: BulkActionRecord = {
      _id: new Types.ObjectId(), kind, state: 'RUNNING', actor, createdAt: now, updatedAt: now, finishedAt: null,
      filter: JSON.stringify(input.filter), reason, expectedCount: expected!, matchedCount: count,
      processedCount: 0, succeededCount: 0, failedCount: 0, failures: [], error: null,
    };
    await this.models.BulkAction.collection.insertOne(record);
    this.logger.info({ bulkAction: record._id.toHexString(), kind, actor, matched: count, filter: record.filter }, 'bulk action started');
    const run = this.run(record, matched.map((m) => m._id.toHexString())).finally(() => this.running.delete(run));
    this.running.add(run);
    return { matchedCount: count, sample: sample.nodes, action: record, userErrors: [] };
  }

  /** Works through the jobs in batches, recording the counts after each; never throws. */
  private async run(record: BulkActionRecord, ids: string[]): Promise<void> {
    let kept = 0;
    try {
      for (let i = 0; i < ids.length; i += BULK_BATCH) {
        if (this.stopping) throw new Error('the service shut down before the action ended');
        const batch = ids.slice(i, i + BULK_BATCH);
        const started = performance.now();
        const results = await Promise.all(batch.map((id) => this.act(record, id)));
        const failures: BulkFailureRecord[] = [];
        results.forEach((r, j) => {
          const e = r.userErrors[0];
          if (e) failures.push({ jobId: new Types.ObjectId(batch[j]!), code: e.code, message: e.message });
        });
        const keep = failures.slice(0, Math.max(0, BULK_FAILURES_KEPT - kept));
        kept += keep.length;
        await this.models.BulkAction.collection.updateOne(
          { _id: record._id },
          {
            $inc: { processedCount: batch.length, succeededCount: batch.length - failures.length, failedCount: failures.length },
            $set: { updatedAt: this.clock() },
            ...(keep.length ? { $push: { failures: { $each: keep } } } : {}),
          } as never,
        );
        await rest(Math.min(REST_MAX_MS, performance.now() - started)); // other requests are served between batches
      }
      await this.finish(record, 'DONE', null);
    } catch (err) {
      this.logger.error({ err, bulkAction: record._id.toHexString() }, 'bulk action stopped');
      await this.finish(record, 'FAILED', err instanceof Error ? err.message : String(err)).catch((e: unknown) => this.logger.error({ err: e }, 'bulk action record not updated'));
    }
  }

  /** One job, through the lifecycle; a fault becomes that job's failure entry (code INTERNAL), not the action's end. */
  private async act(record: BulkActionRecord, id: string): Promise<JobResult> {
    try {
      return record.kind === 'CANCEL' ? await this.lifecycle.cancel(id, record.reason, record.actor) : await this.lifecycle.retry(id, record.actor);
    } catch (err) {
      this.logger.error({ err, jobId: id, bulkAction: record._id.toHexString() }, 'bulk action: job not acted on');
      return { job: null, userErrors: [userError('INTERNAL', 'an internal fault stopped this job; try it again')] };
    }
  }

  private async finish(record: BulkActionRecord, state: 'DONE' | 'FAILED', error: string | null): Promise<void> {
    const at = this.clock();
    await this.models.BulkAction.collection.updateOne({ _id: record._id }, { $set: { state, finishedAt: at, updatedAt: at, error } });
    this.logger.info({ bulkAction: record._id.toHexString(), state }, 'bulk action ended');
  }

  async byId(id: string): Promise<BulkActionRecord | null> {
    const oid = parseObjectId(id);
    return oid ? this.models.BulkAction.findOne({ _id: oid }).lean<BulkActionRecord>() : null;
  }

  async list(args: { first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<BulkActionConnectionModel> {
    const first = pageSize(args.first);
    let query: Record<string, unknown> = {};
    if (args.after) {
      const [t, oid] = decodeCursor(args.after, ['number', 'objectId']);
      query = { $or: [{ createdAt: { $lt: new Date(t) } }, { createdAt: new Date(t), _id: { $lt: oid } }] };
    }
    const totalCount = lazyCount(() => this.models.BulkAction.countDocuments({}), opts.countNow);
    const items = await this.models.BulkAction.find(query).sort({ createdAt: -1, _id: -1 }).limit(first + 1).lean<BulkActionRecord[]>();
    return toConnection(items, first, args.after, (a) => encodeCursor([a.createdAt.getTime(), a._id.toHexString()]), totalCount);
  }

  /** Ends running actions (each is recorded FAILED with how far it got) and waits for them. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running]);
  }
}
