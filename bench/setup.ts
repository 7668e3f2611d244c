import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startEmbedded, type EmbeddedBackends } from '../src/embedded/launcher.js';
import { createLogger } from '../src/logger.js';
import { makeKey, signToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER } from '../test/harness/jwks.js';

/**
 * The service under test, in this process: MONGODB_URI / REDIS_URL when given,
 * otherwise its own FerretDB and redis-server on free loopback ports with data
 * in a temporary folder; a local JWKS and real ES256 tokens.
 */
export interface BenchEnv {
  app: App;
  backend: string;
  tokens: { viewer: string; submitter: string; worker: string };
  /** A second Redis client for the raw-queue ceiling (same server as the service). */
  rawRedis: Redis;
  /** CPU ms used so far by this process and by the embedded children (from /proc; empty for external backends). */
  cpuMs(): Record<string, number>;
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
    if (!mongoUri || !redisUrl) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'job-service-bench-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
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
      for (const name of ['ferretdb', 'redis']) {
        const file = path.join(dataDir, `${name}.pid`);
        if (existsSync(file)) children[name] = Number(readFileSync(file, 'utf8'));
      }
      mongoUri ??= embedded.mongoUri!;
      redisUrl ??= embedded.redisUrl!;
    }
    const key = await makeKey('bench-key', 'ES256');
    const jwks = await startJwksServer([key]);
    cleanups.push(() => jwks.close());
    const name = `bench_${Date.now().toString(36)}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      MONGODB_URI: mongoUri,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `${name}:`,
      JWKS_URL: jwks.url,
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const app = await startApp(config, createLogger(config.logLevel, 'bench'), { dbName: name });
    cleanups.push(() => app.close());
    const rawRedis = new Redis(redisUrl, { lazyConnect: false });
    cleanups.push(() => rawRedis.quit());
    const sign = (roles: string[], sub: string) => signToken(key, { roles, sub, expiresIn: 3600 });
    return {
      app,
      backend: embedded ? `embedded FerretDB (SQLite) + redis-server` : `MONGODB_URI + REDIS_URL`,
      tokens: { viewer: await sign(['VIEWER'], 'bench-viewer'), submitter: await sign(['SUBMITTER'], 'bench-sub'), worker: await sign(['WORKER'], 'bench-worker') },
      rawRedis,
      cpuMs: () => {
        const u = process.cpuUsage();
        return { node: (u.user + u.system) / 1000, ...Object.fromEntries(Object.entries(children).map(([k, pid]) => [k, procCpuMs(pid)])) };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
