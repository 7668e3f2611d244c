import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { parseClusterNodes, type RedisClusterConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/mongo.js';
import { closeRedis, connectRedisCluster, type RedisClient } from '../src/db/redis.js';
import { queueKeys } from '../src/queue/index.js';
import { launchRedisCluster } from '../test/harness/redisCluster.js';
import { startOwnBackends } from '../test/harness/start.js';
import { startChild, type Child } from './child.js';
import { gql } from './load.js';
import type { ServiceConfig, ServiceReady, ServiceStats } from './service.js';

/**
 * The backends, and the service under test in a child process (bench/service.ts):
 * MONGODB_URI / REDIS_URL when given, otherwise the bench's own FerretDB and
 * redis-server on free loopback ports with data in a temporary folder (the
 * test harness's start-up code, test/harness/start.ts); real
 * ES256 tokens from the service's own dev issuer (its key kept in that folder,
 * so every instance accepts them). Each scenario gets a new service process on
 * its own database and Redis key prefix (fresh). This process is the load
 * generator; it keeps its own MongoDB connection (raw ceilings, sizes) and Redis
 * client (queue lengths), which the service's counters do not see.
 *
 * The service runs without its background loops (reaper, reconciler, worker
 * expiry): they cost per second, not per request, and would blur the per-request
 * counts. What they cost is measured on its own (backgroundCost).
 */
/** The service's counters, with the backends' CPU read at the same moment. */
export type MeasuredStats = ServiceStats & BackendCpu;

/** CPU µs used so far by FerretDB and redis-server (NaN when they are external). */
export interface BackendCpu {
  dbCpuUs: number;
  redisServerCpuUs: number;
}

export interface Service {
  url: string;
  /** The instance's Redis key prefix and database name. */
  prefix: string;
  dbName: string;
  pid: number;
  stats(): Promise<MeasuredStats>;
  subscriberCount(topic: string): Promise<number>;
}

export interface BenchEnv {
  /** The current scenario's service process (see fresh). */
  svc: Service;
  /** This process's own connection to the current scenario's database (pool sized like the service's). */
  db: Connection;
  /** This process's own Redis client (the same Redis as the current service: one server, or the cluster). */
  redis: RedisClient;
  /** Whether a local Redis Cluster of three masters runs alongside (BENCH_REDIS_CLUSTER=0: not started). */
  hasCluster: boolean;
  /** CPU the embedded backends have used so far (from /proc). */
  backendCpu(): BackendCpu;
  backend: string;
  tokens: ServiceReady['tokens'];
  /**
   * CPU ms used so far by this process (the load generator), the service processes and the embedded
   * children (from /proc), and by the whole machine (every process, other sessions' included).
   */
  cpuMs(): Record<string, number>;
  /**
   * Isolates the next scenario: stops the current service process and drops its
   * database, waits until the embedded backends are idle (work a scenario left
   * queued in FerretDB must not slow the next one), and starts a new service
   * process on an empty database and a new Redis key prefix. Returns the seconds
   * spent waiting for idle.
   */
  fresh(label: string, opts?: { background?: boolean; env?: Record<string, string>; redis?: 'single' | 'cluster' }): Promise<number>;
  close(): Promise<void>;
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** CPU ms every process on the machine has used since boot (user, nice, system, irq, softirq from /proc/stat): other load shows as the difference. */
function machineCpuMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * 10;
  } catch {
    return NaN;
  }
}

/**
 * Waits until the backend children use under 10% of a core over half a second
 * (at most 60 s); external backends cannot be watched, so there it returns at once.
 */
async function waitIdle(childCpuMs: () => number): Promise<number> {
  const t0 = performance.now();
  let last = childCpuMs();
  while (Number.isFinite(last) && last > 0 && performance.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = childCpuMs();
    if (now - last < 50) break;
    last = now;
  }
  return (performance.now() - t0) / 1000;
}

export async function startBenchEnv(env: NodeJS.ProcessEnv): Promise<BenchEnv> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    // The test harness's start-up: MONGODB_URI / REDIS_URL when given, else FerretDB and redis-server in a temporary folder.
    const own = await startOwnBackends('job-service-bench-', env);
    cleanups.push(() => own.stop());
    const { dataDir, mongoUri, redisUrl } = own;
    const embedded = Object.keys(own.pids).length > 0;
    const children: Record<string, number> = {};
    for (const [name, pid] of Object.entries(own.pids)) if (pid) children[name] = pid;
    const [dbUri, queueUrl] = [mongoUri, redisUrl];
    const redis = new Redis(queueUrl, { lazyConnect: false });
    cleanups.push(() => redis.quit());
    // A Redis Cluster of three masters on this machine, for the scenarios run on both (same run, same database).
    let clusterNodes: string | undefined;
    let clusterRedis: RedisClient | undefined;
    if (env.BENCH_REDIS_CLUSTER !== '0') {
      const cluster = await launchRedisCluster(3);
      cleanups.push(() => cluster.stop());
      cluster.pids.forEach((pid, i) => (children[`redisCluster${i}`] = pid));
      clusterNodes = cluster.nodesEnv;
      const c = await connectRedisCluster(parseClusterNodes(clusterNodes.split(',')) as RedisClusterConfig, 'bench');
      clusterRedis = c;
      cleanups.push(() => closeRedis(c));
    }

    let serviceCpuDoneMs = 0;
    const backendCpu = (): BackendCpu => ({
      dbCpuUs: children.ferretdb ? procCpuMs(children.ferretdb) * 1000 : NaN,
      redisServerCpuUs: children.redis ? procCpuMs(children.redis) * 1000 : NaN,
    });
    const startService = async (label: string, background: boolean, onCluster: boolean, extraEnv?: Record<string, string>) => {
      const name = `bench_${label}_${Date.now().toString(36)}`;
      const where = onCluster ? { redisClusterNodes: clusterNodes, prefix: `{${name}}:` } : { prefix: `${name}:` };
      const cfg: ServiceConfig = { mongoUri: dbUri, redisUrl: queueUrl, ...where, dataDir, dbName: name, logLevel: env.BENCH_LOG_LEVEL ?? 'error', background, env: extraEnv, profileDir: env.BENCH_PROFILE ? path.resolve('.bench', 'profiles') : undefined };
      const child: Child<ServiceReady> = await startChild(new URL('./service.js', import.meta.url), cfg, cfg.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${cfg.profileDir}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`] : []);
      // A long bound: this connection also counts and drops large collections, which FerretDB does by a full scan.
      const { conn } = await connectDatabase(dbUri, name, { countCommands: true, timeoutMs: 120_000 });
      const svc: Service = {
        url: child.ready.url,
        prefix: cfg.prefix,
        dbName: name,
        pid: child.pid,
        stats: async () => ({ ...(await child.call<ServiceStats>('stats')), ...backendCpu() }),
        subscriberCount: (topic) => child.call<number>('subscriberCount', topic),
      };
      const stop = async () => {
        serviceCpuDoneMs += procCpuMs(child.pid) || 0;
        await child.stop();
        await conn.dropDatabase().catch(() => undefined);
        await conn.close();
      };
      return { svc, conn, tokens: child.ready.tokens, stop };
    };

    let current = await startService('setup', false, false);
    cleanups.push(() => current.stop());
    const childCpuMs = () => Object.keys(children).reduce((sum, k) => sum + procCpuMs(children[k]!), 0);
    const bench: BenchEnv = {
      svc: current.svc,
      db: current.conn,
      redis,
      hasCluster: clusterNodes !== undefined,
      backendCpu,
      backend: embedded ? `embedded FerretDB (SQLite) + redis-server` : `MONGODB_URI + REDIS_URL`,
      tokens: current.tokens,
      cpuMs: () => {
        const u = process.cpuUsage();
        return {
          bench: (u.user + u.system) / 1000,
          service: serviceCpuDoneMs + (procCpuMs(bench.svc.pid) || 0),
          ...Object.fromEntries(Object.entries(children).map(([k, pid]) => [k, procCpuMs(pid)])),
          machine: machineCpuMs(),
        };
      },
      fresh: async (label, opts = {}) => {
        await current.stop();
        const waited = await waitIdle(childCpuMs);
        const onCluster = opts.redis === 'cluster';
        if (onCluster && !clusterRedis) throw new Error('no Redis Cluster runs in this bench (BENCH_REDIS_CLUSTER=0)');
        current = await startService(label, opts.background ?? false, onCluster, opts.env);
        Object.assign(bench, { svc: current.svc, db: current.conn, tokens: current.tokens, redis: onCluster ? clusterRedis : redis });
        return waited;
      },
      close,
    };
    return bench;
  } catch (err) {
    await close();
    throw err;
  }
}

const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { error { code } } } }';

/** Seeds `count` QUEUED jobs through the API, 100 a batch (4 at a time), each on its own target `<prefix>_<n>`. */
export async function seedJobs(env: BenchEnv, prefix: string, count: number, operation = 'ADD'): Promise<void> {
  const batches = Array.from({ length: Math.ceil(count / 100) }, (_, b) => b);
  const one = async (b: number) => {
    const items = Array.from({ length: Math.min(100, count - b * 100) }, (_, i) => ({ target: `${prefix}_${b * 100 + i}`, operation }));
    const data = await gql<{ jobsCreate: { results: Array<{ error: { code: string } | null }> } }>(env.svc.url, env.tokens.submitter, CREATE, { i: { items } });
    const failed = data.jobsCreate.results.filter((r) => r.error).length;
    if (failed) throw new Error(`seeding: ${failed} items refused`);
  };
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map(one));
}

/** Documents in the current scenario's jobs collection. */
export function jobCount(env: BenchEnv): Promise<number> {
  return env.db.collection('jobs').estimatedDocumentCount();
}

/** Jobs of one operation ready to be claimed, as the service's queue holds them. */
export function readyCount(env: BenchEnv, operation = 'ADD'): Promise<number> {
  return env.redis.zcard(queueKeys(env.svc.prefix).ready(operation));
}
