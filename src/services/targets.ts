import type { JobStatus } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import { isDuplicateKey, upsertRetryingOnce, type Models } from '../models/index.js';
import type { TargetActionRecord, TargetRecord } from '../models/target.js';
import { findByIds } from './byIds.js';
import { decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';

/** Targets: upserted whenever one of their jobs is created or changes status. */
export class TargetService {
  /** pointLookups: look targets up one `_id` at a time (FerretDB, see findByIds). */
  constructor(
    private readonly models: Models,
    private readonly pointLookups = false,
  ) {}

  /**
   * Records a job's creation or status change on its target, and a completed bump's effect on the
   * datasets it names. Returns the job's own target as written: the upsert sets every field, so
   * the written document is known without reading it back.
   */
  async recordJob(job: JobRecord, actor: string, at: Date): Promise<TargetRecord> {
    const action = actionOf(job);
    const updates = [written(job.target, job.status, action, actor, at)];
    if (job.operation === 'BUMP' && job.status === 'COMPLETED') {
      for (const u of job.bumpManifesto?.dataStructureUpdates ?? []) {
        if (u.releaseStatus === 'DRAFT') continue;
        updates.push(written(u.name, job.status, { ...action, releaseStatus: u.releaseStatus }, actor, at));
      }
    }
    await this.upsertMany(updates);
    return updates[0]!;
  }

  /** Records many created jobs at once (jobsCreate); returns each job's target as written, in order. */
  async recordCreated(jobs: JobRecord[], actor: string, at: Date): Promise<TargetRecord[]> {
    const targets = jobs.map((job) => written(job.target, job.status, actionOf(job), actor, at));
    await this.upsertMany(targets);
    return targets;
  }

  private async upsertMany(targets: TargetRecord[]): Promise<void> {
    if (targets.length === 0) return;
    const ops = targets.map(({ _id, ...fields }) => ({ updateOne: { filter: { _id }, update: { $set: fields }, upsert: true } }));
    // Two first writers of one name race on the unique index.
    await upsertRetryingOnce(() => this.models.Target.bulkWrite(ops, { ordered: false }), (err) => isDuplicateKey(err) || hasOnlyDuplicateWriteErrors(err));
  }

  /** What a job's target looks like before its first upsert landed (never stored). */
  placeholder(job: JobRecord): TargetRecord {
    return written(job.target, job.status, actionOf(job), job.createdBy, job.updatedAt);
  }

  async byNames(names: readonly string[]): Promise<Array<TargetRecord | null>> {
    const found = await findByIds<TargetRecord>(this.models.Target, names.map(String), this.pointLookups);
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
