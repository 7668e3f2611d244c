import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** What one job of a bulk action could not be acted on, and why (a userError code). */
export interface BulkFailureRecord {
  jobId: Types.ObjectId;
  code: string;
  message: string;
}

export type BulkActionKind = 'CANCEL' | 'RETRY';
export type BulkActionState = 'RUNNING' | 'DONE' | 'FAILED';

/**
 * One bulk action (jobsCancel / jobsRetry): who, when, the filter (JSON text, DESIGN.md rule 6), the counts
 * and the jobs that could not be acted on (at most BULK_FAILURES_KEPT; `failedCount` counts them all).
 * Written when the action starts and after each batch.
 */
export interface BulkActionRecord {
  _id: Types.ObjectId;
  kind: BulkActionKind;
  state: BulkActionState;
  actor: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | null;
  /** The JobFilter as given, JSON text. */
  filter: string;
  reason?: string | null;
  expectedCount: number;
  matchedCount: number;
  processedCount: number;
  succeededCount: number;
  failedCount: number;
  failures: BulkFailureRecord[];
  /** Why the action stopped early (state FAILED). */
  error?: string | null;
}

const failureSchema = new Schema<BulkFailureRecord>(
  { jobId: { type: Schema.Types.ObjectId, required: true }, code: { type: String, required: true }, message: { type: String, required: true } },
  { _id: false },
);

export const bulkActionSchema = new Schema<BulkActionRecord>(
  {
    kind: { type: String, required: true },
    state: { type: String, required: true },
    actor: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    finishedAt: Date,
    filter: { type: String, required: true },
    reason: String,
    expectedCount: { type: Number, required: true },
    matchedCount: { type: Number, required: true },
    processedCount: { type: Number, default: 0 },
    succeededCount: { type: Number, default: 0 },
    failedCount: { type: Number, default: 0 },
    failures: { type: [failureSchema], default: [] },
    error: String,
  },
  { collection: 'bulkactions', versionKey: false, autoIndex: false, strict: 'throw' },
);
bulkActionSchema.index({ createdAt: -1, _id: -1 }, { name: 'bulkAction_createdAt' });

export type BulkActionModel = Model<BulkActionRecord>;

export function bulkActionModel(conn: Connection): BulkActionModel {
  return conn.models.BulkAction ?? conn.model<BulkActionRecord>('BulkAction', bulkActionSchema);
}
