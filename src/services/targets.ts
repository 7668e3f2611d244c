import type { JobStatus } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import { isDuplicateKey, upsertRetryingOnce, type Models } from '../models/index.js';
import type { TargetActionRecord, TargetRecord } from '../models/target.js';
import { findByIds } from './byIds.js';
import { decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';

/**
 * What the API's Target is built from: the stored record, or only a name (a
 * job's target: its name is on the job, and the record is read only when a
 * field other than the name is asked for; `job` stands in while no record exists yet).
 */
export type TargetRef = TargetRecord | { name: string; job?: JobRecord };

/** Most upserts in one command: FerretDB v1 holds a database connection per document one command matches (it has 100). */
const UPSERT_CHUNK = 50;

/**
 * Targets. A target's document is written only when what it shows changes
 * otherwise than through its job: when a job for it is created (its last
 * action) and when a completed bump makes it the last action of the datasets
 * it names. Its status and last change follow the job of its last action
 * (read through that job, see the Target resolvers), so a job's status changes
 * write nothing here.
 */
export class TargetService {
  constructor(private readonly models: Models) {}

  /** Records created jobs as their targets' last action; returns each job's target as written, in order. */
  async recordCreated(jobs: JobRecord[], actor: string, at: Date): Promise<TargetRecord[]> {
    const targets = jobs.map((job) => written(job.target, job.status, actionOf(job), actor, at));
    await this.upsertMany(targets);
    return targets;
  }

  /** A completed DATASTORE bump is the last action of every non-draft dataset its manifesto names. */
  async recordBump(job: JobRecord, at: Date): Promise<void> {
    const action = actionOf(job);
    const updates = (job.bumpManifesto?.dataStructureUpdates ?? [])
      .filter((u) => u.releaseStatus !== 'DRAFT')
      .map((u) => written(u.name, job.status, { ...action, releaseStatus: u.releaseStatus }, job.createdBy, at));
    await this.upsertMany(updates);
  }

  private async upsertMany(targets: TargetRecord[]): Promise<void> {
    for (let i = 0; i < targets.length; i += UPSERT_CHUNK) {
      const ops = targets.slice(i, i + UPSERT_CHUNK).map(({ _id, ...fields }) => ({ updateOne: { filter: { _id }, update: { $set: fields }, upsert: true } }));
      // Two first writers of one name race on the unique index.
      await upsertRetryingOnce(() => this.models.Target.bulkWrite(ops, { ordered: false }), (err) => isDuplicateKey(err) || hasOnlyDuplicateWriteErrors(err));
    }
  }

  async byNames(names: readonly string[]): Promise<Array<TargetRecord | null>> {
    const found = await findByIds<TargetRecord>(this.models.Target, names.map(String));
    const byName = new Map(found.map((t) => [t.name, t]));
    return names.map((n) => byName.get(String(n)) ?? null);
  }

  async byName(name: string): Promise<TargetRecord | null> {
    return this.models.Target.findOne({ _id: String(name) }).lean<TargetRecord>();
  }

  async list(args: { nameStartsWith?: string | null; first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<TargetRecord>> {
    const first = pageSize(args.first);
    const filter: Record<string, unknown> = {};
    if (args.nameStartsWith) filter.name = { $regex: `^${escapeRegex(args.nameStartsWith)}` };
    const page: Record<string, unknown> = { ...filter };
    if (args.after) {
      const [name] = decodeCursor(args.after, ['string']);
      page.name = { ...(filter.name as object | undefined), $gt: name };
    }
    const totalCount = lazyCount(() => this.models.Target.countDocuments(filter), opts.countNow);
    const items = await this.models.Target.find(page).sort({ name: 1, _id: 1 }).limit(first + 1).lean<TargetRecord[]>();
    return toConnection(items, first, args.after, (t) => encodeCursor([t.name]), totalCount);
  }
}

/** A target document as one upsert writes it (every field set). */
function written(name: string, status: JobStatus, lastAction: TargetActionRecord, actor: string, at: Date): TargetRecord {
  return { _id: name, name, lastUpdatedAt: at, lastUpdatedBy: actor, status, lastAction };
}

function actionOf(job: JobRecord): TargetActionRecord {
  return {
    operation: job.operation,
    status: job.status,
    releaseStatus: job.releaseStatus ?? null,
    bumpFromVersion: job.bumpFromVersion ?? null,
    bumpToVersion: job.bumpToVersion ?? null,
    jobId: job._id,
  };
}

export function targetGlobalId(name: string): string {
  return `Target:${name}`;
}

/** RE2-compatible literal (DESIGN.md rule 7). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hasOnlyDuplicateWriteErrors(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: Array<{ code?: number }> }).writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => e.code === 11000);
}
