import type { JobOperation } from '../generated/graphql.js';
import type { CapRecord } from '../models/cap.js';
import type { Models } from '../models/index.js';
import { scopeOf, type QueueCap, type RedisQueue } from '../queue/index.js';
import { userError, type UserError } from './userErrors.js';

/** A cap as the API shows it: the setting and how full it is now. */
export interface CapView {
  operation: JobOperation;
  targetPrefix: string | null;
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
  targetPrefix?: string | null;
  maxRunning?: number | null;
  maxStarts?: number | null;
  windowSeconds?: number | null;
}

export const MAX_RUNNING_LIMIT = 100_000;
export const MAX_STARTS_LIMIT = 1_000_000;
export const MAX_WINDOW_SECONDS = 86_400;
/** Target prefixes: the start of a dataset name. */
const TARGET_PREFIX = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Group caps per operation: each claim of the operation checks a job's target against every one. */
export const MAX_GROUPS_PER_OPERATION = 20;

/**
 * Concurrency caps and rate limits per operation, or per group of an operation's targets named
 * by a prefix: at most maxRunning jobs of the scope leased at once, at most maxStarts starts per
 * windowSeconds. Kept in MongoDB (collection caps), mirrored into Redis where the claim script
 * enforces them (lua/lib/caps.lua), and copied back by the reconciler and after a Redis flush (sync).
 */
export class CapService {
  constructor(
    private readonly models: Models,
    private readonly queue: RedisQueue,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Every cap, by scope, with how full it is (one MongoDB read, one Redis round trip). */
  async list(): Promise<CapView[]> {
    const records = await this.records();
    const fill = await this.queue.capFill(records.map(toQueueCap));
    return records.map((r) => view(r, fill.get(r._id) ?? { running: 0, startsInWindow: 0 }));
  }

  async set(input: CapInput, actor: string): Promise<{ cap: CapView | null; userErrors: UserError[] }> {
    const errors = validate(input);
    const targetPrefix = input.targetPrefix ?? null;
    if (!errors.length && targetPrefix) {
      const groups = await this.models.Cap.countDocuments({ operation: input.operation, targetPrefix: { $ne: null }, _id: { $ne: scopeOf({ operation: input.operation, targetPrefix }) } });
      if (groups >= MAX_GROUPS_PER_OPERATION) errors.push(userError('TOO_MANY_GROUPS', `at most ${MAX_GROUPS_PER_OPERATION} target groups per operation`, ['input', 'targetPrefix']));
    }
    if (errors.length) return { cap: null, userErrors: errors };
    const record: CapRecord = {
      _id: scopeOf({ operation: input.operation, targetPrefix }),
      operation: input.operation,
      targetPrefix,
      maxRunning: input.maxRunning ?? null,
      maxStarts: input.maxStarts ?? null,
      windowSeconds: input.maxStarts != null ? input.windowSeconds! : null,
      updatedBy: actor,
      updatedAt: this.clock(),
    };
    // MongoDB first (the home), then the copy the claim reads: the whole set, so Redis matches MongoDB.
    await this.models.Cap.replaceOne({ _id: record._id }, record, { upsert: true });
    await this.sync(true);
    const fill = await this.queue.capFill([toQueueCap(record)]);
    return { cap: view(record, fill.get(record._id)!), userErrors: [] };
  }

  async remove(operation: JobOperation, targetPrefix: string | null | undefined): Promise<{ removed: boolean; userErrors: UserError[] }> {
    const scope = scopeOf({ operation, targetPrefix: targetPrefix ?? null });
    const r = await this.models.Cap.deleteOne({ _id: scope });
    await this.sync(true);
    if (r.deletedCount === 0) return { removed: false, userErrors: [userError('NOT_FOUND', `${scope} has no cap`, ['input', targetPrefix ? 'targetPrefix' : 'operation'])] };
    return { removed: true, userErrors: [] };
  }

  /**
   * Copies MongoDB's caps to Redis when they differ (`force`: always), in one transaction: after a change,
   * from the reconciler, and in the restore after Redis lost its data, before claims resume. Returns whether
   * anything was copied.
   */
  async sync(force = false): Promise<boolean> {
    const [records, inRedis] = await Promise.all([this.records(), force ? null : this.queue.caps()]);
    const wanted = records.map(toQueueCap);
    if (inRedis) {
      const same = wanted.length === inRedis.size && wanted.every((cap) => JSON.stringify(cap) === JSON.stringify(inRedis.get(scopeOf(cap))));
      if (same) return false;
    }
    await this.queue.replaceCaps(wanted);
    return true;
  }

  private records(): Promise<CapRecord[]> {
    return this.models.Cap.find({}).sort({ _id: 1 }).lean<CapRecord[]>();
  }
}

function validate(input: CapInput): UserError[] {
  const errors: UserError[] = [];
  const int = (v: number | null | undefined, max: number, field: string) => {
    if (v == null) return;
    if (!Number.isInteger(v) || v < 1 || v > max) errors.push(userError('INVALID_PARAMETERS', `${field}: an integer from 1 to ${max}`, ['input', field]));
  };
  int(input.maxRunning, MAX_RUNNING_LIMIT, 'maxRunning');
  int(input.maxStarts, MAX_STARTS_LIMIT, 'maxStarts');
  int(input.windowSeconds, MAX_WINDOW_SECONDS, 'windowSeconds');
  if (input.targetPrefix != null && !TARGET_PREFIX.test(input.targetPrefix)) {
    errors.push(userError('INVALID_PARAMETERS', 'targetPrefix: the start of a dataset name ([A-Z0-9_], starting with a letter, at most 64)', ['input', 'targetPrefix']));
  }
  if (input.maxRunning == null && input.maxStarts == null) {
    errors.push(userError('INVALID_PARAMETERS', 'give maxRunning, maxStarts (with windowSeconds) or both; concurrencyCapDelete removes a cap', ['input']));
  }
  if ((input.maxStarts == null) !== (input.windowSeconds == null)) {
    errors.push(userError('INVALID_PARAMETERS', 'maxStarts and windowSeconds go together', ['input', input.maxStarts == null ? 'maxStarts' : 'windowSeconds']));
  }
  return errors;
}

function toQueueCap(r: CapRecord): QueueCap {
  const rate = r.maxStarts != null && r.windowSeconds != null;
  return {
    operation: r.operation,
    targetPrefix: r.targetPrefix ?? null,
    maxRunning: r.maxRunning ?? null,
    maxStarts: rate ? r.maxStarts : null,
    windowMs: rate ? r.windowSeconds! * 1000 : null,
  };
}

function view(r: CapRecord, fill: { running: number; startsInWindow: number }): CapView {
  return {
    operation: r.operation,
    targetPrefix: r.targetPrefix ?? null,
    maxRunning: r.maxRunning ?? null,
    maxStarts: r.maxStarts ?? null,
    windowSeconds: r.windowSeconds ?? null,
    running: fill.running,
    startsInWindow: fill.startsInWindow,
    updatedBy: r.updatedBy,
    updatedAt: r.updatedAt,
  };
}
