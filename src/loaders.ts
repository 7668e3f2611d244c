import DataLoader from 'dataloader';
import type { JobRecord } from './models/job.js';
import type { TargetRecord } from './models/target.js';
import type { Services } from './services/index.js';

/** Per-request DataLoaders: a list of jobs resolves its targets and linked jobs in one query each. */
export interface Loaders {
  jobById: DataLoader<string, JobRecord | null>;
  targetByName: DataLoader<string, TargetRecord | null>;
}

export function createLoaders(services: Services): Loaders {
  return {
    jobById: new DataLoader((ids) => services.jobs.byIds(ids)),
    targetByName: new DataLoader((names) => services.targets.byNames(names)),
  };
}
