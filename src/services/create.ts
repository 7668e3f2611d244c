import { randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from '../db/redis.js';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { createModels, ensureIndexes } from '../models/index.js';
import { Observability } from '../observability/index.js';
import { RedisQueue } from '../queue/index.js';
import { CapService } from './caps.js';
import { BulkActionService } from './bulkActions.js';
import { DatasetService } from './datasets.js';
import { EventService } from './events.js';
import { FlowService } from './flows.js';
import type { Services } from './index.js';
import { JobLogStore } from './jobLogs.js';
import { JobService } from './jobs.js';
import { JobWriter } from './jobWriter.js';
import { JobLifecycle } from './lifecycle.js';
import { MaintenanceService } from './maintenance.js';
import { ModuleDataService } from './moduleData.js';
import { QueueService } from './queue.js';
import { MISSED_GRACE_MS, ScheduleService } from './schedules.js';
import { RedisLease } from './lease.js';
import { RETENTION_LEASE_MS, RetentionService } from './retention.js';
import { BackgroundLoops } from './recovery.js';
import { StatusService } from './status.js';
import { TargetService } from './targets.js';
import { WorkerService } from './workers.js';

export interface ServiceClock {
  /** Current time in ms; every service and the queue scripts use it. Default Date.now. */
  now?: () => number;
  /** [0, 1) source for the retry jitter. Default Math.random. */
  random?: () => number;
}

export interface ServiceOptions extends ServiceClock {
  /** The database is FerretDB: only the indexes it needs are created (see ensureIndexes). */
  ferret?: boolean;
}

/** Builds every service of one instance on its connections; indexes and the initial maintenance entry first. */
export async function createServices(config: Config, mongo: Connection, redis: Redis, logger: Logger, opts: ServiceOptions = {}) {
  const now = opts.now ?? Date.now;
  const date = () => new Date(now());
  const models = createModels(mongo);
  await ensureIndexes(models, { uniqueOnly: opts.ferret });
  const jobLogs = new JobLogStore(models.JobLog, models.Job, config.jobLogMaxLines, logger, { delayMs: config.jobLogMoveMs, timeoutMs: config.backendTimeouts.mongoMs });
  await jobLogs.migrateEmbedded(models.Setting);
  const queue = new RedisQueue({
    redis,
    prefix: config.redisKeyPrefix,
    clock: now,
    random: opts.random,
    leaseMs: config.queue.leaseMs,
    backoff: { baseMs: config.queue.backoffBaseMs, maxMs: config.queue.backoffMaxMs },
  });
  const targets = new TargetService(models);
  const jobs = new JobService(models);
  const maintenance = new MaintenanceService(models, date);
  const workers = new WorkerService(models, queue, config.queue, date);
  const queueService = new QueueService(models, jobs, queue, date);
  const caps = new CapService(models, queue, date);
  // Maintenance is recorded in Mongo, then switched in Redis where the claim script reads it.
  maintenance.listen((paused) => queueService.setMaintenance(paused));
  await maintenance.ensureInitial();
  const observability = new Observability(config.observability, { redis, prefix: config.redisKeyPrefix, models, queue, workers, logger, clock: date });
  const bus = new EventBus(redis, config.redisKeyPrefix, logger, observability, (entry, mode, channel, message) => queue.announce(entry, mode, channel, message));
  const events = new EventService(bus, { maintenance, workers, queue: queueService, clock: date, observe: observability });
  const writer = new JobWriter(models.Job, { logger, logs: jobLogs });
  const lifecycle = new JobLifecycle({
    models, jobs, queue, writer, targets, events, maintenance, workers, caps, cfg: config.queue, bumpEnabled: config.bumpEnabled, logger, clock: date, observe: observability,
  });
  // Changes published while this instance's subscription was broken, and a few seconds before (clocks may differ).
  bus.onResubscribed((brokenForMs) => lifecycle.replayRecent(brokenForMs + 5_000));

  const schedules = new ScheduleService({
    models, queue, lifecycle, jobs, isMaintenance: () => queueService.isMaintenance(), bumpEnabled: config.bumpEnabled, missedGraceMs: MISSED_GRACE_MS, clock: date, logger,
  });

  const services: Services = {
    status: new StatusService(mongo, redis, config.env, { mongodb: !config.mongoUri, redis: !config.redisUrl && !config.redisCluster }),
    targets,
    jobs,
    lifecycle,
    datasets: new DatasetService(config.inputDir, logger),
    maintenance,
    moduleData: new ModuleDataService(models, date),
    queue: queueService,
    caps,
    flows: new FlowService(models),
    schedules,
    workers,
    events,
    observability,
    jobLogs,
    bulk: new BulkActionService(models, jobs, lifecycle, logger, date, config.bulkMax),
    retention: new RetentionService(models, jobLogs, new RedisLease(redis, `${config.redisKeyPrefix}retention:lease`, RETENTION_LEASE_MS), config.retention, logger, date, randomUUID()),
  };
  const loops = new BackgroundLoops(lifecycle, workers, config.queue, logger, schedules, services.retention, config.retention.intervalMs);
  return { services, recovery: loops, queue, models, bus, writer, observability };
}
