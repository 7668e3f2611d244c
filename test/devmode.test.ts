import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gql } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * The embedded default, end to end, as a user runs it: the built service
 * started with no configuration brings up its own FerretDB, redis-server and
 * dev issuer under DATA_DIR; a minted token works; SIGTERM exits 0 and leaves
 * no child behind. (scripts/test.sh builds dist/ before jest runs.)
 */
const MAIN = path.resolve('dist/src/main.js');
const TOKEN = path.resolve('dist/src/cli/token.js');
const run = promisify(execFile);

let dataDir: string;

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'job-service-dev-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function devEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...extra };
  if (process.env.FERRETDB_BIN) env.FERRETDB_BIN = process.env.FERRETDB_BIN;
  return env;
}

async function startService(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], { env: devEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GraphQL at (http:\/\/\S+)\/graphql/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}: ${out}`));
    });
  });
  return { child, url, output: () => out };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopService(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

test('starts with no configuration, serves a minted ADMIN token, and stops cleanly on SIGTERM (twice: idempotent)', async () => {
  let firstToken: string | undefined;
  for (let round = 0; round < 2; round++) {
    const { child, url, output } = await startService();
    expect(output()).toMatch(/npm run token -- ADMIN/);
    const pids = ['ferretdb.pid', 'redis.pid'].map((f) => Number(readFileSync(path.join(dataDir, f), 'utf8')));
    expect(pids.every(alive)).toBe(true);

    const { stdout } = await run(process.execPath, [TOKEN, 'ADMIN', '--sub', 'ops'], { env: devEnv() });
    const token = stdout.trim();
    const res = await gql<{ viewer: { id: string; roles: string[] } }>(url, '{ viewer { id roles } }', undefined, token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.viewer).toEqual({ id: 'ops', roles: ['ADMIN'] });
    // The key persists under DATA_DIR: a token from the first run still verifies in the second.
    if (firstToken) {
      const again = await gql<{ viewer: { id: string } }>(url, '{ viewer { id } }', undefined, firstToken);
      expect(again.body.data!.viewer.id).toBe('ops');
    }
    firstToken ??= token;

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]!.d).toBeUndefined(); // never the private half

    expect(await stopService(child)).toBe(0);
    // The service waits for its children; give the kernel the moment it needs to reap them.
    await until('the embedded backends are gone', () => pids.filter(alive).length === 0, 10_000, 20);
  }
}, 90_000);

test('production without configuration refuses to start with one clear message', async () => {
  const err = await run(process.execPath, [MAIN], { env: devEnv({ NODE_ENV: 'production' }) }).catch((e: { code: number; stderr: string }) => e);
  expect((err as { code: number }).code).toBe(1);
  const stderr = (err as { stderr: string }).stderr;
  expect(stderr).toMatch(/MONGODB_URI is required/);
  expect(stderr).toMatch(/JWKS_URL is required/);
  expect(stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
});
