import type { JobOperation } from '../generated/graphql.js';
import type { CapRecord } from '../models/cap.js';
import type { Models } from '../models/index.js';
import type { QueueCap, RedisQueue } from '../queue/index.js';
import { userError, type UserError } from './userErrors.js';

/** A cap as the API shows it: the setting and how full it is now. */
export interface CapView {
  operation: JobOperation;
  maxRunning: number | null;
  maxStarts: number | null;
  windowSeconds: number | null;
  running: number;
  startsInWindow: number;
  updatedBy: string;
  updatedAt: Date;
}

export interface CapInput {
  operation: JobOperation;
  maxRunning?: number | null;
  maxStarts?: number | null;
  windowSeconds?: number | null;
}

export const MAX_RUNNING_LIMIT = 100_000;
export const MAX_STARTS_LIMIT = 1_000_000;
export const MAX_WINDOW_SECONDS = 86_400;

/**
 * Concurrency caps and rate limits per operation: at most maxRunning jobs of it
 * leased at once, at most maxStarts starts per windowSeconds. Kept in MongoDB
 * (collection caps), mirrored into Redis where the claim script enforces them
 * (lua/lib/caps.lua), and copied back by the reconciler and after a Redis flush (sync).
 */
export class CapService {
  constructor(
    private readonly models: Models,
    private readonly queue: RedisQueue,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Every cap, by operation, with how full it is (one MongoDB read, one Redis round trip). */
  async list(): Promise<CapView[]> {
    const records = await this.models.Cap.find({}).sort({ _id: 1 }).lean<CapRecord[]>();
    const fill = await this.queue.capFill(new Map(records.map((r) => [r._id, toQueueCap(r)])));
    return records.map((r) => view(r, fill.get(r._id) ?? { running: 0, startsInWindow: 0 }));
  }

  async set(input: CapInput, actor: string): Promise<{ cap: CapView | null; userErrors: UserError[] }> {
    const errors = validate(input);
    if (errors.length) return { cap: null, userErrors: errors };
    const record: CapRecord = {
      _id: input.operation,
      maxRunning: input.maxRunning ?? null,
      maxStarts: input.maxStarts ?? null,
      windowSeconds: input.maxStarts != null ? input.windowSeconds! : null,
      updatedBy: actor,
      updatedAt: this.clock(),
    };
    // MongoDB first (the home), then the copy the claim reads.
    await this.models.Cap.replaceOne({ _id: record._id }, record, { upsert: true });
    await this.queue.setCap(record._id, toQueueCap(record));
    const fill = await this.queue.capFill(new Map([[record._id, toQueueCap(record)]]));
    return { cap: view(record, fill.get(record._id)!), userErrors: [] };
  }

  async remove(operation: JobOperation): Promise<{ removed: boolean; userErrors: UserError[] }> {
    const r = await this.models.Cap.deleteOne({ _id: operation });
    await this.queue.setCap(operation, null);
    if (r.deletedCount === 0) return { removed: false, userErrors: [userError('NOT_FOUND', `${operation} has no cap`, ['input', 'operation'])] };
    return { removed: true, userErrors: [] };
  }

  /**
   * Copies MongoDB's caps to Redis when they differ (the reconciler, and the restore after Redis lost its
   * data, before claims resume). Returns whether anything was copied.
   */
  async sync(): Promise<boolean> {
    const [records, inRedis] = await Promise.all([this.models.Cap.find({}).lean<CapRecord[]>(), this.queue.caps()]);
    const wanted = new Map(records.map((r) => [r._id as string, toQueueCap(r)]));
    const same = wanted.size === inRedis.size && [...wanted].every(([op, cap]) => JSON.stringify(cap) === JSON.stringify(inRedis.get(op)));
    if (same) return false;
    await this.queue.replaceCaps(wanted);
    return true;
  }
}

function validate(input: CapInput): UserError[] {
  const errors: UserError[] = [];
  const int = (v: number | null | undefined, max: number, field: string, what: string) => {
    if (v == null) return;
    if (!Number.isInteger(v) || v < 1 || v > max) errors.push(userError('INVALID_PARAMETERS', `${what}: an integer from 1 to ${max}`, ['input', field]));
  };
  int(input.maxRunning, MAX_RUNNING_LIMIT, 'maxRunning', 'maxRunning');
  int(input.maxStarts, MAX_STARTS_LIMIT, 'maxStarts', 'maxStarts');
  int(input.windowSeconds, MAX_WINDOW_SECONDS, 'windowSeconds', 'windowSeconds');
  if (input.maxRunning == null && input.maxStarts == null) {
    errors.push(userError('INVALID_PARAMETERS', 'give maxRunning, maxStarts (with windowSeconds) or both; concurrencyCapDelete removes a cap', ['input']));
  }
  if ((input.maxStarts == null) !== (input.windowSeconds == null)) {
    errors.push(userError('INVALID_PARAMETERS', 'maxStarts and windowSeconds go together', ['input', input.maxStarts == null ? 'maxStarts' : 'windowSeconds']));
  }
  return errors;
}

function toQueueCap(r: Pick<CapRecord, 'maxRunning' | 'maxStarts' | 'windowSeconds'>): QueueCap {
  const rate = r.maxStarts != null && r.windowSeconds != null;
  return { maxRunning: r.maxRunning ?? null, maxStarts: rate ? r.maxStarts : null, windowMs: rate ? r.windowSeconds! * 1000 : null };
}

function view(r: CapRecord, fill: { running: number; startsInWindow: number }): CapView {
  return {
    operation: r._id,
    maxRunning: r.maxRunning ?? null,
    maxStarts: r.maxStarts ?? null,
    windowSeconds: r.windowSeconds ?? null,
    running: fill.running,
    startsInWindow: fill.startsInWindow,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  };
}
