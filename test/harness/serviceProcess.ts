import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onFileEnd } from './backends.js';
import { TEST_AUDIENCE, TEST_ISSUER } from './jwks.js';

/** The built service, as `npm start` runs it (scripts/test.sh builds dist/ before jest). */
export const SERVICE_MAIN = path.resolve('dist/src/main.js');

/** Why the built service cannot be started as a child process; null when it can. */
export function whyNoBuiltService(): string | null {
  return existsSync(SERVICE_MAIN) ? null : `${SERVICE_MAIN} is missing: run \`npm run -s build\` (scripts/test.sh does)`;
}

export interface ServiceProcessOptions {
  /** Database name and Redis key prefix (`<name>:`); instances given the same name share both. */
  name: string;
  mongoUri: string;
  redisUrl: string;
  /** JWKS of the test issuer (test/harness/jwks.ts). */
  jwksUrl: string;
  /** More environment (LEASE_SECONDS, REAPER_INTERVAL_MS...). */
  env?: Record<string, string>;
  /** How long to wait for the ready line. Default 30 s. */
  startTimeoutMs?: number;
}

/** One instance of the built service running as a child process of the test. */
export interface ServiceProcess {
  /** Base URL (GraphQL at /graphql). */
  url: string;
  pid: number;
  /** Everything it wrote to stdout and stderr so far (pino JSON lines). */
  output(): string;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** Sends `signal` and resolves once the process exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `uri` with its database path replaced by `dbName` (query string kept). */
export function mongoUriWithDb(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${dbName}${m[2] ?? ''}`;
}

function exitedOf(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts `node dist/src/main.js` against the given backends, on a free port,
 * and resolves with its URL once it printed its ready line. It is stopped
 * (SIGTERM, then SIGKILL after 5 s) at the end of the file if still running.
 */
export async function startServiceProcess(opts: ServiceProcessOptions): Promise<ServiceProcess> {
  const reason = whyNoBuiltService();
  if (reason) throw new Error(reason);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'job-service-proc-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_DIR: '',
    MONGODB_URI: mongoUriWithDb(opts.mongoUri, opts.name),
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: `${opts.name}:`,
    JWKS_URL: opts.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...opts.env,
  };
  const child = spawn(process.execPath, [SERVICE_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out += d.toString());
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals) => {
    if (!exitedOf(child)) child.kill(signal);
    await exit;
  };
  onFileEnd(async () => {
    if (!exitedOf(child)) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await kill('SIGTERM');
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start within ${opts.startTimeoutMs ?? 30_000} ms: ${out.slice(-2000)}`)), opts.startTimeoutMs ?? 30_000);
    const onData = () => {
      const m = /GraphQL at (http:\/\/\S+)\/graphql/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`service exited (${child.exitCode ?? child.signalCode}) before it was ready: ${out.slice(-2000)}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => out,
    get exited() {
      return exitedOf(child);
    },
    kill,
  };
}
