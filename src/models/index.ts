import type { Connection, Model } from 'mongoose';
import { capModel, type CapModel } from './cap.js';
import { scheduleModel, type ScheduleModel } from './schedule.js';
import { bulkActionModel, type BulkActionModel } from './bulkAction.js';
import { retentionPassModel, type RetentionPassModel } from './retention.js';
import { jobModel, type JobModel } from './job.js';
import { jobLogModel, type JobLogModel } from './jobLog.js';
import { maintenanceEventModel, type MaintenanceEventModel } from './maintenance.js';
import { moduleDataModel, type ModuleDataModel } from './moduleData.js';
import { targetModel, type TargetModel } from './target.js';
import { settingModel, workerModel, type SettingModel, type WorkerModel } from './worker.js';

export interface Models {
  Job: JobModel;
  JobLog: JobLogModel;
  BulkAction: BulkActionModel;
  RetentionPass: RetentionPassModel;
  Target: TargetModel;
  MaintenanceEvent: MaintenanceEventModel;
  ModuleData: ModuleDataModel;
  Worker: WorkerModel;
  Setting: SettingModel;
  Cap: CapModel;
  Schedule: ScheduleModel;
}

/** The models bound to one connection (each service instance has its own). */
export function createModels(conn: Connection): Models {
  return {
    Job: jobModel(conn),
    JobLog: jobLogModel(conn),
    BulkAction: bulkActionModel(conn),
    RetentionPass: retentionPassModel(conn),
    Target: targetModel(conn),
    MaintenanceEvent: maintenanceEventModel(conn),
    ModuleData: moduleDataModel(conn),
    Worker: workerModel(conn),
    Setting: settingModel(conn),
    Cap: capModel(conn),
    Schedule: scheduleModel(conn),
  };
}

/**
 * Creates collections and indexes at start-up with createIndex (never
 * syncIndexes: against FerretDB it drops and recreates sparse indexes).
 * On FerretDB only the unique indexes are created: it never uses an index to
 * answer a query (it pushes down nothing but _id equality), so the others
 * would only make every write slower; the unique ones enforce the guards.
 */
export async function ensureIndexes(models: Models, opts: { uniqueOnly?: boolean } = {}): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    try {
      await model.createCollection();
    } catch (err) {
      if ((err as { code?: number }).code !== 48) throw err; // NamespaceExists
    }
    for (const [keys, options] of model.schema.indexes()) {
      if (opts.uniqueOnly && !options.unique) continue;
      await model.collection.createIndex(keys as Record<string, 1 | -1>, options as Record<string, unknown>);
    }
  }
}

/** Duplicate key (E11000). Detected by code only: FerretDB sends no keyPattern/keyValue (DESIGN.md rule 1). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Runs an upsert on a unique key, retrying it once when it loses the race to insert
 * (E11000): MongoDB retries that itself, FerretDB does not (DESIGN.md rule 3).
 * `isDuplicate` says which errors are that race (a bulk write reports it per write).
 */
export async function upsertRetryingOnce<T>(upsert: () => Promise<T>, isDuplicate: (err: unknown) => boolean = isDuplicateKey): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    return upsert();
  }
}
