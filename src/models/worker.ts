import { Schema, type Connection, type Model } from 'mongoose';
import type { JobOperation, WorkerStatus } from '../generated/graphql.js';

/** A registered worker: its persistent flag (disabled) and its last heartbeat. _id is the workerId (FerretDB pushes down only _id equality). */
export interface WorkerRecord {
  _id: string;
  workerId: string;
  disabled: boolean;
  firstSeenAt: Date;
  lastHeartbeatAt: Date;
  status: WorkerStatus;
  hostname?: string | null;
  version?: string | null;
  operations: JobOperation[];
  currentJobId?: string | null;
  progress?: number | null;
  /** JSON text. */
  info?: string | null;
  /** When its expiry was announced (EXPIRED event); cleared by the next heartbeat. */
  expiredAt?: Date | null;
}

export const workerSchema = new Schema<WorkerRecord>(
  {
    _id: { type: String, required: true },
    workerId: { type: String, required: true },
    disabled: { type: Boolean, default: false },
    firstSeenAt: { type: Date, required: true },
    lastHeartbeatAt: { type: Date, required: true },
    status: { type: String, required: true },
    hostname: String,
    version: String,
    operations: { type: [String], default: [] },
    currentJobId: String,
    progress: Number,
    info: String,
    expiredAt: Date,
  },
  { collection: 'workers', versionKey: false, autoIndex: false, strict: 'throw' },
);
workerSchema.index({ lastHeartbeatAt: -1, _id: -1 }, { name: 'worker_lastHeartbeatAt' });

export type WorkerModel = Model<WorkerRecord>;

export function workerModel(conn: Connection): WorkerModel {
  return conn.models.Worker ?? conn.model<WorkerRecord>('Worker', workerSchema);
}

/** Service-wide switches kept in Mongo (the source of truth; Redis holds the hot copy the claim reads). */
export interface SettingRecord {
  _id: string;
  paused: boolean;
  updatedBy: string;
  updatedAt: Date;
}

export const settingSchema = new Schema<SettingRecord>(
  { _id: { type: String, required: true }, paused: { type: Boolean, required: true }, updatedBy: String, updatedAt: Date },
  { collection: 'settings', versionKey: false, autoIndex: false, strict: 'throw' },
);

export type SettingModel = Model<SettingRecord>;

export function settingModel(conn: Connection): SettingModel {
  return conn.models.Setting ?? conn.model<SettingRecord>('Setting', settingSchema);
}
