import { mongo, type Types } from 'mongoose';
import { inClientSpan, mongoSpan } from '../observability/tracing.js';
import type { Logger } from '../logger.js';
import type { JobModel } from '../models/job.js';
import type { JobLogRecord, JobRecord } from '../models/job.js';
import { isTerminal, TERMINAL_STATUSES } from './jobRules.js';
import type { JobLogStore } from './jobLogs.js';

const BULK_WRITE = mongoSpan('bulkWrite', 'jobs');

/**
 * One recorded change of one job: the job's hot state as the queue decided it
 * at sequence number `seq`. Applied only if the stored sequence is older, so a
 * write that arrives late (after a newer one) changes nothing.
 */
export interface JobWrite {
  id: Types.ObjectId;
  seq: number;
  set: Partial<JobRecord>;
  unset?: ReadonlyArray<keyof JobRecord>;
  log?: JobLogRecord[];
}

export interface JobWriterOptions {
  /** Most updates in one command. FerretDB v1 holds a database connection per document one command matches (it has 100). Default 50. */
  maxBatch?: number;
  /**
   * How long a write waits for others to join its batch, in ms. Default 0: the batch closes at the end of
   * the current turn of the event loop (writes issued together, such as a complete and the next claim,
   * share it), and while a batch is being written the next one gathers by itself.
   */
  delayMs?: number;
  /** Where log lines go (their own collection): appended in the same turn as the batch's update of the jobs. */
  logs: JobLogStore;
  logger: Logger;
}

interface Pending {
  write: JobWrite;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/**
 * Coalesces concurrent writes of different jobs into one unordered bulkWrite
 * per short tick (flushed at maxBatch updates or after delayMs, whichever
 * comes first), as River's batch completer does. Writes of one job that meet in
 * a batch are merged in sequence order; batches go out one after another, so
 * one instance never has two writes of a job in flight. Each caller is
 * answered when its own update is committed; one failed update fails only its
 * callers. The batch's log lines go to the log collection in one more command sent
 * alongside (JobLogStore.append, same sequence guard); a failure there is logged
 * and does not fail the job's write, which is committed.
 */
export class JobWriter {
  private readonly maxBatch: number;
  private readonly delayMs: number;
  private queued = new Map<string, Pending>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly Job: JobModel,
    private readonly opts: JobWriterOptions,
  ) {
    this.maxBatch = opts.maxBatch ?? 50;
    this.delayMs = opts.delayMs ?? 0;
  }

  /** Records one change; resolves once it is committed (or found older than what is stored). */
  write(write: JobWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = write.id.toHexString();
      const pending = this.queued.get(key);
      if (pending) {
        pending.write = merge(pending.write, write);
        pending.waiters.push({ resolve, reject });
      } else {
        this.queued.set(key, { write, waiters: [{ resolve, reject }] });
      }
      this.schedule();
    });
  }

  /** Records several changes; resolves when each is committed, with each one's outcome. */
  writeAll(writes: JobWrite[]): Promise<Array<PromiseSettledResult<void>>> {
    return Promise.allSettled(writes.map((w) => this.write(w)));
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush takes the next batch when it ends
    if (this.queued.size >= this.maxBatch) {
      this.flushNow();
    } else if (!this.timer) {
      this.timer = this.delayMs > 0 ? setTimeout(() => this.flushNow(), this.delayMs) : setImmediate(() => this.flushNow());
    }
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    const batch = [...this.queued.values()];
    this.queued = new Map();
    if (batch.length === 0) return;
    this.flushing = this.flush(batch).finally(() => {
      this.flushing = undefined;
      if (this.queued.size > 0) this.flushNow();
    });
  }

  /**
   * One command at a time: FerretDB v1 keeps a database connection per update of a command until
   * the command ends (it has 100), so commands sent together add up and can deadlock it.
   */
  private async flush(batch: Pending[]): Promise<void> {
    for (let i = 0; i < batch.length; i += this.maxBatch) await this.flushChunk(batch.slice(i, i + this.maxBatch));
  }

  private async flushChunk(chunk: Pending[]): Promise<void> {
    const ops = chunk.map(({ write }) => ({ updateOne: { filter: filterOf(write), update: updateOf(write) } }));
    const failed = new Map<number, unknown>();
    // Sent alongside when both commands together stay within maxBatch matched documents (FerretDB's
    // connections, above); a larger chunk's lines go after its update.
    const alongside = chunk.length * 2 <= this.maxBatch;
    const logged = alongside ? this.appendLogs(chunk) : undefined;
    try {
      // Mongoose leaves out an update it cannot cast and would report success; make that an error.
      await inClientSpan('bulkWrite jobs', BULK_WRITE, () => this.Job.bulkWrite(ops, { ordered: false, throwOnValidationError: true }));
    } catch (err) {
      if (err instanceof mongo.MongoServerError || (err instanceof Error && err.name === 'MongooseBulkWriteError')) {
        // Which updates failed cannot be read from the error on every backend: FerretDB v1 stops the
        // command at its first failing update and reports it at index 0, and mongoose re-indexes
        // around updates it left out. So each update is sent again alone: where it was applied, the
        // sequence guard makes it a no-op, and each caller learns its own outcome.
        const alone = await Promise.allSettled(ops.map((op) => this.Job.bulkWrite([op])));
        alone.forEach((r, i) => r.status === 'rejected' && failed.set(i, r.reason));
      } else {
        this.opts.logger.error({ err, updates: chunk.length }, 'job write batch failed');
        chunk.forEach((_, i) => failed.set(i, err));
      }
    }
    await (logged ?? this.appendLogs(chunk));
    chunk.forEach((p, i) => {
      const err = failed.get(i);
      for (const w of p.waiters) {
        if (err === undefined) w.resolve();
        else w.reject(err);
      }
    });
  }

  /** The chunk's log lines, in one command; never throws (a failure is logged with what was lost). */
  private async appendLogs(chunk: Pending[]): Promise<void> {
    const items = chunk.flatMap(({ write }) => (write.log?.length ? [{ id: write.id, seq: write.seq, lines: write.log }] : []));
    if (items.length === 0) return;
    try {
      await this.opts.logs.append(items);
    } catch (err) {
      this.opts.logger.error({ err, jobs: items.map((i) => i.id.toHexString()), lines: items.reduce((n, i) => n + i.lines.length, 0) }, 'job log lines not written');
    }
  }

  /** Writes what is queued and waits for it. */
  async drain(): Promise<void> {
    while (this.flushing || this.queued.size > 0) {
      if (!this.flushing) this.flushNow();
      await this.flushing?.catch(() => undefined);
    }
  }
}

/**
 * Which stored document a write applies to: its job, when the stored sequence is older (or absent: a
 * document from before sequences), and never a finished job taken back to an active status (a late write
 * of an attempt that Redis decided before losing its data must not reopen a job that ended since).
 */
function filterOf(write: JobWrite): Record<string, unknown> {
  const filter: Record<string, unknown> = { _id: write.id, seq: { $not: { $gte: write.seq } } };
  if (write.set.status && !isTerminal(write.set.status)) filter.status = { $nin: TERMINAL_STATUSES };
  return filter;
}

/** The update of one write: the hot state, the sequence, the actor of its last log line (the lines go to the log collection). */
function updateOf(write: JobWrite): Record<string, unknown> {
  const last = write.log?.at(-1);
  const update: Record<string, unknown> = { $set: { ...write.set, seq: write.seq, ...(last ? { lastActor: last.actor } : {}) } };
  if (write.unset?.length) update.$unset = Object.fromEntries(write.unset.map((f) => [f, 1]));
  return update;
}

/** Two writes of one job as one: the newer sequence's fields win, log lines in order. */
function merge(a: JobWrite, b: JobWrite): JobWrite {
  const [older, newer] = a.seq <= b.seq ? [a, b] : [b, a];
  const set: Partial<JobRecord> = { ...older.set, ...newer.set };
  const unset = new Set<keyof JobRecord>(older.unset ?? []);
  for (const f of Object.keys(newer.set) as Array<keyof JobRecord>) unset.delete(f);
  for (const f of newer.unset ?? []) {
    unset.add(f);
    delete set[f];
  }
  return { id: a.id, seq: newer.seq, set, unset: [...unset], log: [...(older.log ?? []), ...(newer.log ?? [])] };
}
