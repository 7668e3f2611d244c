import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { JobOperation, JobStatus, ReleaseStatus } from '../generated/graphql.js';

export interface TargetActionRecord {
  operation: JobOperation;
  status: JobStatus;
  releaseStatus?: ReleaseStatus | null;
  bumpFromVersion?: string | null;
  bumpToVersion?: string | null;
  jobId: Types.ObjectId;
}

/**
 * A dataset (or DATASTORE): upserted by name whenever one of its jobs is
 * created or changes status. The name is the _id: FerretDB pushes down only
 * _id equality (DESIGN.md rule 7), and targets are written on every status change.
 */
export interface TargetRecord {
  _id: string;
  name: string;
  lastUpdatedAt: Date;
  lastUpdatedBy: string;
  status: JobStatus;
  lastAction: TargetActionRecord;
}

const actionSchema = new Schema<TargetActionRecord>(
  {
    operation: { type: String, required: true },
    status: { type: String, required: true },
    releaseStatus: String,
    bumpFromVersion: String,
    bumpToVersion: String,
    jobId: { type: Schema.Types.ObjectId, required: true },
  },
  { _id: false },
);

export const targetSchema = new Schema<TargetRecord>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    lastUpdatedAt: { type: Date, required: true },
    lastUpdatedBy: { type: String, required: true },
    status: { type: String, required: true },
    lastAction: { type: actionSchema, required: true },
  },
  { collection: 'targets', versionKey: false, autoIndex: false, strict: 'throw' },
);
targetSchema.index({ name: 1, _id: 1 }, { name: 'target_name' });

export type TargetModel = Model<TargetRecord>;

export function targetModel(conn: Connection): TargetModel {
  return conn.models.Target ?? conn.model<TargetRecord>('Target', targetSchema);
}
