import { readdirSync, readFileSync } from 'node:fs';
import { startOwnBackends, type OwnBackends } from './start.js';
import { until } from './until.js';

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

let started: Promise<OwnBackends> | undefined;

export async function backends(): Promise<Backends> {
  started ??= startOwnBackends('job-service-test-');
  const { mongoUri, redisUrl } = await started;
  return { mongoUri, redisUrl };
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
  await s?.stop();
}

/** A FerretDB or redis-server that belongs to one test alone, which it may pause and resume. */
export interface PausableBackend {
  /** mongodb://… or redis://… */
  url: string;
  /**
   * SIGSTOP: the process keeps its sockets open (connections are accepted by the kernel) but answers nothing.
   * Resolves once every thread of it is stopped (the signal is delivered asynchronously: a request sent right
   * after kill() could still be answered by a thread not yet stopped).
   */
  pause(): Promise<void>;
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
  const own = await startOwnBackends(`job-service-test-${kind}-`, {}, { mongo: kind === 'mongodb', redis: kind === 'redis' });
  const pid = kind === 'mongodb' ? own.pids.ferretdb : own.pids.redis;
  const url = kind === 'mongodb' ? own.mongoUri : own.redisUrl;
  if (!pid || !url) throw new Error(`${kind} started without a process id or address`);
  const signal = (sig: NodeJS.Signals) => process.kill(pid, sig);
  onFileEnd(async () => {
    // A stopped process would not act on SIGTERM until continued.
    try {
      signal('SIGCONT');
    } catch {
      // already gone
    }
    await own.stop();
  });
  return {
    url,
    pause: async () => {
      signal('SIGSTOP');
      await until(`${kind} (pid ${pid}) stopped`, () => allThreadsStopped(pid), 5_000, 1);
    },
    resume: () => signal('SIGCONT'),
  };
}

/** Whether every thread of process `pid` is in the stopped state ('T' in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself contain spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  });
}
