import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** One switch of maintenance mode; the newest is the current state. */
export interface MaintenanceEventRecord {
  _id: Types.ObjectId;
  paused: boolean;
  message: string;
  setBy: string;
  at: Date;
}

export const maintenanceEventSchema = new Schema<MaintenanceEventRecord>(
  {
    paused: { type: Boolean, required: true },
    message: { type: String, required: true },
    setBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'maintenance_events', versionKey: false, autoIndex: false, strict: 'throw' },
);
maintenanceEventSchema.index({ at: -1, _id: -1 }, { name: 'maintenance_at' });

export type MaintenanceEventModel = Model<MaintenanceEventRecord>;

export function maintenanceEventModel(conn: Connection): MaintenanceEventModel {
  return conn.models.MaintenanceEvent ?? conn.model<MaintenanceEventRecord>('MaintenanceEvent', maintenanceEventSchema);
}
