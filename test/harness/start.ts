import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startEmbedded } from '../../src/embedded/launcher.js';
import { createLogger } from '../../src/logger.js';
import { TEST_AUDIENCE, TEST_ISSUER } from './jwks.js';

/**
 * The start-up code shared by the test harness (backends.ts, app.ts) and the bench (bench/setup.ts,
 * bench/service.ts): real backends in a temporary folder, and a service instance on its own database
 * and Redis key prefix. No jest here, so the bench can import it.
 */

/** Backends of one test file or one bench run. */
export interface OwnBackends {
  mongoUri: string;
  redisUrl: string;
  /** The temporary folder (FerretDB's SQLite files; the bench's dev-issuer key). Removed by stop(). */
  dataDir: string;
  /** Processes started here (for CPU accounting and pausing); empty for servers given by the environment. */
  pids: { ferretdb?: number; redis?: number };
  /** Stops what was started and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * MONGODB_URI / REDIS_URL from `env` when set; otherwise a FerretDB (file-backed SQLite) and a
 * redis-server without persistence on free loopback ports, as dev mode starts them, in a new
 * temporary folder named `<folderPrefix>…`.
 */
export async function startOwnBackends(folderPrefix: string, env: NodeJS.ProcessEnv = process.env, need = { mongo: !env.MONGODB_URI, redis: !env.REDIS_URL }): Promise<OwnBackends> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!need.mongo && !need.redis) {
    return { mongoUri: env.MONGODB_URI!, redisUrl: env.REDIS_URL!, dataDir, pids: {}, stop: async () => removeDir() };
  }
  try {
    const embedded = await startEmbedded({
      dataDir,
      ferretdbBin: path.resolve(env.FERRETDB_BIN ?? '.tools/ferretdb'),
      redisServerBin: env.REDIS_SERVER_BIN ?? 'redis-server',
      persistRedis: false,
      logger: createLogger('warn', 'test-backends'),
      needMongo: need.mongo,
      needRedis: need.redis,
    });
    return {
      mongoUri: embedded.mongoUri ?? env.MONGODB_URI ?? '',
      redisUrl: embedded.redisUrl ?? env.REDIS_URL ?? '',
      dataDir,
      pids: embedded.pids,
      stop: async () => {
        await embedded.stop();
        removeDir();
      },
    };
  } catch (err) {
    removeDir();
    throw err;
  }
}

export interface ServiceConfigOptions {
  mongoUri: string;
  redisUrl: string;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES) instead of redisUrl; the prefix then carries a hash tag. */
  redisClusterNodes?: string;
  /** Database name and Redis key prefix (`<name>:`, `{<name>}:` on a cluster, unless `prefix` is given). */
  name: string;
  prefix?: string;
  /** JWKS of the test issuer (TEST_ISSUER / TEST_AUDIENCE); without it the instance runs its dev issuer, its key in dataDir. */
  jwksUrl?: string;
  dataDir?: string;
  logLevel?: string;
  /** Extra environment for loadConfig; wins over everything above. */
  env?: Record<string, string>;
}

/** The configuration of a test or bench instance: PORT 0, NODE_ENV test, backend bounds wide enough for a loaded 2-core machine. */
export function serviceConfig(o: ServiceConfigOptions): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: o.mongoUri,
    // A cluster needs the prefix's hash tag (every key of a queue script in one slot).
    ...(o.redisClusterNodes ? { REDIS_CLUSTER_NODES: o.redisClusterNodes } : { REDIS_URL: o.redisUrl }),
    REDIS_KEY_PREFIX: o.prefix ?? (o.redisClusterNodes ? `{${o.name}}:` : `${o.name}:`),
    ...(o.jwksUrl ? { JWKS_URL: o.jwksUrl, JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE } : {}),
    ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}),
    LOG_LEVEL: o.logLevel ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Bounds wide enough for a 2-core machine running several test files and a browser at once (a
    // 1,000-item batch there took over 2 s); the bounded-backend tests set their own short ones.
    MONGO_TIMEOUT_MS: '20000',
    REDIS_COMMAND_TIMEOUT_MS: '10000',
    ...o.env,
  });
}

/**
 * Starts one service instance with `config` on the database `name`. `instrument` (count MongoDB
 * commands and Redis round trips) is off unless asked: only tests and the bench turn it on.
 */
export function startService(config: Config, name: string, options: Omit<AppOptions, 'dbName'> = {}): Promise<App> {
  return startApp(config, createLogger(config.logLevel, name), { ...options, dbName: name });
}

/** Whether a redis-server answers PING on this loopback port within 500 ms (tests and the soak wait on it). */
export function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    sock.once('error', () => done(false));
  });
}
