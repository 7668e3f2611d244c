import { mongoCommandCount, mongoCommandCounts } from '../src/db/mongo.js';
import { redisStats } from '../src/db/redis.js';
import { serviceConfig, startService } from '../test/harness/start.js';
import { ownCpuUs, serveChild } from './child.js';

/**
 * The service under test, in a process of its own (forked by bench/setup.ts),
 * so its CPU is apart from the load generator's. It starts one instance with
 * the instrument option (MongoDB commands counted by the driver's command
 * monitoring, Redis socket writes and commands of the main client) and answers
 * the bench over IPC: 'stats' (CPU and counters so far), 'subscriberCount'.
 */
export interface ServiceConfig {
  mongoUri: string;
  redisUrl: string;
  /** Set: run on this Redis Cluster (REDIS_CLUSTER_NODES) instead of redisUrl. */
  redisClusterNodes?: string;
  dataDir: string;
  dbName: string;
  prefix: string;
  logLevel: string;
  /** Run the reaper, reconciler and worker-expiry loops (the bench runs without them; see setup.ts). */
  background: boolean;
  /** More environment for the service's configuration (metrics, stats and tracing on or off; retention settings). */
  env?: Record<string, string>;
  /** Set (BENCH_PROFILE): the process runs with --cpu-prof and writes its profile here when it exits. */
  profileDir?: string;
}

export interface ServiceReady {
  url: string;
  tokens: { viewer: string; submitter: string; worker: string; admin: string; operator: string };
}

/** What the service process has used and sent so far. */
export interface ServiceStats {
  cpuUs: number;
  mongo: number;
  mongoByName: Record<string, number>;
  redisRoundTrips: number;
  redisCommands: number;
}

const cfg = JSON.parse(process.argv[2]!) as ServiceConfig;

serveChild<ServiceReady>(async () => {
  // The test harness's instance start-up; no JWKS_URL, so the instance's dev issuer (key in dataDir) signs the bench's tokens.
  const config = serviceConfig({ mongoUri: cfg.mongoUri, redisUrl: cfg.redisUrl, redisClusterNodes: cfg.redisClusterNodes, prefix: cfg.prefix, name: cfg.dbName, dataDir: cfg.dataDir, logLevel: cfg.logLevel, env: { SHUTDOWN_TIMEOUT_MS: '10000', ...cfg.env } });
  const app = await startService(config, cfg.dbName, { instrument: true, background: cfg.background });
  const sign = (roles: Array<'VIEWER' | 'SUBMITTER' | 'WORKER' | 'OPERATOR' | 'ADMIN'>, sub: string) => app.devIssuer!.mint({ sub, roles, ttlSeconds: 3600 });
  const tokens = { viewer: await sign(['VIEWER'], 'bench-viewer'), submitter: await sign(['SUBMITTER'], 'bench-sub'), worker: await sign(['WORKER'], 'bench-worker'), admin: await sign(['ADMIN'], 'bench-admin'), operator: await sign(['OPERATOR'], 'bench-operator') };
  const stats = (): ServiceStats => {
    // Round trips are counted on one Redis only (NaN on a cluster).
    const redis = config.redisCluster ? { roundTrips: NaN, commands: NaN } : redisStats(app.redis);
    return {
      cpuUs: ownCpuUs(),
      mongo: mongoCommandCount(app.mongo),
      mongoByName: mongoCommandCounts(app.mongo),
      redisRoundTrips: redis.roundTrips,
      redisCommands: redis.commands,
    };
  };
  return {
    ready: { url: app.url, tokens },
    handlers: {
      stats,
      subscriberCount: (topic) => app.bus.subscriberCount(String(topic)),
    },
    close: () => app.close(),
  };
});
