import DataLoader from 'dataloader';
import type { JobLogRecord, JobRecord } from './models/job.js';
import type { TargetRecord } from './models/target.js';
import type { Services } from './services/index.js';
import type { WorkerView } from './services/workers.js';

/** Per-request DataLoaders: a list of jobs resolves its targets and linked jobs in one query each. */
export interface Loaders {
  jobById: DataLoader<string, JobRecord | null>;
  /**
   * A job's log (its own collection): read only when `log` is selected, one query for a page of jobs.
   * Cached per job and sequence number: a subscription's loaders live as long as it does, and each event
   * of a job carries a newer sequence, so its log is read again.
   */
  jobLog: DataLoader<Pick<JobRecord, '_id' | 'log' | 'seq'>, JobLogRecord[], string>;
  targetByName: DataLoader<string, TargetRecord | null>;
  workerById: DataLoader<string, WorkerView | null>;
}

export function createLoaders(services: Services): Loaders {
  return {
    jobById: new DataLoader((ids) => services.jobs.byIds(ids)),
    jobLog: new DataLoader((jobs) => services.jobLogs.linesOf(jobs), { cacheKeyFn: (j) => `${j._id.toHexString()}:${j.seq}` }),
    targetByName: new DataLoader((names) => services.targets.byNames(names)),
    workerById: new DataLoader((ids) => services.workers.byIds(ids)),
  };
}
