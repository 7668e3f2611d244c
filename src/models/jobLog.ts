import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { JobLogRecord } from './job.js';

/**
 * A job's log, kept out of the job document so that list pages and filters read small documents
 * (on the embedded FerretDB every list query reads and decodes every job document). One document per
 * job, `_id` = the job's id (served by the _id index on both backends, `$in` batches included). A write's
 * lines first go into the job document itself (`recentLog`, in the write's own update); the log store's
 * mover (JobLogStore) appends them here shortly after the job ends, guarded by sequence number: a write
 * not newer than the stored `seq` (the last one moved) appends nothing. At most `cap` lines are kept in `entries` (the
 * first ones); once full, later writes count what they drop in `dropped` and leave their lines in
 * `tail` (so the end of a long log, the outcome, is never lost). `$push` with `$slice` is not used:
 * FerretDB ignores it (DESIGN.md rule 5).
 */
export interface JobLogDocRecord {
  _id: Types.ObjectId;
  /** The sequence number of the last write whose lines are here (absent until the first append). */
  seq?: number;
  /** Lines in `entries`. */
  n: number;
  entries: JobLogRecord[];
  /** Lines not kept because the cap was reached. */
  dropped?: number;
  /** The lines of the latest write once the cap was reached. */
  tail?: JobLogRecord[];
}

const lineSchema = new Schema<JobLogRecord>(
  { at: { type: Date, required: true }, actor: { type: String, required: true }, message: { type: String, required: true }, status: String },
  { _id: false },
);

export const jobLogSchema = new Schema<JobLogDocRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, default: 0 },
    n: { type: Number, default: 0 },
    entries: { type: [lineSchema], default: [] },
    dropped: Number,
    tail: { type: [lineSchema], default: undefined },
  },
  { collection: 'joblogs', versionKey: false, autoIndex: false, strict: 'throw' },
);

export type JobLogModel = Model<JobLogDocRecord>;

export function jobLogModel(conn: Connection): JobLogModel {
  return conn.models.JobLog ?? conn.model<JobLogDocRecord>('JobLog', jobLogSchema);
}
