import { Schema, type Connection, type Model } from 'mongoose';
import type { JobOperation } from '../generated/graphql.js';

/**
 * A concurrency cap and rate limit on one operation, or on the operation's targets
 * starting with a prefix; _id is its scope (`ADD`, `ADD|GRADING_`, see queue/caps.ts scopeOf). The
 * home of the setting: Redis holds the copy the claim script reads (q:caps),
 * restored from here after a flush (see services/caps.ts).
 */
export interface CapRecord {
  _id: string;
  operation: JobOperation;
  targetPrefix: string | null;
  maxRunning: number | null;
  maxStarts: number | null;
  windowSeconds: number | null;
  updatedBy: string;
  updatedAt: Date;
}

export const capSchema = new Schema<CapRecord>(
  {
    _id: { type: String, required: true },
    operation: { type: String, required: true },
    targetPrefix: { type: String, default: null },
    maxRunning: { type: Number, default: null },
    maxStarts: { type: Number, default: null },
    windowSeconds: { type: Number, default: null },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'caps', versionKey: false, autoIndex: false, strict: 'throw' },
);

export type CapModel = Model<CapRecord>;

export function capModel(conn: Connection): CapModel {
  return conn.models.Cap ?? conn.model<CapRecord>('Cap', capSchema);
}
