import type { CapService } from './caps.js';
import type { BulkActionService } from './bulkActions.js';
import type { DatasetService } from './datasets.js';
import type { Observability } from '../observability/index.js';
import type { EventService } from './events.js';
import type { FlowService } from './flows.js';
import type { JobLogStore } from './jobLogs.js';
import type { JobService } from './jobs.js';
import type { JobLifecycle } from './lifecycle.js';
import type { MaintenanceService } from './maintenance.js';
import type { ModuleDataService } from './moduleData.js';
import type { QueueService } from './queue.js';
import type { ScheduleService } from './schedules.js';
import type { RetentionService } from './retention.js';
import type { StatusService } from './status.js';
import type { TargetService } from './targets.js';
import type { WorkerService } from './workers.js';

/** The services resolvers call; one instance each per service instance. */
export interface Services {
  status: StatusService;
  jobs: JobService;
  lifecycle: JobLifecycle;
  targets: TargetService;
  datasets: DatasetService;
  maintenance: MaintenanceService;
  moduleData: ModuleDataService;
  queue: QueueService;
  caps: CapService;
  flows: FlowService;
  schedules: ScheduleService;
  workers: WorkerService;
  events: EventService;
  /** Metrics and the job stats behind jobStats (src/observability). */
  observability: Observability;
  /** Job logs (their own collection). */
  jobLogs: JobLogStore;
  /** jobsCancel / jobsRetry and their records. */
  bulk: BulkActionService;
  /** Removal of old terminal jobs, and its last pass. */
  retention: RetentionService;
}
