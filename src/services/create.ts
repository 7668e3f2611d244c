import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { createModels, ensureIndexes } from '../models/index.js';
import { RedisQueue } from '../queue/index.js';
import { DatasetService } from './datasets.js';
import { EventService } from './events.js';
import type { Services } from './index.js';
import { JobLock } from './jobLock.js';
import { JobService } from './jobs.js';
import { MaintenanceService } from './maintenance.js';
import { ModuleDataService } from './moduleData.js';
import { QueueService } from './queue.js';
import { QueueRecovery } from './recovery.js';
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
  /** The database is FerretDB (see JobServiceOptions.conditionalFilters and findByIds). */
  ferret?: boolean;
}

/** Builds every service of one instance on its connections; indexes and the initial maintenance entry first. */
export async function createServices(config: Config, mongo: Connection, redis: Redis, logger: Logger, opts: ServiceOptions = {}) {
  const now = opts.now ?? Date.now;
  const date = () => new Date(now());
  const models = createModels(mongo);
  await ensureIndexes(models, { uniqueOnly: opts.ferret });
  const queue = new RedisQueue({
    redis,
    prefix: config.redisKeyPrefix,
    clock: now,
    random: opts.random,
    leaseMs: config.queue.leaseMs,
    backoff: { baseMs: config.queue.backoffBaseMs, maxMs: config.queue.backoffMaxMs },
  });
  const pointLookups = Boolean(opts.ferret);
  const targets = new TargetService(models, pointLookups);
  const conditionalFilters = !opts.ferret;
  const jobs = new JobService(models, targets, new JobLock(redis, config.redisKeyPrefix), { bumpEnabled: config.bumpEnabled, conditionalFilters, pointLookups, clock: date });
  const maintenance = new MaintenanceService(models, date);
  const workers = new WorkerService(models, queue, config.queue, date, pointLookups);
  const queueService = new QueueService(models, jobs, queue, config.queue, date);
  // Maintenance is recorded in Mongo, then switched in Redis where the claim script reads it.
  maintenance.listen((paused) => queueService.setMaintenance(paused));
  await maintenance.ensureInitial();
  const bus = new EventBus(redis, config.redisKeyPrefix, logger);
  const events = new EventService(bus, { jobs, targets, maintenance, workers, queue: queueService, clock: date });

  const services: Services = {
    status: new StatusService(mongo, redis, config.env, { mongodb: !config.mongoUri, redis: !config.redisUrl }),
    targets,
    jobs,
    datasets: new DatasetService(config.inputDir, logger),
    maintenance,
    moduleData: new ModuleDataService(models, date),
    queue: queueService,
    workers,
    events,
  };
  const recovery = new QueueRecovery(redis, models, jobs, queueService, queue, workers, maintenance, config.queue, logger, date);
  return { services, recovery, queue, models, bus };
}
