import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startApp, type App } from '../src/app.js';
import type { Role } from '../src/auth/principal.js';
import { loadConfig } from '../src/config.js';
import { startEmbedded, type EmbeddedBackends } from '../src/embedded/launcher.js';
import { createLogger } from '../src/logger.js';
import { gql } from './load.js';

/**
 * The service under test, in this process: MONGODB_URI / REDIS_URL when given,
 * otherwise its own FerretDB and redis-server on free loopback ports with data
 * in a temporary folder; real ES256 tokens from the service's own dev issuer (its key
 * kept in that folder, so every instance accepts them). Each scenario gets
 * a new instance on its own database and Redis key prefix (fresh).
 */
export interface BenchEnv {
  /** The current scenario's service instance (see fresh). */
  app: App;
  backend: string;
  tokens: { viewer: string; submitter: string; worker: string };
  /** A second Redis client for the raw-queue ceiling (same server as the service). */
  rawRedis: Redis;
  /** CPU ms used so far by this process and by the embedded children (from /proc; empty for external backends). */
  cpuMs(): Record<string, number>;
  /**
   * Isolates the next scenario: waits until the embedded backends are idle (work
   * a scenario left queued in FerretDB must not slow the next one), drops the
   * current instance's database, and starts a new instance on an empty database
   * and a new Redis key prefix. Returns the seconds spent waiting for idle.
   */
  fresh(label: string): Promise<number>;
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
    let mongoUri = env.MONGODB_URI;
    let redisUrl = env.REDIS_URL;
    let embedded: EmbeddedBackends | undefined;
    const children: Record<string, number> = {};
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'job-service-bench-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    if (!mongoUri || !redisUrl) {
      embedded = await startEmbedded({
        dataDir,
        ferretdbBin: path.resolve(env.FERRETDB_BIN ?? '.tools/ferretdb'),
        redisServerBin: env.REDIS_SERVER_BIN ?? 'redis-server',
        persistRedis: false,
        logger: createLogger('warn', 'bench-backends'),
        needMongo: !mongoUri,
        needRedis: !redisUrl,
      });
      const e = embedded;
      cleanups.push(() => e.stop());
      for (const [name, pid] of Object.entries(embedded.pids)) if (pid) children[name] = pid;
      mongoUri ??= embedded.mongoUri!;
      redisUrl ??= embedded.redisUrl!;
    }
    const [dbUri, queueUrl] = [mongoUri!, redisUrl!];
    const startInstance = (label: string) => {
      const name = `bench_${label}_${Date.now().toString(36)}`;
      const config = loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        MONGODB_URI: dbUri,
        REDIS_URL: queueUrl,
        REDIS_KEY_PREFIX: `${name}:`,
        DATA_DIR: dataDir,
        LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
        SHUTDOWN_TIMEOUT_MS: '10000',
      });
      return startApp(config, createLogger(config.logLevel, 'bench'), { dbName: name });
    };
    let app = await startInstance('setup');
    const stopInstance = async () => {
      await app.mongo.dropDatabase().catch(() => undefined);
      await app.close();
    };
    cleanups.push(() => stopInstance());
    const rawRedis = new Redis(queueUrl, { lazyConnect: false });
    cleanups.push(() => rawRedis.quit());
    const sign = (roles: Role[], sub: string) => app.devIssuer!.mint({ sub, roles, ttlSeconds: 3600 });
    const cpuMs = () => {
      const u = process.cpuUsage();
      return { node: (u.user + u.system) / 1000, ...Object.fromEntries(Object.entries(children).map(([k, pid]) => [k, procCpuMs(pid)])) };
    };
    const childCpuMs = () => Object.keys(children).reduce((sum, k) => sum + procCpuMs(children[k]!), 0);
    const bench: BenchEnv = {
      app,
      backend: embedded ? `embedded FerretDB (SQLite) + redis-server` : `MONGODB_URI + REDIS_URL`,
      tokens: { viewer: await sign(['VIEWER'], 'bench-viewer'), submitter: await sign(['SUBMITTER'], 'bench-sub'), worker: await sign(['WORKER'], 'bench-worker') },
      rawRedis,
      cpuMs,
      fresh: async (label) => {
        const waited = await waitIdle(childCpuMs);
        await stopInstance();
        app = await startInstance(label);
        bench.app = app;
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

/** Seeds `count` QUEUED jobs through the API, 100 a batch, each on its own target `<prefix>_<n>`. */
export async function seedJobs(env: BenchEnv, prefix: string, count: number, operation = 'ADD'): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const items = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({ target: `${prefix}_${start + i}`, operation }));
    const data = await gql<{ jobsCreate: { results: Array<{ error: { code: string } | null }> } }>(env.app.url, env.tokens.submitter, CREATE, { i: { items } });
    const failed = data.jobsCreate.results.filter((r) => r.error).length;
    if (failed) throw new Error(`seeding: ${failed} items refused`);
  }
}

export function jobCount(env: BenchEnv): Promise<number> {
  return env.app.mongo.collection('jobs').estimatedDocumentCount();
}
