import type { ModifyResult } from 'mongoose';
import type { QueueConfig } from '../config.js';
import type { JobOperation, WorkerEventKind, WorkerHeartbeatInput } from '../generated/graphql.js';
import { upsertRetryingOnce, type Models } from '../models/index.js';
import type { WorkerRecord } from '../models/worker.js';
import type { RedisQueue } from '../queue/index.js';
import { findByIds } from './byIds.js';
import { decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import { userError, type UserError } from './userErrors.js';

export const WORKER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The workerId rule as a userError; null when the id is fine. */
export function workerIdError(workerId: string): UserError | null {
  return WORKER_ID.test(workerId) ? null : userError('INVALID_PARAMETERS', 'workerId: 1 to 128 of [A-Za-z0-9_.:-]', ['input', 'workerId']);
}

/** The progress rule (a fraction from 0 to 1) as a userError; null when it holds or is absent. */
export function progressError(progress: number | null | undefined): UserError | null {
  if (progress === null || progress === undefined || (progress >= 0 && progress <= 1)) return null;
  return userError('INVALID_PARAMETERS', 'progress is a fraction from 0 to 1', ['input', 'progress']);
}
const MAX_INFO_BYTES = 16 * 1024;

/** A worker as the API shows it: its record plus whether it is alive now. */
export type WorkerView = WorkerRecord & { alive: boolean };

/**
 * Workers register with their first heartbeat and stay alive while heartbeats
 * keep coming within CLIENT_EXPIRY_SECONDS. The disabled flag lives in Mongo
 * (source of truth) and in Redis, where the claim script reads it atomically.
 */
/** Told of every worker change (the event service publishes them). */
export type WorkerListener = (kind: WorkerEventKind, workerId: string, worker: WorkerView | null) => Promise<void> | void;

export class WorkerService {
  private readonly listeners: WorkerListener[] = [];

  constructor(
    private readonly models: Models,
    private readonly queue: RedisQueue,
    private readonly cfg: QueueConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  listen(listener: WorkerListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners; `worker` is the record as the change wrote it (null once removed). */
  private async notify(kind: WorkerEventKind, workerId: string, worker: WorkerRecord | null): Promise<void> {
    const view = worker && this.view(worker);
    for (const l of this.listeners) await l(kind, workerId, view);
  }

  /** A worker whose last heartbeat is at or before this moment is no longer alive. */
  private expiryCutoff(): Date {
    return new Date(this.clock().getTime() - this.cfg.clientExpirySeconds * 1000);
  }

  private view(w: WorkerRecord): WorkerView {
    return { ...w, alive: w.lastHeartbeatAt > this.expiryCutoff() };
  }

  async heartbeat(input: WorkerHeartbeatInput) {
    const info = input.info === undefined || input.info === null ? null : JSON.stringify(input.info);
    const tooLarge = info && Buffer.byteLength(info) > MAX_INFO_BYTES ? userError('INVALID_PARAMETERS', `info is larger than ${MAX_INFO_BYTES} bytes`, ['input', 'info']) : null;
    const errors = [workerIdError(input.workerId), tooLarge, progressError(input.progress)].filter((e): e is UserError => e !== null);
    for (const [field, value] of [['hostname', input.hostname], ['version', input.version]] as const) {
      if (value && value.length > 256) errors.push(userError('INVALID_PARAMETERS', `${field}: at most 256 characters`, ['input', field]));
    }
    if (errors.length) return { ...this.intervals(), disabled: false, maintenance: false, queuePaused: false, userErrors: errors };

    const now = this.clock();
    const set: Partial<WorkerRecord> = {
      lastHeartbeatAt: now,
      status: input.status,
      hostname: input.hostname ?? null,
      version: input.version ?? null,
      currentJobId: input.currentJobId ?? null,
      progress: input.progress ?? null,
      info,
      expiredAt: null,
    };
    if (input.operations) set.operations = input.operations as JobOperation[];
    const update = { $set: { ...set, workerId: input.workerId }, $setOnInsert: { disabled: false, firstSeenAt: now, ...(input.operations ? {} : { operations: [] }) } };
    // The written record comes back with the write (no second read for the event).
    const written = await upsertRetryingOnce(() =>
      this.models.Worker.findOneAndUpdate({ _id: input.workerId }, update, { upsert: true, returnDocument: 'after', includeResultMetadata: true }).lean<ModifyResult<WorkerRecord>>(),
    );
    const registered = !written.lastErrorObject?.updatedExisting;
    await this.notify(registered ? 'REGISTERED' : 'HEARTBEAT', input.workerId, written.value ?? null);
    const [flags, disabled] = await Promise.all([this.queue.flags(), this.queue.isWorkerDisabled(input.workerId)]);
    return { ...this.intervals(), disabled, maintenance: flags.maintenance, queuePaused: flags.paused, userErrors: [] };
  }

  private intervals() {
    return { heartbeatIntervalSeconds: this.cfg.heartbeatIntervalSeconds, expirySeconds: this.cfg.clientExpirySeconds };
  }

  /**
   * Tells the listeners once of each worker whose heartbeats stopped (EXPIRED). The conditional update
   * marks it, so with several instances only the one that marks it tells; the next heartbeat clears the mark.
   */
  async announceExpired(limit = 100): Promise<number> {
    const cutoff = this.expiryCutoff();
    let announced = 0;
    while (announced < limit) {
      const w = await this.models.Worker.findOneAndUpdate({ lastHeartbeatAt: { $lte: cutoff }, expiredAt: null }, { $set: { expiredAt: this.clock() } }, { returnDocument: 'after' }).lean<WorkerRecord>();
      if (!w) break;
      announced++;
      await this.notify('EXPIRED', w.workerId, w);
    }
    return announced;
  }

  async byIds(ids: readonly string[]): Promise<Array<WorkerView | null>> {
    const found = await findByIds<WorkerRecord>(this.models.Worker, ids.map(String));
    const byId = new Map(found.map((w) => [w.workerId, this.view(w)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Workers alive now (one count in MongoDB; metrics and job stats read it at most once a second). */
  countAlive(): Promise<number> {
    return this.models.Worker.countDocuments({ lastHeartbeatAt: { $gt: this.expiryCutoff() } });
  }

  async list(args: { alive?: boolean | null; first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<WorkerView>> {
    const first = pageSize(args.first);
    const cutoff = this.expiryCutoff();
    const filter: Record<string, unknown> = {};
    if (args.alive === true) filter.lastHeartbeatAt = { $gt: cutoff };
    if (args.alive === false) filter.lastHeartbeatAt = { $lte: cutoff };
    const page = { ...filter };
    if (args.after) page._id = { $gt: decodeCursor(args.after, ['string'])[0] };
    const totalCount = lazyCount(() => this.models.Worker.countDocuments(filter), opts.countNow);
    const items = await this.models.Worker.find(page).sort({ _id: 1 }).limit(first + 1).lean<WorkerRecord[]>();
    return toConnection(items.map((w) => this.view(w)), first, args.after, (w) => encodeCursor([w.workerId]), totalCount);
  }

  async setDisabled(workerId: string, disabled: boolean): Promise<{ worker: WorkerView | null; userErrors: UserError[] }> {
    const worker = await this.models.Worker.findOneAndUpdate({ _id: String(workerId) }, { $set: { disabled } }, { returnDocument: 'after' }).lean<WorkerRecord>();
    if (!worker) return { worker: null, userErrors: [userError('NOT_FOUND', 'no worker with this id', ['input', 'workerId'])] };
    await this.queue.setWorkerDisabled(workerId, disabled);
    await this.notify(disabled ? 'DISABLED' : 'ENABLED', workerId, worker);
    return { worker: this.view(worker), userErrors: [] };
  }

  async remove(workerId: string): Promise<{ removed: boolean; userErrors: UserError[] }> {
    const res = await this.models.Worker.deleteOne({ _id: String(workerId) });
    if (res.deletedCount === 0) return { removed: false, userErrors: [userError('NOT_FOUND', 'no worker with this id', ['input', 'workerId'])] };
    await this.queue.setWorkerDisabled(workerId, false);
    await this.notify('REMOVED', workerId, null);
    return { removed: true, userErrors: [] };
  }

  /** Disabled worker ids per Mongo (the reconciler copies them to Redis). */
  async disabledIds(): Promise<string[]> {
    return (await this.models.Worker.find({ disabled: true }, { workerId: 1 }).lean<Array<Pick<WorkerRecord, 'workerId'>>>()).map((w) => w.workerId);
  }
}
