import { mongo, type Types } from 'mongoose';
import { inClientSpan, mongoSpan } from '../observability/tracing.js';
import type { Logger } from '../logger.js';
import type { JobModel } from '../models/job.js';
import type { JobLogRecord, JobRecord, RecentLogRecord } from '../models/job.js';
import { isTerminal, TERMINAL_STATUSES } from './jobRules.js';
import type { JobLogStore } from './jobLogs.js';
import { Batcher } from './batcher.js';

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
  /** The job logs: told of each committed write's lines (it moves them to their own collection later). */
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
 * callers. A write's log lines are part of its update (pushed into the job's
 * `recentLog` with the write's sequence number), so a job's state and its log
 * are committed together; the log store is told of the committed lines and
 * moves them to their own collection later, off this path (JobLogStore).
 */
export class JobWriter {
  private readonly maxBatch: number;
  private readonly batcher: Batcher<Pending>;

  constructor(
    private readonly Job: JobModel,
    private readonly opts: JobWriterOptions,
  ) {
    this.maxBatch = opts.maxBatch ?? 50;
    // One command at a time: FerretDB v1 keeps a database connection per update of a command until
    // the command ends (it has 100), so commands sent together add up and can deadlock it (the log
    // mover's commands take turns with these: JobLogStore.lane).
    this.batcher = new Batcher<Pending>({ chunk: this.maxBatch, delayMs: opts.delayMs ?? 0, send: (chunk) => this.flushChunk(chunk) });
  }

  /** Records one change; resolves once it is committed (or found older than what is stored). */
  write(write: JobWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batcher.add(write.id.toHexString(), (pending) => {
        if (!pending) return { write, waiters: [{ resolve, reject }] };
        pending.write = merge(pending.write, write);
        pending.waiters.push({ resolve, reject });
        return pending;
      });
    });
  }

  /**
   * Runs another write command on the jobs (the insert of new jobs) in turn with this writer's and the log
   * mover's commands (see CommandLane).
   */
  inTurn<T>(command: () => Promise<T>): Promise<T> {
    return this.opts.logs.lane.run(command);
  }

  /** Records several changes; resolves when each is committed, with each one's outcome. */
  writeAll(writes: JobWrite[]): Promise<Array<PromiseSettledResult<void>>> {
    return Promise.allSettled(writes.map((w) => this.write(w)));
  }

  private async flushChunk(chunk: Pending[]): Promise<void> {
    const ops = chunk.map(({ write }) => ({ updateOne: { filter: filterOf(write), update: updateOf(write) } }));
    const failed = new Map<number, unknown>();
    // In turn with the log mover's commands (see CommandLane).
    await this.opts.logs.lane.run(async () => {
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
    });
    this.opts.logs.written(chunk.flatMap(({ write }, i) => (failed.has(i) ? [] : [{ id: write.id, lines: write.log?.length ?? 0, ended: write.set.status !== undefined && isTerminal(write.set.status) }])));
    chunk.forEach((p, i) => {
      const err = failed.get(i);
      for (const w of p.waiters) {
        if (err === undefined) w.resolve();
        else w.reject(err);
      }
    });
  }

  /** Writes what is queued and waits for it (the log moves it queues are sent by JobLogStore.drain). */
  drain(): Promise<void> {
    return this.batcher.drain();
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

/** The update of one write: the hot state, the sequence, its log lines (at its sequence) and the actor of the last one. */
function updateOf(write: JobWrite): Record<string, unknown> {
  const last = write.log?.at(-1);
  const update: Record<string, unknown> = { $set: { ...write.set, seq: write.seq, ...(last ? { lastActor: last.actor } : {}) } };
  if (write.unset?.length) update.$unset = Object.fromEntries(write.unset.map((f) => [f, 1]));
  if (write.log?.length) update.$push = { recentLog: { $each: write.log.map((l): RecentLogRecord => ({ ...l, seq: write.seq })) } };
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
