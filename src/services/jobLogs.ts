import { mongo, Types } from 'mongoose';
import type { Logger } from '../logger.js';
import type { JobLogRecord, JobModel, JobRecord } from '../models/job.js';
import type { JobLogDocRecord, JobLogModel } from '../models/jobLog.js';
import type { SettingModel } from '../models/worker.js';
import { Batcher } from './batcher.js';
import { findByIds } from './byIds.js';

/** Lines of one job's write, at the job's sequence number. */
export interface JobLogAppend {
  id: Types.ObjectId;
  seq: number;
  lines: JobLogRecord[];
}

/** Most jobs whose embedded log is moved per step of the start-up migration (FerretDB: ≤ 100 documents per command). */
const MIGRATE_BATCH = 100;
const MIGRATED_SETTING = 'jobLogsMigrated';

export interface JobLogFlushOptions {
  /** Longest a queued line waits before its command is sent, in ms (JOB_LOG_FLUSH_MS). Default 50. */
  delayMs?: number;
  /** Pending lines that send the command at once. Default 200. */
  lines?: number;
  /** Most appends per command (two guarded updates each, at most one matching): with the JobWriter's 50 updates in flight at the same time FerretDB v1 stays within its 100 connections. Default 25. */
  perCommand?: number;
  /** Tries of one command before its lines are given up (and logged). Default 3. */
  attempts?: number;
  /** Wait before the first retry, in ms; doubles per retry. Default 100. */
  retryMs?: number;
  /** Longest one try may take before it counts as failed, in ms (MONGO_TIMEOUT_MS; the driver's own bounds apply too). Default 5000. */
  timeoutMs?: number;
}

/**
 * Every read and write of job logs (the `joblogs` collection, see models/jobLog.ts). The JobWriter
 * hands each batch's lines to `queue` once the jobs' own update is done; the flusher sends the lines of
 * many batches in one `append` command (after `delayMs`, or at once when `lines` are pending; one
 * command in flight; a failed one retried, then logged with what was lost); `drain` sends what is
 * pending (app close). `create` writes the first line of new jobs; `linesOf` is what `Job.log` shows,
 * with this instance's lines not yet sent; `remove` goes with the job (retention).
 */
export class JobLogStore {
  /** Per job, its queued appends in the order they came (kept apart: the cap applies per write). */
  private readonly flusher: Batcher<JobLogAppend[]>;
  /** JOB_LOG_FLUSH_MS = 0: lines are written before callers are answered. */
  readonly writeThrough: boolean;
  private readonly perCommand: number;
  private readonly attempts: number;
  private readonly retryMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly JobLog: JobLogModel,
    /** Most lines kept per job (JOB_LOG_MAX_LINES). */
    readonly cap: number,
    private readonly logger: Logger,
    flush: JobLogFlushOptions = {},
  ) {
    this.attempts = Math.max(1, flush.attempts ?? 3);
    this.retryMs = flush.retryMs ?? 100;
    this.timeoutMs = flush.timeoutMs ?? 5000;
    this.perCommand = flush.perCommand ?? 25;
    this.writeThrough = (flush.delayMs ?? 0) === 0;
    this.flusher = new Batcher<JobLogAppend[]>({
      chunk: this.perCommand,
      delayMs: flush.delayMs ?? 0,
      flushAt: flush.lines ?? 200,
      weigh: (appends) => appends.reduce((n, a) => n + a.lines.length, 0),
      send: (chunk) => this.sendAll(chunk.flat()),
    });
  }

  /**
   * Writes a batch's lines now, bounded and retried like the flusher's commands (write-through, JOB_LOG_FLUSH_MS=0:
   * the JobWriter calls it before the jobs' own update; with a delay it uses `queue`).
   */
  async writeNow(items: JobLogAppend[]): Promise<void> {
    if (items.length) await this.sendAll(items);
  }

  /** Queues the lines of jobs' writes for the flusher; a job's appends are sent in the order they came (its writes' order), each under the sequence guard. */
  queue(items: JobLogAppend[]): void {
    for (const item of items) this.flusher.add(item.id.toHexString(), (queued = []) => [...queued, item]);
  }

  /** Sends the lines queued so far and waits for them (app close: before the connection closes). */
  drain(): Promise<void> {
    return this.flusher.drain();
  }

  /** The appends of a batch's chunk, at most `perCommand` per command, one command after another (each job's appends stay in order). */
  private async sendAll(appends: JobLogAppend[]): Promise<void> {
    for (let i = 0; i < appends.length; i += this.perCommand) await this.send(appends.slice(i, i + this.perCommand));
  }

  /**
   * One flusher command; never throws. A command that fails without write errors (no connection, no
   * answer in time, a command error) is tried `attempts` times, waiting `retryMs` (doubled each time) in between; one the server refuses (a write
   * error, e.g. one job's malformed log document: the ordered command stops there) is sent again job by job,
   * so that only that job's lines are lost. A resent update is a no-op where it was applied (the sequence
   * guard). What is given up is logged as an error with its jobs and line count (after no answer, the
   * database may still have applied the last try).
   */
  private async send(appends: JobLogAppend[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await bounded(this.append(appends), this.timeoutMs);
        return;
      } catch (err) {
        if (writeErrorsOf(err).length > 0) return this.sendEachJob(appends, err);
        if (attempt >= this.attempts) return this.lost(appends, err, attempt, 'job log lines given up after no answer (lost unless the database applied the last try)');
        this.logger.warn({ err, lines: countLines(appends), attempt }, 'job log flush failed; retrying');
        await new Promise((r) => setTimeout(r, this.retryMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async sendEachJob(appends: JobLogAppend[], cause: unknown): Promise<void> {
    this.logger.warn({ err: cause, lines: countLines(appends) }, 'job log flush refused; sending each job\'s lines alone');
    const byJob = new Map<string, JobLogAppend[]>();
    for (const a of appends) byJob.set(a.id.toHexString(), [...(byJob.get(a.id.toHexString()) ?? []), a]);
    for (const own of byJob.values()) {
      try {
        await bounded(this.append(own), this.timeoutMs);
      } catch (err) {
        this.lost(own, err, 1, 'job log lines not written');
      }
    }
  }

  private lost(appends: JobLogAppend[], err: unknown, attempts: number, msg: string): void {
    this.logger.error({ err, jobs: [...new Set(appends.map((a) => a.id.toHexString()))], lines: countLines(appends), attempts }, msg);
  }

  /** Log documents of jobs just inserted, with their first lines (one command). */
  async create(jobs: JobLogAppend[]): Promise<void> {
    if (jobs.length === 0) return;
    const docs = jobs.map((j) => ({ _id: j.id, seq: j.seq, n: j.lines.length, entries: j.lines }));
    await this.JobLog.collection.insertMany(docs, { ordered: false });
  }

  /**
   * Appends the lines of many jobs' writes in one bulkWrite. Two guarded updates per write, of which
   * at most one applies: under the cap the lines are pushed; at the cap they are counted as dropped
   * and kept as the tail. A write older than the stored sequence (or sent again) appends nothing.
   * Ordered, so that several writes of one job apply in the order given (sequence order); a failed
   * command is sent again whole by the flusher, where the guard makes the applied ones no-ops.
   */
  async append(items: JobLogAppend[]): Promise<void> {
    const ops = items.flatMap(({ id, seq, lines }) => {
      const fresh = { seq: { $not: { $gte: seq } } };
      return [
        { updateOne: { filter: { _id: id, ...fresh, n: { $lt: this.cap } }, update: { $push: { entries: { $each: lines } }, $inc: { n: lines.length }, $set: { seq } } } },
        { updateOne: { filter: { _id: id, ...fresh, n: { $gte: this.cap } }, update: { $inc: { dropped: lines.length }, $set: { seq, tail: lines } } } },
      ];
    });
    if (ops.length) await this.JobLog.collection.bulkWrite(ops as mongo.AnyBulkWriteOperation[], { ordered: true });
  }

  /**
   * The log of each job as `Job.log` shows it, in the order of `jobs`: its own document's lines with this
   * instance's lines not yet sent applied as `append` would (same sequence guard and cap), or the embedded
   * log of a job from before. The pending lines are taken before the read: a line sent meanwhile is either
   * in the document read (its sequence is then not newer, and it is not applied twice) or applied here.
   */
  async linesOf(jobs: ReadonlyArray<Pick<JobRecord, '_id' | 'log'>>): Promise<JobLogRecord[][]> {
    const wanted = jobs.filter((j) => !j.log).map((j) => j._id);
    const pending = new Map(wanted.map((id) => [id.toHexString(), this.flusher.pendingOf(id.toHexString()).flat()]));
    const docs = await findByIds<JobLogDocRecord>(this.JobLog, wanted);
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return jobs.map((j) => {
      if (j.log) return j.log;
      const key = j._id.toHexString();
      return linesOfDoc(withPending(byId.get(key), pending.get(key) ?? [], this.cap), this.cap);
    });
  }

  /** Removes the logs of these jobs (at most 100 ids per call). */
  async remove(ids: Types.ObjectId[]): Promise<void> {
    if (ids.length) await this.JobLog.collection.deleteMany({ _id: { $in: ids } });
  }

  /**
   * Moves logs embedded in job documents (written before logs had their own collection) out of them,
   * a hundred jobs at a time; runs once per database (a setting records it), safe on several instances
   * at once (a log document already there is kept). Returns how many jobs it moved.
   */
  async migrateEmbedded(Job: JobModel, Setting: SettingModel): Promise<number> {
    if (await Setting.exists({ _id: MIGRATED_SETTING })) return 0;
    let moved = 0;
    for (;;) {
      const batch = await Job.collection
        .find({ log: { $exists: true } }, { projection: { _id: 1, seq: 1, log: 1 } })
        .limit(MIGRATE_BATCH)
        .toArray();
      if (batch.length === 0) break;
      const docs = batch.map((j) => {
        const lines = (j.log as JobLogRecord[]) ?? [];
        const last = lines.at(-1)?.actor ?? null;
        return { doc: { _id: j._id, seq: (j.seq as number) ?? 0, n: lines.length, entries: lines }, last };
      });
      try {
        await this.JobLog.collection.insertMany(docs.map((d) => d.doc), { ordered: false });
      } catch (err) {
        if (!isOnlyDuplicates(err)) throw err; // another instance moved some of them already
      }
      // One update per job (lastActor differs); FerretDB: at most 100 documents per command.
      await Job.collection.bulkWrite(
        docs.map((d) => ({ updateOne: { filter: { _id: d.doc._id }, update: { $unset: { log: 1 }, $set: { lastActor: d.last } } } })),
        { ordered: false },
      );
      moved += batch.length;
    }
    await Setting.collection.updateOne({ _id: MIGRATED_SETTING as never }, { $set: { paused: false, updatedBy: 'system', updatedAt: new Date() } }, { upsert: true });
    if (moved) this.logger.info({ jobs: moved }, 'moved embedded job logs to their own collection');
    return moved;
  }
}

/** `p`, or an error once `ms` have passed (the command may still be applied later: the sequence guard makes a resend safe). */
async function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`job log flush took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
    p.catch(() => undefined); // a late failure of a try given up is not unhandled
  }
}

function countLines(appends: JobLogAppend[]): number {
  return appends.reduce((n, a) => n + a.lines.length, 0);
}

/** A log document with pending appends applied as `append`'s two guarded updates apply them (no document: nothing applies). */
function withPending(doc: JobLogDocRecord | undefined, items: JobLogAppend[], cap: number): JobLogDocRecord | undefined {
  if (!doc || items.length === 0) return doc;
  let d = doc;
  for (const { seq, lines } of items) {
    if ((d.seq ?? -Infinity) >= seq) continue;
    d = d.n < cap ? { ...d, seq, n: d.n + lines.length, entries: [...d.entries, ...lines] } : { ...d, seq, dropped: (d.dropped ?? 0) + lines.length, tail: lines };
  }
  return d;
}

/** The lines of a log document: the kept ones, then (past the cap) a note of what was dropped and the latest lines. */
function linesOfDoc(doc: JobLogDocRecord | undefined, cap: number): JobLogRecord[] {
  if (!doc) return [];
  if (!doc.dropped) return doc.entries;
  const tail = doc.tail ?? [];
  const at = tail[0]?.at ?? doc.entries.at(-1)?.at ?? new Date(0);
  const note: JobLogRecord = { at, actor: 'system', message: `${doc.dropped} log lines not kept (at most ${cap} per job); the latest follow` };
  return [...doc.entries, note, ...tail];
}

/** The write errors a bulkWrite's error reports (the driver gives one as an object, several as an array); none for a network error or a timeout. */
function writeErrorsOf(err: unknown): Array<{ code: number }> {
  const w = (err as { writeErrors?: Array<{ code: number }> | { code: number } } | undefined)?.writeErrors;
  return w ? (Array.isArray(w) ? w : [w]) : [];
}

function isOnlyDuplicates(err: unknown): boolean {
  const writeErrors = writeErrorsOf(err);
  if (writeErrors.length) return writeErrors.every((w) => w.code === 11000);
  return (err as { code?: number }).code === 11000;
}
