import { Schema, type Connection, type Model } from 'mongoose';
import type { JobOperation } from '../generated/graphql.js';

/**
 * A concurrency cap and rate limit on one operation; _id is the operation. The
 * home of the setting: Redis holds the copy the claim script reads (q:caps),
 * restored from here after a flush (see services/caps.ts).
 */
export interface CapRecord {
  _id: JobOperation;
  maxRunning: number | null;
  maxStarts: number | null;
  windowSeconds: number | null;
  updatedBy: string;
  updatedAt: Date;
}

export const capSchema = new Schema<CapRecord>(
  {
    _id: { type: String, required: true },
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
