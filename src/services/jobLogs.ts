import type { mongo, Types } from 'mongoose';
import type { Logger } from '../logger.js';
import type { JobLogRecord, JobModel, JobRecord, RecentLogRecord } from '../models/job.js';
import type { JobLogDocRecord, JobLogModel } from '../models/jobLog.js';
import type { SettingModel } from '../models/worker.js';
import { Batcher, CommandLane } from './batcher.js';
import { findByIds } from './byIds.js';

/** Lines of one job's write, at the job's sequence number. */
export interface JobLogAppend {
  id: Types.ObjectId;
  seq: number;
  lines: JobLogRecord[];
}

/** What the JobWriter tells the log store of one committed write. */
export interface JobLogWritten {
  id: Types.ObjectId;
  /** Lines the write pushed into the job's `recentLog`. */
  lines: number;
  /** The write ended the job (a terminal status). */
  ended: boolean;
}

/** Most jobs whose embedded log is moved per step of the start-up migration (FerretDB: ≤ 100 documents per command). */
const MIGRATE_BATCH = 100;
const MIGRATED_SETTING = 'jobLogsMigrated';
/** Most jobs per move (see the constructor). */
const MOVE_BATCH = 50;
/** Moves of one job tried before its lines are left in its document (a failed move is queued again, after the mover's delay). */
const MOVE_TRIES = 3;
/** Most jobs whose line counts this instance keeps (jobs that end on another instance are never told here); past it the counts start again. */
const MAX_COUNTED_JOBS = 10_000;

export interface JobLogMoveOptions {
  /** How long a job waits for others to share the mover's commands, in ms (JOB_LOG_MOVE_MS). Default 250. */
  delayMs?: number;
  /** Lines this instance pushes into one active job's document before its lines are moved (bounds the document). Default 100. */
  afterLines?: number;
  /** Most updates per command on `joblogs` (ordered; one or two per write, about half matching; FerretDB v1: ≤ 100 documents per command). Default 50. */
  opsPerCommand?: number;
  /** Longest one command of a move may take, in ms (MONGO_TIMEOUT_MS; the driver's own bounds apply too). Default 5000. */
  timeoutMs?: number;
}

/**
 * Job logs: their reads, their moves and their collection. A job's lines are written with its state: the JobWriter pushes a
 * write's lines into the job document's `recentLog` (each line with the write's `seq`) in the same
 * update, and tells `written` about it. When a write ends a job, or once this instance has pushed
 * `afterLines` lines into one job, the job is queued for the **mover**, which later (after `delayMs`,
 * many jobs per command) appends the job's recent lines to its `joblogs` document and then removes them
 * from the job where no write came in between. `linesOf` is what `Job.log` shows: `joblogs`' lines, then
 * the job's recent lines newer than them. `remove` goes with the job (retention); `drain` moves what is
 * queued (app close).
 */
export class JobLogStore {
  /** The mover's commands and the JobWriter's, one at a time (FerretDB v1's connections, see CommandLane). */
  readonly lane = new CommandLane();
  private readonly mover: Batcher<Types.ObjectId>;
  /** Per job, lines this instance pushed into its document since its last move. */
  private readonly unmoved = new Map<string, number>();
  /** Per job, its moves that failed so far. */
  private readonly failedMoves = new Map<string, number>();
  private readonly afterLines: number;
  private readonly opsPerCommand: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly JobLog: JobLogModel,
    private readonly Job: JobModel,
    /** Most lines kept per job (JOB_LOG_MAX_LINES). */
    readonly cap: number,
    private readonly logger: Logger,
    move: JobLogMoveOptions = {},
  ) {
    this.afterLines = move.afterLines ?? 100;
    this.opsPerCommand = move.opsPerCommand ?? 50;
    this.timeoutMs = move.timeoutMs ?? 5000;
    // At most 50 jobs per move, so that each of its commands (a find, an insert, an update) touches at most
    // 50 documents: FerretDB v1 holds a database connection per document an update matches (it has 100),
    // as the JobWriter's 50 (bench runs with moves of 100 jobs stopped answering in the hot path).
    this.mover = new Batcher<Types.ObjectId>({ chunk: MOVE_BATCH, delayMs: move.delayMs ?? 250, send: (ids) => this.move(ids) });
  }

  /** Counts committed writes' lines; queues a job for the mover when its write ended it or this instance has pushed `afterLines` lines into it. */
  written(writes: JobLogWritten[]): void {
    for (const { id, lines, ended } of writes) {
      const key = id.toHexString();
      const n = (this.unmoved.get(key) ?? 0) + lines;
      if (ended || n >= this.afterLines) {
        this.unmoved.delete(key);
        this.mover.add(key, () => id);
      } else if (n > 0) {
        if (this.unmoved.size >= MAX_COUNTED_JOBS && !this.unmoved.has(key)) this.unmoved.clear();
        this.unmoved.set(key, n);
      }
    }
  }

  /** Moves the jobs queued so far and waits for it (app close: before the connection closes). */
  drain(): Promise<void> {
    return this.mover.drain();
  }

  /**
   * One move of up to 50 jobs; never throws. Reads the jobs' recent lines and sequence numbers, then
   * which of them have a `joblogs` document. A job without one (the usual case: its first move) gets it
   * whole, its lines applied as the guarded appends would apply them, all such jobs in one `insert`; the
   * others (a reopened job, one moved before, one whose document another instance created meanwhile)
   * get guarded appends (`opsOf`: lines another instance moved already are not added again). Then the
   * lines are removed from each job whose sequence number is still the one read (a job written since
   * keeps them all: the readers and the next move skip the ones `joblogs` has). A move that fails leaves
   * the lines in the job documents, where readers show them, and is queued again (MOVE_TRIES in all).
   */
  private async move(ids: Types.ObjectId[]): Promise<void> {
    try {
      const docs = await bounded(
        this.lane.run(() => this.Job.collection.find({ _id: byIds(ids) }, { projection: { _id: 1, seq: 1, recentLog: 1 } }).toArray() as Promise<Array<Pick<JobRecord, '_id' | 'seq' | 'recentLog'>>>),
        this.timeoutMs,
      );
      const jobs = docs.filter((d) => d.recentLog?.length).map((d) => ({ ...d, appends: appendsOf(d._id, d.recentLog!) }));
      const moved = new Set<string>();
      if (jobs.length > 0) {
        const stored = await bounded(
          this.lane.run(() => this.JobLog.collection.find({ _id: byIds(jobs.map((j) => j._id)) }, { projection: { _id: 1, seq: 1 } }).toArray()),
          this.timeoutMs,
        );
        const storedSeq = new Map(stored.map((d) => [d._id.toHexString(), (d.seq as number | undefined) ?? -Infinity]));
        const fresh = jobs.filter((j) => !storedSeq.has(j._id.toHexString()));
        if (fresh.length > 0) {
          try {
            await bounded(this.lane.run(() => this.JobLog.collection.insertMany(fresh.map((j) => withAppends(undefined, j.appends, this.cap)!), { ordered: false })), this.timeoutMs);
            for (const j of fresh) moved.add(j._id.toHexString());
          } catch (err) {
            if (!isOnlyDuplicates(err)) throw err; // created meanwhile by another instance's move: appended below
          }
        }
        const rest = jobs
          .filter((j) => !moved.has(j._id.toHexString()))
          .map((j) => ({ id: j._id, appends: j.appends.filter((a) => a.seq > (storedSeq.get(j._id.toHexString()) ?? -Infinity)) }));
        for (const j of rest) if (j.appends.length === 0) moved.add(j.id.toHexString()); // moved already
        for (const id of await this.appendJobs(rest.filter((j) => j.appends.length > 0))) moved.add(id);
      }
      const done = jobs.filter((d) => moved.has(d._id.toHexString()));
      if (done.length > 0) {
        const removed = await bounded(
          this.lane.run(() => this.Job.collection.bulkWrite(done.map((d) => ({ updateOne: { filter: { _id: d._id, seq: d.seq }, update: { $unset: { recentLog: 1 } } } })), { ordered: false })),
          this.timeoutMs,
        );
        // A job written since its read keeps its lines (matched nothing); so does one removed meanwhile (retention),
        // whose log document this move may have created after retention removed it: that one goes too.
        if (removed.matchedCount < done.length) await this.removeOrphans(done.map((d) => d._id));
      }
      for (const id of ids) this.failedMoves.delete(id.toHexString());
    } catch (err) {
      const again = ids.filter((id) => {
        const tries = (this.failedMoves.get(id.toHexString()) ?? 0) + 1;
        if (tries < MOVE_TRIES) this.failedMoves.set(id.toHexString(), tries);
        else this.failedMoves.delete(id.toHexString());
        return tries < MOVE_TRIES;
      });
      this.logger.warn({ err, jobs: ids.length, again: again.length }, 'job log move failed; the lines stay in the job documents (shown by Job.log)');
      for (const id of again) this.mover.add(id.toHexString(), () => id);
    }
  }

  /** Removes the log documents of those of `ids` whose job is gone (at most MOVE_BATCH ids: one find, one delete). */
  private async removeOrphans(ids: Types.ObjectId[]): Promise<void> {
    const left = await bounded(this.lane.run(() => this.Job.collection.find({ _id: byIds(ids) }, { projection: { _id: 1 } }).toArray()), this.timeoutMs);
    const kept = new Set(left.map((d) => d._id.toHexString()));
    const gone = ids.filter((id) => !kept.has(id.toHexString()));
    if (gone.length) await bounded(this.lane.run(() => this.JobLog.collection.deleteMany({ _id: byIds(gone) })), this.timeoutMs);
  }

  /**
   * Appends the lines of jobs that have (or may have) a log document, `opsPerCommand` updates per command, one command after another (ordered:
   * each job's writes apply in sequence order). Returns the jobs whose lines are all in `joblogs` now.
   * A command the database refuses (a write error, e.g. one job's malformed log document: the ordered
   * command stops there) is followed by each remaining job alone, so that only that job's lines stay
   * behind. A command without an answer ends the move with an error: every job's lines stay in its
   * document (the ones appended already are skipped by readers and by the job's next move).
   */
  private async appendJobs(jobs: Array<{ id: Types.ObjectId; appends: JobLogAppend[] }>): Promise<Set<string>> {
    const moved = new Set<string>();
    const ops = jobs.flatMap(({ id, appends }, job) => this.opsOf(id, appends).map((op) => ({ op, job })));
    let from = 0;
    try {
      for (; from < ops.length; from += this.opsPerCommand) {
        const chunk = ops.slice(from, from + this.opsPerCommand);
        await bounded(this.lane.run(() => this.JobLog.collection.bulkWrite(chunk.map((c) => c.op), { ordered: true })), this.timeoutMs);
        // Jobs whose last update is in this command are moved.
        for (const [i, c] of chunk.entries()) if (ops[from + i + 1]?.job !== c.job) moved.add(jobs[c.job]!.id.toHexString());
      }
      return moved;
    } catch (err) {
      if (writeErrorsOf(err).length === 0) throw err;
      this.logger.warn({ err, jobs: jobs.length - moved.size }, 'job log move refused; moving each job alone');
    }
    for (const { id, appends } of jobs.slice(ops[from]!.job)) {
      const own = this.opsOf(id, appends);
      try {
        for (let i = 0; i < own.length; i += this.opsPerCommand) await bounded(this.lane.run(() => this.JobLog.collection.bulkWrite(own.slice(i, i + this.opsPerCommand), { ordered: true })), this.timeoutMs);
        moved.add(id.toHexString());
      } catch (err) {
        this.logger.error({ err, jobs: [id.toHexString()], lines: countLines(appends) }, 'job log lines not moved; they stay in the job document');
      }
    }
    return moved;
  }

  /**
   * The updates that append one job's writes: its log document created if absent (when an insert raced
   * another instance's, which of its documents were written is not known on every backend), then per write two
   * guarded updates of which at most one applies: under the cap the lines are pushed; at the cap they
   * are counted as dropped and kept as the tail. A write not newer than the stored sequence (moved
   * already, by this instance or another) appends nothing.
   */
  private opsOf(id: Types.ObjectId, appends: JobLogAppend[]): mongo.AnyBulkWriteOperation[] {
    return [
      { updateOne: { filter: { _id: id }, update: { $setOnInsert: { n: 0, entries: [] } }, upsert: true } },
      ...appends.flatMap(({ seq, lines }) => {
        const fresh = { seq: { $not: { $gte: seq } } };
        return [
          { updateOne: { filter: { _id: id, ...fresh, n: { $lt: this.cap } }, update: { $push: { entries: { $each: lines } }, $inc: { n: lines.length }, $set: { seq } } } },
          { updateOne: { filter: { _id: id, ...fresh, n: { $gte: this.cap } }, update: { $inc: { dropped: lines.length }, $set: { seq, tail: lines } } } },
        ];
      }),
    ] as mongo.AnyBulkWriteOperation[];
  }

  /**
   * The log of each job as `Job.log` shows it, in the order of `jobs`: its `joblogs` document's lines,
   * then the recent lines of its job document that are newer than them, applied as the mover would
   * (same guard and cap); or the embedded log of a job from before. The job documents are read first:
   * the mover appends before it removes, so a line moved between the two reads is in the second.
   */
  async linesOf(jobs: ReadonlyArray<Pick<JobRecord, '_id' | 'log'>>): Promise<JobLogRecord[][]> {
    const wanted = [...new Map(jobs.filter((j) => !j.log).map((j) => [j._id.toHexString(), j._id])).values()];
    const recent = wanted.length
      ? ((await this.Job.collection.find({ _id: byIds(wanted) }, { projection: { _id: 1, recentLog: 1 } }).toArray()) as Array<Pick<JobRecord, '_id' | 'recentLog'>>)
      : [];
    const docs = await findByIds<JobLogDocRecord>(this.JobLog, wanted);
    const recentById = new Map(recent.map((d) => [d._id.toHexString(), d.recentLog ?? []]));
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return jobs.map((j) => {
      if (j.log) return j.log;
      const key = j._id.toHexString();
      return linesOfDoc(withAppends(byId.get(key), appendsOf(j._id, recentById.get(key) ?? []), this.cap), this.cap);
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
  async migrateEmbedded(Setting: SettingModel): Promise<number> {
    const Job = this.Job;
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

/** `p`, or an error once `ms` have passed (the command may still be applied later: the sequence guards make that harmless). */
async function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`job log move took longer than ${ms} ms`)), ms);
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

/** A job's recent lines as one append per write (lines of one write share its `seq`), in sequence order, without their `seq`. */
function appendsOf(id: Types.ObjectId, recent: RecentLogRecord[]): JobLogAppend[] {
  const bySeq = new Map<number, JobLogRecord[]>();
  for (const { seq, ...line } of recent) bySeq.set(seq, [...(bySeq.get(seq) ?? []), line]);
  return [...bySeq.entries()].sort(([a], [b]) => a - b).map(([seq, lines]) => ({ id, seq, lines }));
}

/** A log document (an empty one if there is none yet) with appends applied as the mover's guarded updates apply them. */
function withAppends(doc: JobLogDocRecord | undefined, items: JobLogAppend[], cap: number): JobLogDocRecord | undefined {
  if (items.length === 0) return doc;
  let d: JobLogDocRecord = doc ?? { _id: items[0]!.id, n: 0, entries: [] };
  for (const { seq, lines } of items) {
    if ((d.seq ?? -Infinity) >= seq) continue;
    d = d.n < cap ? { ...d, seq, n: d.n + lines.length, entries: [...d.entries, ...lines] } : { ...d, seq, dropped: (d.dropped ?? 0) + lines.length, tail: lines };
  }
  return d;
}

/** `_id` equality for one id, `$in` for more (both served by the _id index on both backends). */
function byIds(ids: Types.ObjectId[]): Types.ObjectId | { $in: Types.ObjectId[] } {
  return ids.length === 1 ? ids[0]! : { $in: ids };
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
