import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded, type EmbeddedBackends } from '../../src/embedded/launcher.js';
import { createLogger } from '../../src/logger.js';

/**
 * The real backends of one test file: MONGODB_URI / REDIS_URL when set,
 * otherwise a FerretDB (file-backed SQLite in a temporary folder) and a
 * redis-server of its own, on free loopback ports, started on first use and
 * stopped after the file (test/harness/setup.ts). Files also isolate
 * themselves by database name and Redis key prefix, so they can share
 * servers given by the environment.
 */
export interface Backends {
  mongoUri: string;
  redisUrl: string;
}

let started: Promise<{ backends: Backends; embedded?: EmbeddedBackends; dataDir?: string }> | undefined;

export async function backends(): Promise<Backends> {
  started ??= (async () => {
    const needMongo = !process.env.MONGODB_URI;
    const needRedis = !process.env.REDIS_URL;
    if (!needMongo && !needRedis) return { backends: { mongoUri: process.env.MONGODB_URI!, redisUrl: process.env.REDIS_URL! } };
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'job-service-test-'));
    const embedded = await startEmbedded({
      dataDir,
      ferretdbBin: path.resolve(process.env.FERRETDB_BIN ?? '.tools/ferretdb'),
      redisServerBin: process.env.REDIS_SERVER_BIN ?? 'redis-server',
      persistRedis: false,
      logger: createLogger('warn', 'test-harness'),
      needMongo,
      needRedis,
    });
    return {
      backends: { mongoUri: process.env.MONGODB_URI ?? embedded.mongoUri!, redisUrl: process.env.REDIS_URL ?? embedded.redisUrl! },
      embedded,
      dataDir,
    };
  })();
  return (await started).backends;
}

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs `fn` at the end of the file, before the backends stop (jest runs afterAll hooks in declaration order). */
export function onFileEnd(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/** Closes what the file left open (apps are closed twice safely), then stops what backends() started. */
export async function stopBackends(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  if (!started) return;
  const s = await started.catch(() => undefined);
  started = undefined;
  await s?.embedded?.stop();
  if (s?.dataDir) rmSync(s.dataDir, { recursive: true, force: true });
}
