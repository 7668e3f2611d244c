import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { Types } from 'mongoose';
import type { JobCreateInput } from '../generated/graphql.js';
import type { Logger } from '../logger.js';
import { isDuplicateKey, type Models } from '../models/index.js';
import type { MaintenancePolicy, MissedPolicy, OverlapPolicy, RunOutcome, ScheduleRecord, ScheduleRunRecord } from '../models/schedule.js';
import type { RedisQueue } from '../queue/index.js';
import { parseObjectId } from './byIds.js';
import { isTerminal, validateJobCreate } from './jobRules.js';
import type { JobService } from './jobs.js';
import type { JobLifecycle } from './lifecycle.js';
import { badInput, decodeCursor, encodeCursor, lazyCount, pageSize, toConnection, type Connection, type ListOptions } from './pagination.js';
import { userError, type UserError } from './userErrors.js';

/** Runs kept per schedule (newest first). */
export const SCHEDULE_RUNS_KEPT = 20;
/** Most scheduled times one pass handles per schedule (a longer backlog is the missed-run policy's). */
const MAX_TIMES_PER_PASS = 100;
/** How long the instance that won a time holds it before another may take it over (it died, say). */
const TIME_HOLD_MS = 30_000;
/** How long a fired time stays marked in Redis; longer than any pass that may still hold an older copy of the schedule. */
const TIME_KEEP_MS = 600_000;
const MAX_PREVIEW = 50;
/** The scheduler step reads the schedules at least this often (to see changes made on other instances), and otherwise only when one is due. */
const REREAD_MS = 2_000;
/** A scheduled time this late when its pass comes (the service was down) is handled by the missed-run policy. */
export const MISSED_GRACE_MS = 60_000;

export interface ScheduleInput {
  name: string;
  cron: string;
  timeZone?: string | null;
  job: JobCreateInput;
  overlap?: OverlapPolicy | null;
  missedRuns?: MissedPolicy | null;
  maintenance?: MaintenancePolicy | null;
  paused?: boolean | null;
}

export interface ScheduleUpdateInput {
  id: string;
  name?: string | null;
  cron?: string | null;
  timeZone?: string | null;
  job?: JobCreateInput | null;
  overlap?: OverlapPolicy | null;
  missedRuns?: MissedPolicy | null;
  maintenance?: MaintenancePolicy | null;
}

export interface ScheduleDeps {
  models: Models;
  queue: RedisQueue;
  lifecycle: JobLifecycle;
  jobs: JobService;
  /** The maintenance switch as the claim reads it. */
  isMaintenance: () => Promise<boolean>;
  bumpEnabled: boolean;
  /** A scheduled time later than this when its pass comes (the service was down) is handled by the missed-run policy. */
  missedGraceMs: number;
  clock: () => Date;
  logger: Logger;
}

type Result = { schedule: ScheduleRecord | null; userErrors: UserError[] };

/**
 * Cron schedules that create jobs from a template. Kept in MongoDB; each scheduled time is fired exactly once
 * across instances: the instance that wins the time in Redis (SET NX on <prefix>q:sched:<id>:<ms>) creates
 * the job, under an id derived from the schedule and the time (a second insert of it is a duplicate, so a
 * winner that died half-way is taken over without a second job), records the run and moves `nextRunAt` on.
 * Jobs are created through the lifecycle, like any other.
 */
export class ScheduleService {
  /** Before this time (ms) no schedule is due as far as this instance read: the scheduler step reads nothing. */
  private nextCheckAt = 0;

  constructor(private readonly d: ScheduleDeps) {}

  // ---- reads

  async byId(id: string): Promise<ScheduleRecord | null> {
    const oid = parseObjectId(id);
    return oid ? this.d.models.Schedule.findOne({ _id: oid }).lean<ScheduleRecord>() : null;
  }

  /** Schedules by name (then id), keyset-paged. */
  async list(args: { first?: number | null; after?: string | null }, opts: ListOptions = {}): Promise<Connection<ScheduleRecord>> {
    const first = pageSize(args.first);
    let filter: Record<string, unknown> = {};
    if (args.after) {
      const [name, id] = decodeCursor(args.after, ['string', 'string']);
      if (!Types.ObjectId.isValid(id)) throw badInput('after: not a cursor from this connection');
      filter = { $or: [{ name: { $gt: name } }, { name, _id: { $gt: new Types.ObjectId(id) } }] };
    }
    const totalCount = lazyCount(() => this.d.models.Schedule.countDocuments({}), opts.countNow);
    const items = await this.d.models.Schedule.find(filter).sort({ name: 1, _id: 1 }).limit(first + 1).lean<ScheduleRecord[]>();
    return toConnection(items, first, args.after, (s) => encodeCursor([s.name, s._id.toHexString()]), totalCount);
  }

  /** The next `count` times of a schedule after now (none while paused is still shown: what resuming would give). */
  nextRuns(s: Pick<ScheduleRecord, 'cron' | 'timeZone'>, count: number): Date[] {
    return nextTimes(s.cron, s.timeZone, this.d.clock().getTime(), Math.min(Math.max(1, count), MAX_PREVIEW));
  }

  /** The next times of a cron expression, or the userErrors that make it invalid (the admin app's preview). */
  preview(cron: string, timeZone: string | null | undefined, count: number | null | undefined): { times: Date[]; userErrors: UserError[] } {
    const tz = timeZone ?? 'UTC';
    const errors = cronErrors(cron, tz, []);
    if (errors.length) return { times: [], userErrors: errors };
    return { times: nextTimes(cron, tz, this.d.clock().getTime(), Math.min(Math.max(1, count ?? 5), MAX_PREVIEW)), userErrors: [] };
  }

  // ---- changes (ADMIN)

  async create(input: ScheduleInput, actor: string): Promise<Result> {
    const tz = input.timeZone ?? 'UTC';
    const name = input.name.trim();
    const errors = [...nameErrors(name), ...cronErrors(input.cron, tz, ['input']), ...this.templateErrors(input.job)];
    if (errors.length) return { schedule: null, userErrors: errors };
    const now = this.d.clock();
    const doc: ScheduleRecord = {
      _id: new Types.ObjectId(),
      name,
      cron: input.cron.trim(),
      timeZone: tz,
      template: JSON.stringify(input.job),
      overlap: input.overlap ?? 'SKIP',
      missedRuns: input.missedRuns ?? 'SKIP',
      maintenance: input.maintenance ?? 'SKIP',
      paused: input.paused ?? false,
      nextRunAt: nextTimes(input.cron, tz, now.getTime(), 1)[0] ?? null,
      deferredAt: null,
      lastRuns: [],
      createdBy: actor,
      createdAt: now,
      updatedBy: actor,
      updatedAt: now,
    };
    try {
      await this.d.models.Schedule.collection.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) return { schedule: null, userErrors: [userError('DUPLICATE_NAME', `a schedule named ${name} exists`, ['input', 'name'])] };
      throw err;
    }
    this.nextCheckAt = 0;
    return { schedule: doc, userErrors: [] };
  }

  /** Changes what is given; a new cron expression or time zone starts counting from now. */
  async update(input: ScheduleUpdateInput, actor: string): Promise<Result> {
    const old = await this.byId(input.id);
    if (!old) return notFound();
    const cron = input.cron?.trim() ?? old.cron;
    const tz = input.timeZone ?? old.timeZone;
    const name = input.name?.trim() ?? old.name;
    const errors = [...(input.name != null ? nameErrors(name) : []), ...cronErrors(cron, tz, ['input']), ...(input.job ? this.templateErrors(input.job) : [])];
    if (errors.length) return { schedule: null, userErrors: errors };
    const now = this.d.clock();
    const set: Partial<ScheduleRecord> = { name, cron, timeZone: tz, updatedBy: actor, updatedAt: now };
    if (input.job) set.template = JSON.stringify(input.job);
    for (const k of ['overlap', 'missedRuns', 'maintenance'] as const) if (input[k] != null) (set as Record<string, unknown>)[k] = input[k];
    if (cron !== old.cron || tz !== old.timeZone) set.nextRunAt = nextTimes(cron, tz, now.getTime(), 1)[0] ?? null;
    try {
      await this.d.models.Schedule.updateOne({ _id: old._id }, { $set: set });
    } catch (err) {
      if (isDuplicateKey(err)) return { schedule: null, userErrors: [userError('DUPLICATE_NAME', `a schedule named ${name} exists`, ['input', 'name'])] };
      throw err;
    }
    this.nextCheckAt = 0;
    return { schedule: await this.byId(input.id), userErrors: [] };
  }

  async remove(id: string): Promise<{ removed: boolean; userErrors: UserError[] }> {
    const oid = parseObjectId(id);
    const r = oid ? await this.d.models.Schedule.deleteOne({ _id: oid }) : { deletedCount: 0 };
    return r.deletedCount ? { removed: true, userErrors: [] } : { removed: false, userErrors: notFound().userErrors };
  }

  /** Pause or resume. Resuming starts from now: times that passed while paused are not fired. */
  async setPaused(id: string, paused: boolean, actor: string): Promise<Result> {
    const old = await this.byId(id);
    if (!old) return notFound();
    const now = this.d.clock();
    const set: Partial<ScheduleRecord> = { paused, updatedBy: actor, updatedAt: now };
    if (!paused && old.paused) set.nextRunAt = nextTimes(old.cron, old.timeZone, now.getTime(), 1)[0] ?? null;
    await this.d.models.Schedule.updateOne({ _id: old._id }, { $set: set });
    this.nextCheckAt = 0;
    return { schedule: await this.byId(id), userErrors: [] };
  }

  // ---- the scheduler (a background step on every instance)

  /** Fires every due time of every schedule (each on exactly one instance); returns how many runs were recorded. */
  async fireDue(): Promise<number> {
    const now = this.d.clock();
    if (now.getTime() < this.nextCheckAt) return 0;
    // Schedules changed on other instances are seen within REREAD_MS; the earliest next time is not missed.
    const all = await this.d.models.Schedule.find({ paused: false }).sort({ _id: 1 }).lean<ScheduleRecord[]>();
    const due = all.filter((s) => s.deferredAt || (s.nextRunAt && s.nextRunAt <= now));
    const upcoming = all.filter((s) => s.nextRunAt && s.nextRunAt > now).map((s) => s.nextRunAt!.getTime());
    this.nextCheckAt = due.length ? 0 : Math.min(now.getTime() + REREAD_MS, ...upcoming);
    const counts = await Promise.all(due.map((s) => this.fireSchedule(s, now.getTime()).catch((err: unknown) => {
      this.d.logger.error({ err, schedule: s.name }, 'schedule pass failed');
      return 0;
    })));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async fireSchedule(seen: ScheduleRecord, now: number): Promise<number> {
    const id = seen._id.toHexString();
    const maintenance = await this.d.isMaintenance();
    // A deferred time fires once maintenance is off (its own key: it was decided once already as DEFERRED).
    if (seen.deferredAt && !maintenance && (!seen.nextRunAt || seen.nextRunAt.getTime() > now)) {
      const at = seen.deferredAt.getTime();
      if (!(await this.d.queue.claimTick(id, `${at}:deferred`, TIME_HOLD_MS))) return 0;
      const s = await this.byId(id);
      if (!s || s.paused || s.deferredAt?.getTime() !== at) return 0;
      const run = await this.fire(s, at, now, 'after maintenance');
      await this.d.models.Schedule.updateOne({ _id: s._id }, { $set: { deferredAt: null, lastRuns: keep([run], s.lastRuns) } });
      await this.d.queue.markTickFired(id, `${at}:deferred`, TIME_KEEP_MS);
      return 1;
    }
    if (!seen.nextRunAt || seen.nextRunAt.getTime() > now) return 0;
    const first = seen.nextRunAt.getTime();
    // Decide: one instance handles the schedule from this time on; the others see nextRunAt move.
    if (!(await this.d.queue.claimTick(id, first, TIME_HOLD_MS))) return 0;
    const s = await this.byId(id);
    if (!s || s.paused || s.nextRunAt?.getTime() !== first) return 0;

    const times = [first, ...nextTimes(s.cron, s.timeZone, first, MAX_TIMES_PER_PASS - 1).map((d) => d.getTime())].filter((t) => t <= now);
    const late = times.filter((t) => now - t > this.d.missedGraceMs);
    const onTime = times.filter((t) => now - t <= this.d.missedGraceMs);
    const runs: ScheduleRunRecord[] = [];
    let deferredAt = s.deferredAt?.getTime() ?? null;
    const fireOrHold = async (at: number, note?: string) => {
      if (maintenance && s.maintenance === 'DEFER') {
        if (deferredAt === null) {
          deferredAt = at;
          runs.push(run(at, now, 'DEFERRED', null, 'maintenance is on: fires once it is off'));
        } else {
          runs.push(run(at, now, 'SKIPPED_MAINTENANCE', null, `maintenance is on: merged into the deferred run of ${new Date(deferredAt).toISOString()}`));
        }
        return;
      }
      if (maintenance) {
        runs.push(run(at, now, 'SKIPPED_MAINTENANCE', null, 'maintenance is on'));
        return;
      }
      runs.push(await this.fire(s, at, now, note));
    };
    if (late.length) {
      const span = `${new Date(late[0]!).toISOString()}${late.length > 1 ? ` to ${new Date(late.at(-1)!).toISOString()}` : ''}`;
      const more = times.length >= MAX_TIMES_PER_PASS ? ' (and more up to now)' : '';
      if (s.missedRuns === 'RUN_ONCE') {
        if (late.length > 1) runs.push(run(late[0]!, now, 'SKIPPED_MISSED', null, `${late.length - 1} missed run(s) from ${span}${more}: run once, for the last`));
        await fireOrHold(more ? lastTimeUpTo(s.cron, s.timeZone, now) : late.at(-1)!, 'a missed run, run once');
      } else {
        runs.push(run(late[0]!, now, 'SKIPPED_MISSED', null, `${late.length} missed run(s) from ${span}${more}: skipped`));
      }
    }
    for (const at of onTime) await fireOrHold(at);
    // Late times beyond one pass are all missed: the schedule moves on from now.
    const last = times.at(-1) ?? first;
    const nextRunAt = late.length ? nextTimes(s.cron, s.timeZone, Math.max(now, last), 1)[0] : nextTimes(s.cron, s.timeZone, last, 1)[0];
    await this.d.models.Schedule.updateOne(
      { _id: s._id },
      { $set: { nextRunAt: nextRunAt ?? null, deferredAt: deferredAt === null ? null : new Date(deferredAt), lastRuns: keep(runs.reverse(), s.lastRuns) } },
    );
    await this.d.queue.markTickFired(id, first, TIME_KEEP_MS);
    return runs.length;
  }

  /** Creates the job of one scheduled time (or records why not). The job's id is the time's: a repeat insert is a duplicate. */
  private async fire(s: ScheduleRecord, at: number, now: number, note?: string): Promise<ScheduleRunRecord> {
    if (s.overlap === 'SKIP') {
      const previous = s.lastRuns.find((r) => r.jobId);
      const job = previous?.jobId ? await this.d.jobs.byId(previous.jobId.toHexString()) : null;
      if (job && !isTerminal(job.status)) return run(at, now, 'SKIPPED_OVERLAP', job._id, `the previous run's job is still ${job.status}`);
    }
    const id = timeJobId(s._id, at);
    const iso = new Date(at).toISOString();
    const created = await this.d.lifecycle.create([reviveTemplate(s.template)], `schedule:${s.name}`, {
      ids: [id],
      note: `created by schedule ${s.name} for ${iso}${note ? ` (${note})` : ''}`,
    });
    const r = created.results[0];
    if (r?.job) return run(at, now, 'CREATED', r.job._id);
    if (r?.existingJob?._id.equals(id)) return run(at, now, 'CREATED', id, 'created by an earlier pass');
    const error = r?.error ?? created.userErrors[0];
    const existing = r?.existingJob?._id ?? null;
    return run(at, now, error?.code === 'DUPLICATE_IN_PROGRESS' ? 'SKIPPED_OVERLAP' : 'REJECTED', existing, error ? `${error.code}: ${error.message}` : 'not created');
  }

  private templateErrors(job: JobCreateInput): UserError[] {
    const v = validateJobCreate(job, ['input', 'job'], this.d.bumpEnabled);
    const errors = v.ok ? [] : v.errors;
    if (job.runAt != null) errors.push(userError('INVALID_PARAMETERS', 'a schedule sets the time: no runAt', ['input', 'job', 'runAt']));
    return errors;
  }
}

function run(at: number, now: number, outcome: RunOutcome, jobId: Types.ObjectId | null, message: string | null = null): ScheduleRunRecord {
  return { scheduledAt: new Date(at), firedAt: new Date(now), outcome, jobId, message };
}

function keep(newest: ScheduleRunRecord[], older: ScheduleRunRecord[]): ScheduleRunRecord[] {
  return [...newest, ...older].slice(0, SCHEDULE_RUNS_KEPT);
}

function notFound(): Result {
  return { schedule: null, userErrors: [userError('NOT_FOUND', 'no schedule with this id', ['input', 'id'])] };
}

/** The job id of a schedule's time: the time's seconds (ObjectIds sort by them) and a hash of schedule and time. */
export function timeJobId(scheduleId: Types.ObjectId, at: number): Types.ObjectId {
  const seconds = Math.floor(at / 1000).toString(16).padStart(8, '0');
  const rest = createHash('sha256').update(`${scheduleId.toHexString()}:${at}`).digest('hex').slice(0, 16);
  return new Types.ObjectId(seconds + rest);
}

/** The stored template as a JobCreateInput (its dates back as Dates). */
function reviveTemplate(text: string): JobCreateInput {
  const t = JSON.parse(text) as JobCreateInput & { bumpManifesto?: { releaseTime?: string | Date | null } | null };
  if (t.bumpManifesto?.releaseTime) t.bumpManifesto.releaseTime = new Date(t.bumpManifesto.releaseTime);
  return t;
}

function nameErrors(name: string): UserError[] {
  return name.length >= 1 && name.length <= 100 ? [] : [userError('INVALID_PARAMETERS', 'name: 1 to 100 characters', ['input', 'name'])];
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Invalid cron expression or time zone, as userErrors under `prefix` (fields cron and timeZone). */
function cronErrors(cron: string, tz: string, prefix: string[]): UserError[] {
  if (!validTimeZone(tz)) return [userError('INVALID_TIME_ZONE', `${tz} is not an IANA time zone (e.g. Europe/Oslo, UTC)`, [...prefix, 'timeZone'])];
  const expr = cron.trim();
  if (!expr || expr.length > 200 || (!expr.startsWith('@') && expr.split(/\s+/).length < 5)) {
    return [userError('INVALID_CRON', 'a cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first)', [...prefix, 'cron'])];
  }
  try {
    CronExpressionParser.parse(expr, { tz, currentDate: new Date() }).next();
    return [];
  } catch (err) {
    return [userError('INVALID_CRON', `invalid cron expression: ${(err as Error).message}`, [...prefix, 'cron'])];
  }
}

/** The latest time at or before `at` (ms). */
function lastTimeUpTo(cron: string, tz: string, at: number): number {
  return CronExpressionParser.parse(cron.trim(), { tz, currentDate: new Date(at + 1) }).prev().getTime();
}

/** The next `count` times strictly after `after` (ms). */
function nextTimes(cron: string, tz: string, after: number, count: number): Date[] {
  const it = CronExpressionParser.parse(cron.trim(), { tz, currentDate: new Date(after) });
  const out: Date[] = [];
  for (let i = 0; i < count && it.hasNext(); i++) out.push(it.next().toDate());
  return out;
}
