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
  /** Set for a Redis Cluster (test/harness/redisCluster.ts): REDIS_CLUSTER_NODES; redisUrl is then not used. */
  redisClusterNodes?: string;
}

let started: Promise<{ backends: Backends; embedded?: EmbeddedBackends; dataDir?: string }> | undefined;

/** FerretDB and/or redis-server in a new temporary folder (no Redis persistence), as dev mode starts them. */
async function startOwn(folderPrefix: string, needMongo: boolean, needRedis: boolean): Promise<{ dataDir: string; embedded: EmbeddedBackends }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const embedded = await startEmbedded({
    dataDir,
    ferretdbBin: path.resolve(process.env.FERRETDB_BIN ?? '.tools/ferretdb'),
    redisServerBin: process.env.REDIS_SERVER_BIN ?? 'redis-server',
    persistRedis: false,
    logger: createLogger('warn', 'test-harness'),
    needMongo,
    needRedis,
  });
  return { dataDir, embedded };
}

export async function backends(): Promise<Backends> {
  started ??= (async () => {
    const needMongo = !process.env.MONGODB_URI;
    const needRedis = !process.env.REDIS_URL;
    if (!needMongo && !needRedis) return { backends: { mongoUri: process.env.MONGODB_URI!, redisUrl: process.env.REDIS_URL! } };
    const { dataDir, embedded } = await startOwn('job-service-test-', needMongo, needRedis);
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

/** A FerretDB or redis-server that belongs to one test alone, which it may pause and resume. */
export interface PausableBackend {
  /** mongodb://… or redis://… */
  url: string;
  /** SIGSTOP: the process keeps its sockets open (connections are accepted by the kernel) but answers nothing. */
  pause(): void;
  /** SIGCONT: it answers again, on the same connections. */
  resume(): void;
}

/**
 * Why `kind` cannot be given to a test as a process it may signal: set when MONGODB_URI / REDIS_URL
 * point at a server of the environment, which tests must not stop. Null when it can.
 */
export function whyNotPausable(kind: 'mongodb' | 'redis'): string | null {
  const variable = kind === 'mongodb' ? 'MONGODB_URI' : 'REDIS_URL';
  return process.env[variable] ? `${variable} is set: the test would have to pause a server it does not own` : null;
}

/**
 * Starts a FerretDB or redis-server of the caller's own (never the file's shared one, which other
 * tests of the file use), in its own temporary folder. It is resumed and stopped at the end of the file.
 */
export async function startPausable(kind: 'mongodb' | 'redis'): Promise<PausableBackend> {
  const reason = whyNotPausable(kind);
  if (reason) throw new Error(reason);
  const { dataDir, embedded } = await startOwn(`job-service-test-${kind}-`, kind === 'mongodb', kind === 'redis');
  const pid = kind === 'mongodb' ? embedded.pids.ferretdb : embedded.pids.redis;
  const url = kind === 'mongodb' ? embedded.mongoUri : embedded.redisUrl;
  if (!pid || !url) throw new Error(`${kind} started without a process id or address`);
  const signal = (sig: NodeJS.Signals) => process.kill(pid, sig);
  onFileEnd(async () => {
    // A stopped process would not act on SIGTERM until continued.
    try {
      signal('SIGCONT');
    } catch {
      // already gone
    }
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { url, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT') };
}
