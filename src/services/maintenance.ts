import { Types } from 'mongoose';
import { isDuplicateKey, type Models } from '../models/index.js';
import type { MaintenanceEventRecord } from '../models/maintenance.js';
import { RUNNING_STATUSES } from './jobRules.js';
import { parseObjectId } from './byIds.js';
import { decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import { userError, type UserError } from './userErrors.js';

export interface MaintenanceStatusView {
  paused: boolean;
  message: string;
  setBy: string;
  since: Date;
  drained: boolean;
  runningJobs: number;
  queuedJobs: number;
}

/** Told when maintenance is switched (the queue's claim flag listens here). */
export type MaintenanceListener = (paused: boolean) => Promise<void> | void;

/** The initial "not paused" entry has a fixed id, so instances starting together record it once. */
const INITIAL_ID = new Types.ObjectId('000000000000000000000000');

/** Maintenance mode: history in Mongo (newest first), the drained indicator from job counts. */
export class MaintenanceService {
  private readonly listeners: MaintenanceListener[] = [];

  constructor(
    private readonly models: Models,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  listen(listener: MaintenanceListener): void {
    this.listeners.push(listener);
  }

  /** Records the initial entry on the first start (idempotent across instances). */
  async ensureInitial(): Promise<void> {
    try {
      await this.models.MaintenanceEvent.collection.insertOne({ _id: INITIAL_ID, paused: false, message: 'initial state', setBy: 'system', at: this.clock() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async latest(): Promise<MaintenanceEventRecord> {
    const latest = await this.models.MaintenanceEvent.findOne({}).sort({ at: -1, _id: -1 }).lean<MaintenanceEventRecord>();
    return latest ?? { _id: INITIAL_ID, paused: false, message: 'initial state', setBy: 'system', at: new Date(0) };
  }

  async status(): Promise<MaintenanceStatusView> {
    const [latest, runningJobs, queuedJobs] = await Promise.all([
      this.latest(),
      this.models.Job.countDocuments({ status: { $in: [...RUNNING_STATUSES] } }),
      this.models.Job.countDocuments({ status: 'QUEUED' }),
    ]);
    return {
      paused: latest.paused,
      message: latest.message,
      setBy: latest.setBy,
      since: latest.at,
      drained: latest.paused && runningJobs === 0,
      runningJobs,
      queuedJobs,
    };
  }

  async set(paused: boolean, message: string, actor: string): Promise<{ status: MaintenanceStatusView | null; userErrors: UserError[] }> {
    const text = message.trim();
    if (!text || text.length > 1000) return { status: null, userErrors: [userError('INVALID_PARAMETERS', 'message: 1 to 1000 characters', ['input', 'message'])] };
    await this.models.MaintenanceEvent.collection.insertOne({ _id: new Types.ObjectId(), paused, message: text, setBy: actor, at: this.clock() });
    for (const l of this.listeners) await l(paused);
    return { status: await this.status(), userErrors: [] };
  }

  async history(args: { first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<MaintenanceEventRecord>> {
    const first = pageSize(args.first);
    let page: Record<string, unknown> = {};
    if (args.after) {
      const [at, oid] = decodeCursor(args.after, ['number', 'objectId']);
      const when = new Date(at);
      page = { $or: [{ at: { $lt: when } }, { at: when, _id: { $lt: oid } }] };
    }
    const totalCount = lazyCount(() => this.models.MaintenanceEvent.countDocuments({}), opts.countNow);
    const items = await this.models.MaintenanceEvent.find(page).sort({ at: -1, _id: -1 }).limit(first + 1).lean<MaintenanceEventRecord[]>();
    return toConnection(items, first, args.after, (e) => encodeCursor([e.at.getTime(), e._id.toHexString()]), totalCount);
  }

  async byId(id: string): Promise<MaintenanceEventRecord | null> {
    const oid = parseObjectId(id);
    return oid ? this.models.MaintenanceEvent.findOne({ _id: oid }).lean<MaintenanceEventRecord>() : null;
  }
}
