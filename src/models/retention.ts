import { Schema, type Connection, type Model } from 'mongoose';

/** The last retention pass (one document, `_id` "last"): what the API and the admin app show. */
export interface RetentionPassRecord {
  _id: string;
  startedAt: Date;
  finishedAt: Date;
  instance: string;
  removedCompleted: number;
  removedFailed: number;
  removedCancelled: number;
  /** Of those, removed because more than the cap of terminal jobs were kept. */
  removedOverCap: number;
  /** Terminal jobs kept because a target's last action points at them. */
  keptForTargets: number;
  error?: string | null;
}

export const retentionPassSchema = new Schema<RetentionPassRecord>(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, required: true },
    instance: { type: String, required: true },
    removedCompleted: { type: Number, required: true },
    removedFailed: { type: Number, required: true },
    removedCancelled: { type: Number, required: true },
    removedOverCap: { type: Number, required: true },
    keptForTargets: { type: Number, required: true },
    error: String,
  },
  { collection: 'retention', versionKey: false, autoIndex: false, strict: 'throw' },
);

export type RetentionPassModel = Model<RetentionPassRecord>;

export function retentionPassModel(conn: Connection): RetentionPassModel {
  return conn.models.RetentionPass ?? conn.model<RetentionPassRecord>('RetentionPass', retentionPassSchema);
}
