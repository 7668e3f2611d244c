import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A small JSON document per (module, name); `data` is JSON text (DESIGN.md rule 6). */
export interface ModuleDataRecord {
  _id: Types.ObjectId;
  module: string;
  name: string;
  data: string;
  updatedAt: Date;
  updatedBy: string;
}

export const moduleDataSchema = new Schema<ModuleDataRecord>(
  {
    module: { type: String, required: true },
    name: { type: String, required: true },
    data: { type: String, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'module_data', versionKey: false, autoIndex: false, strict: 'throw' },
);
moduleDataSchema.index({ module: 1, name: 1 }, { name: 'module_data_module_name_unique', unique: true });

export type ModuleDataModel = Model<ModuleDataRecord>;

export function moduleDataModel(conn: Connection): ModuleDataModel {
  return conn.models.ModuleData ?? conn.model<ModuleDataRecord>('ModuleData', moduleDataSchema);
}
