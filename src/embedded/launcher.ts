import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * Starts the embedded backends when MONGODB_URI / REDIS_URL are not given:
 * the FerretDB launcher (tools/ferretdb, SQLite backend) and a redis-server
 * child, each on a free loopback port, and waits until both answer.
 * Shared by dev mode (`npm start`) and the test harness.
 */

export interface EmbeddedOptions {
  /** Folder for ferretdb/ (SQLite files), redis/ and the pid files. */
  dataDir: string;
  ferretdbBin: string;
  redisServerBin: string;
  /** Keep Redis data across restarts (dev). Tests run without persistence. */
  persistRedis: boolean;
  logger: Logger;
  /** Start only what is missing. */
  needMongo: boolean;
  needRedis: boolean;
  /** How long to wait for each child to answer. Default 20 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedBackends {
  mongoUri: string | undefined;
  redisUrl: string | undefined;
  /** Process ids of the children started (for CPU accounting). */
  pids: { ferretdb?: number; redis?: number };
  /** Stops the children (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
}

export class MissingBinaryError extends Error {
  constructor(what: string, fix: string) {
    super(`${what} not found. Fix: ${fix}`);
    this.name = 'MissingBinaryError';
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; we release it just before the child binds). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited early (${child.exitCode ?? child.signalCode}): ${output().trim().slice(-2000)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not answer on port ${port} within ${timeoutMs} ms: ${output().trim().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills a child left over by a previous run that died without cleaning up (keeps `npm start` idempotent). */
function killStale(pidFile: string, marker: string, logger: Logger): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(marker)) return;
    process.kill(pid, 'SIGTERM');
    logger.warn({ pid }, 'stopped a backend left running by a previous run');
  } catch {
    // not running any more
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function startChild(bin: string, args: string[], name: string): { child: ChildProcess; output: () => string } {
  let buf = '';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => {
    buf = (buf + d.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => {
    buf += `\n${name}: ${err.message}`;
  });
  return { child, output: () => buf };
}

function hasExecutable(bin: string): boolean {
  if (bin.includes('/')) return existsSync(bin);
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, bin)));
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedBackends> {
  const timeout = opts.startTimeoutMs ?? 20_000;
  if (opts.needMongo && !existsSync(opts.ferretdbBin)) {
    throw new MissingBinaryError(`The FerretDB launcher (${opts.ferretdbBin})`, 'run `bash scripts/build-ferretdb.sh` (needs Go >= 1.24), or set MONGODB_URI');
  }
  if (opts.needRedis && !hasExecutable(opts.redisServerBin)) {
    throw new MissingBinaryError(`redis-server (${opts.redisServerBin})`, 'run `apt-get install -y redis-server`, or set REDIS_URL');
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const children: ChildProcess[] = [];
  const pidFiles: string[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= Promise.all(children.map(stopChild)).then(() => {
      for (const f of pidFiles) rmSync(f, { force: true });
    });
    return stopped;
  };
  // A parent that exits without calling stop() must not leave children behind.
  const onExit = () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  process.once('exit', onExit);

  let mongoUri: string | undefined;
  let redisUrl: string | undefined;
  const pids: EmbeddedBackends['pids'] = {};
  try {
    if (opts.needMongo) {
      const dir = path.join(opts.dataDir, 'ferretdb');
      const pidFile = path.join(opts.dataDir, 'ferretdb.pid');
      killStale(pidFile, 'ferretdb', opts.logger);
      const port = await freePort();
      const { child, output } = startChild(opts.ferretdbBin, ['-port', String(port), '-data', dir, '-parent-pid', String(process.pid)], 'ferretdb');
      children.push(child);
      if (child.pid) writeFileSync(pidFile, String(child.pid));
      pids.ferretdb = child.pid;
      pidFiles.push(pidFile);
      await waitForPort(port, child, 'FerretDB', timeout, output);
      mongoUri = `mongodb://127.0.0.1:${port}/`;
      opts.logger.info({ port, dir }, 'embedded FerretDB started');
    }
    if (opts.needRedis) {
      const dir = path.join(opts.dataDir, 'redis');
      mkdirSync(dir, { recursive: true });
      const pidFile = path.join(opts.dataDir, 'redis.pid');
      killStale(pidFile, 'redis-server', opts.logger);
      const port = await freePort();
      const persistence = opts.persistRedis ? ['--appendonly', 'yes', '--save', '60 1'] : ['--appendonly', 'no', '--save', ''];
      const { child, output } = startChild(
        opts.redisServerBin,
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', ...persistence],
        'redis-server',
      );
      children.push(child);
      if (child.pid) writeFileSync(pidFile, String(child.pid));
      pids.redis = child.pid;
      pidFiles.push(pidFile);
      await waitForPort(port, child, 'redis-server', timeout, output);
      redisUrl = `redis://127.0.0.1:${port}`;
      opts.logger.info({ port, dir }, 'embedded redis-server started');
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    mongoUri,
    redisUrl,
    pids,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stop();
    },
  };
}
