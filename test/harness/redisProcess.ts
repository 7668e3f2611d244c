import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/embedded/launcher.js';
import { onFileEnd } from './backends.js';
import { pingRedis as ping } from './start.js';

/** A redis-server of one test's own, without persistence, that it may restart empty on the same port. */
export interface RestartableRedis {
  url: string;
  port: number;
  /**
   * Kills the server (SIGKILL: nothing is saved, and it keeps no data on disk anyway), leaves the port
   * closed for `downMs`, then starts a new, empty one on the same port. Resolves with the time
   * (Date.now()) at which the new one answered PING.
   */
  restartEmpty(downMs?: number): Promise<number>;
}

/** Null when a redis-server may be started and killed by the test; otherwise why not (REDIS_URL is set). */
export function whyNotRestartable(): string | null {
  return process.env.REDIS_URL ? 'REDIS_URL is set: the test would have to kill a Redis it does not own' : null;
}


/** Starts a redis-server on a free loopback port (no persistence); it is stopped at the end of the file. */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const reason = whyNotRestartable();
  if (reason) throw new Error(reason);
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const port = await freePort();
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let output = '';

  const start = async (): Promise<number> => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'job-service-test-redis-'));
    output = '';
    const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--appendonly', 'no', '--save', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    c.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child = c;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`redis-server exited early: ${output}`);
      if (await ping(port)) return Date.now();
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}: ${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };

  onFileEnd(() => stop('SIGTERM'));
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restartEmpty: async (downMs = 0) => {
      await stop('SIGKILL');
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      return start();
    },
  };
}
