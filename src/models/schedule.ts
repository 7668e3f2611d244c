import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ScheduleMaintenancePolicy, ScheduleMissedPolicy, ScheduleOverlapPolicy, ScheduleRunOutcome } from '../generated/graphql.js';

// The schema's enums (schema/schedules.graphql) are the one source of these values.
export type OverlapPolicy = ScheduleOverlapPolicy;
export type MissedPolicy = ScheduleMissedPolicy;
export type MaintenancePolicy = ScheduleMaintenancePolicy;
export type RunOutcome = ScheduleRunOutcome;

/** One firing (or skipped firing) of a schedule. */
export interface ScheduleRunRecord {
  scheduledAt: Date;
  firedAt: Date;
  outcome: RunOutcome;
  jobId?: Types.ObjectId | null;
  message?: string | null;
}

/**
 * A cron schedule that creates a job from a template. `nextRunAt` is the next scheduled time not handled yet:
 * only the instance that won a time in Redis moves it on (services/schedules.ts). `lastRuns` keeps the newest
 * runs first, at most SCHEDULE_RUNS_KEPT, rewritten whole (FerretDB ignores $push with $slice: DESIGN.md rule 5).
 */
export interface ScheduleRecord {
  _id: Types.ObjectId;
  name: string;
  cron: string;
  timeZone: string;
  /** The JobCreateInput as JSON text (DESIGN.md rule 6). */
  template: string;
  overlap: OverlapPolicy;
  missedRuns: MissedPolicy;
  maintenance: MaintenancePolicy;
  paused: boolean;
  nextRunAt: Date | null;
  /** A time deferred by maintenance (policy DEFER): fired once when maintenance ends. */
  deferredAt?: Date | null;
  lastRuns: ScheduleRunRecord[];
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
}

const runSchema = new Schema<ScheduleRunRecord>(
  { scheduledAt: { type: Date, required: true }, firedAt: { type: Date, required: true }, outcome: { type: String, required: true }, jobId: Schema.Types.ObjectId, message: String },
  { _id: false },
);

export const scheduleSchema = new Schema<ScheduleRecord>(
  {
    name: { type: String, required: true },
    cron: { type: String, required: true },
    timeZone: { type: String, required: true },
    template: { type: String, required: true },
    overlap: { type: String, required: true },
    missedRuns: { type: String, required: true },
    maintenance: { type: String, required: true },
    paused: { type: Boolean, default: false },
    nextRunAt: Date,
    deferredAt: Date,
    lastRuns: { type: [runSchema], default: [] },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'schedules', versionKey: false, autoIndex: false, strict: 'throw' },
);
scheduleSchema.index({ name: 1 }, { name: 'schedule_name_unique', unique: true });

export type ScheduleModel = Model<ScheduleRecord>;

export function scheduleModel(conn: Connection): ScheduleModel {
  return conn.models.Schedule ?? conn.model<ScheduleRecord>('Schedule', scheduleSchema);
}
