import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { FlowChildFailurePolicy, JobOperation, JobStatus, ReleaseStatus } from '../generated/graphql.js';

/**
 * Jobs. The in-progress guard `activeTarget` is written only when the job is
 * inserted and unset when it reaches a terminal status (DESIGN.md rules 1–2):
 * its unique sparse index makes "one job in progress per target" atomic on
 * FerretDB and MongoDB alike. Free-form JSON is stored as a string (rule 6).
 */
export interface DataStructureUpdateRecord {
  name: string;
  description: string;
  operation: string;
  releaseStatus: ReleaseStatus;
}

export interface BumpManifestoRecord {
  version: string;
  description: string;
  releaseTime?: Date | null;
  languageCode?: string | null;
  updateType?: string | null;
  dataStructureUpdates: DataStructureUpdateRecord[];
}

export interface JobLogRecord {
  at: Date;
  actor: string;
  message: string;
  status?: JobStatus | null;
}

/** A log line kept in its job's document until it is moved to `joblogs`: the sequence number of the write that added it. */
export interface RecentLogRecord extends JobLogRecord {
  seq: number;
}

export interface JobRecord {
  _id: Types.ObjectId;
  target: string;
  operation: JobOperation;
  status: JobStatus;
  /** The job's sequence number, raised by every decision the queue makes about it; a write older than the stored one is a no-op. */
  seq: number;
  /** The in-progress guard: equals `target` while the job is not terminal. */
  activeTarget?: string | null;
  /** `target` plus every dataset a bump manifesto names: what `target.jobs` matches. */
  relatedTargets: string[];
  releaseStatus?: ReleaseStatus | null;
  description?: string | null;
  bumpManifesto?: BumpManifestoRecord | null;
  bumpFromVersion?: string | null;
  bumpToVersion?: string | null;
  /** JSON text. */
  payload?: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | null;
  priority: number;
  runAt?: Date | null;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  failureReason?: string | null;
  /**
   * The log as documents written before it moved to its own collection held it (see jobLog.ts). New jobs
   * have none; start-up moves an embedded log out (JobLogStore.migrateEmbedded), reads fall back to it.
   */
  log?: JobLogRecord[];
  /**
   * Log lines not yet moved to `joblogs` (see jobLog.ts): each write pushes its lines here in the same
   * update as its state, so a job's state and its log never disagree; the log mover (JobLogStore) moves
   * them shortly after the job ends (or once one instance has added many). Not read by default (`select: false`).
   */
  recentLog?: RecentLogRecord[];
  /** Who wrote the latest log line (what `target.lastUpdatedBy` shows without reading the log). */
  lastActor?: string | null;
  retryOf?: Types.ObjectId | null;
  retriedBy?: Types.ObjectId | null;
  /** The worker holding (or that last held) the job. */
  workerId?: string | null;
  /** Fencing token of the current lease (the queue in Redis decides; this is its record for recovery). */
  leaseToken?: string | null;
  leaseExpiresAt?: Date | null;
  /** When the current attempt started. */
  startedAt?: Date | null;
  /** 0..1 as reported by the worker. */
  progress?: number | null;
  /** W3C trace context of the request that created the job (handed to workers with the lease); null without tracing. */
  traceparent?: string | null;
  /** A flow's child: the flow's final job, which runs after its children (see flowCreate). */
  parent?: Types.ObjectId | null;
  /** A flow's final job: how many children it waits for (null until its creation recorded them) and what a failed child does. */
  flow?: FlowRecord | null;
}

export interface FlowRecord {
  total: number | null;
  onChildFailure: FlowChildFailurePolicy;
}


const dataStructureUpdateSchema = new Schema<DataStructureUpdateRecord>(
  {
    name: { type: String, required: true },
    description: { type: String, required: true },
    operation: { type: String, required: true },
    releaseStatus: { type: String, required: true },
  },
  { _id: false },
);

const bumpManifestoSchema = new Schema<BumpManifestoRecord>(
  {
    version: { type: String, required: true },
    description: { type: String, required: true },
    releaseTime: Date,
    languageCode: String,
    updateType: String,
    dataStructureUpdates: { type: [dataStructureUpdateSchema], default: [] },
  },
  { _id: false },
);

const logSchema = new Schema<JobLogRecord>(
  { at: { type: Date, required: true }, actor: { type: String, required: true }, message: { type: String, required: true }, status: String },
  { _id: false },
);

const recentLogSchema = new Schema<RecentLogRecord>(
  { at: { type: Date, required: true }, actor: { type: String, required: true }, message: { type: String, required: true }, status: String, seq: { type: Number, required: true } },
  { _id: false },
);

export const jobSchema = new Schema<JobRecord>(
  {
    target: { type: String, required: true },
    operation: { type: String, required: true },
    status: { type: String, required: true },
    seq: { type: Number, default: 0 },
    activeTarget: { type: String },
    relatedTargets: { type: [String], default: [] },
    releaseStatus: String,
    description: String,
    bumpManifesto: bumpManifestoSchema,
    bumpFromVersion: String,
    bumpToVersion: String,
    payload: String,
    createdBy: { type: String, required: true },
    finishedAt: Date,
    priority: { type: Number, default: 0 },
    runAt: Date,
    attempts: { type: Number, default: 0 },
    maxAttempts: { type: Number, default: 3 },
    cancelRequested: { type: Boolean, default: false },
    failureReason: String,
    log: { type: [logSchema], default: undefined },
    // Lists and reads of job state leave it out; the log's readers and the mover ask for it.
    recentLog: { type: [recentLogSchema], default: undefined, select: false },
    lastActor: String,
    retryOf: Schema.Types.ObjectId,
    retriedBy: Schema.Types.ObjectId,
    workerId: String,
    leaseToken: String,
    leaseExpiresAt: Date,
    startedAt: Date,
    progress: Number,
    traceparent: String,
    parent: Schema.Types.ObjectId,
    flow: new Schema<FlowRecord>({ total: Number, onChildFailure: { type: String, required: true } }, { _id: false }),
  },
  { collection: 'jobs', timestamps: true, versionKey: false, autoIndex: false, strict: 'throw' },
);

// Explicit names; key, name, unique and sparse only (DESIGN.md rule 4).
jobSchema.index({ activeTarget: 1 }, { name: 'job_activeTarget_unique', unique: true, sparse: true });
jobSchema.index({ createdAt: -1, _id: -1 }, { name: 'job_createdAt' });
jobSchema.index({ updatedAt: -1, _id: -1 }, { name: 'job_updatedAt' });
jobSchema.index({ status: 1, createdAt: -1, _id: -1 }, { name: 'job_status_createdAt' });
jobSchema.index({ relatedTargets: 1, createdAt: -1, _id: -1 }, { name: 'job_relatedTargets_createdAt' });
jobSchema.index({ target: 1, createdAt: -1, _id: -1 }, { name: 'job_target_createdAt' });
jobSchema.index({ createdBy: 1, createdAt: -1, _id: -1 }, { name: 'job_createdBy_createdAt' });
jobSchema.index({ priority: -1, _id: -1 }, { name: 'job_priority' });
jobSchema.index({ parent: 1, _id: 1 }, { name: 'job_parent' });

export type JobModel = Model<JobRecord>;

export function jobModel(conn: Connection): JobModel {
  return conn.models.Job ?? conn.model<JobRecord>('Job', jobSchema);
}
