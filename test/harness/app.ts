import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { backends, onFileEnd, type Backends } from './backends.js';
import { makeKey, signToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER } from './jwks.js';

/** A name unique to this test file and run: database name and Redis key prefix. */
export function uniqueName(file: string): string {
  const base = path.basename(file).replace(/\W+/g, '_').slice(0, 24);
  return `t_${base}_${randomBytes(4).toString('hex')}`;
}

export interface TestAppOptions {
  /** Test file name (import.meta.url or __filename): isolates the database and Redis prefix. */
  file: string;
  /** JWKS of the test issuer; tokens from test/harness/jwks.ts verify against it. */
  jwksUrl: string;
  /** Extra environment for loadConfig, e.g. { JWKS_COOLDOWN_MS: '0' }. */
  env?: Record<string, string>;
  /** Share a database and prefix with another instance (multi-instance tests). */
  name?: string;
  /** Injected clock, background loops on or off. */
  appOptions?: Omit<AppOptions, 'dbName' | 'instrument'>;
  /** Count MongoDB commands (mongoCommandCount/mongoCommandCounts) and Redis round trips (redisStats). Default false, as in production. */
  instrument?: boolean;
  /** Servers of the test's own (e.g. one it pauses, startPausable) instead of the file's shared ones. */
  backends?: Backends;
}

/**
 * Starts a real service instance on a free port against the harness's FerretDB
 * and redis-server (or MONGODB_URI / REDIS_URL), with its own database and key prefix.
 */
export async function startTestApp(opts: TestAppOptions): Promise<App & { name: string }> {
  const name = opts.name ?? uniqueName(opts.file);
  const { mongoUri, redisUrl, redisClusterNodes } = opts.backends ?? (await backends());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: mongoUri,
    // A cluster needs the prefix's hash tag (every key of a queue script in one slot).
    ...(redisClusterNodes ? { REDIS_CLUSTER_NODES: redisClusterNodes, REDIS_KEY_PREFIX: `{${name}}:` } : { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `${name}:` }),
    JWKS_URL: opts.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Bounds wide enough for a 2-core machine running several test files and a browser at once (a
    // 1,000-item batch there took over 2 s); the bounded-backend tests set their own short ones.
    MONGO_TIMEOUT_MS: '20000',
    REDIS_COMMAND_TIMEOUT_MS: '10000',
    ...opts.env,
  });
  const app = await startApp(config, createLogger(config.logLevel, name), { ...opts.appOptions, instrument: opts.instrument, dbName: name });
  onFileEnd(() => app.close());
  return Object.assign(app, { name });
}

/** A userError as payloads return it. */
export interface UserErr {
  code: string;
  message: string;
  field: string[] | null;
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }> };
}

/** POSTs one GraphQL operation over real HTTP. */
export async function gql<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as GqlResponse<T>['body'] };
}

const CREATE_JOBS = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code message } } } }`;

/** Creates jobs through the API (batches of 1,000) and fails the test on any rejection; their ids, in order. */
export async function createJobs(baseUrl: string, token: string, items: Array<Record<string, unknown>>): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < items.length; start += 1000) {
    const res = await gql<{ jobsCreate: { results: Array<{ job: { id: string } | null; error: { code: string; message: string } | null }> } }>(
      baseUrl,
      CREATE_JOBS,
      { i: { items: items.slice(start, start + 1000) } },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    for (const r of res.body.data!.jobsCreate.results) {
      expect(r.error).toBeNull();
      ids.push(r.job!.id);
    }
  }
  return ids;
}

/** A test app with its own JWKS issuer; `token(roles, sub)` signs real tokens it accepts. Both close at the end of the file. */
export async function startAppWithIssuer(opts: Omit<TestAppOptions, 'jwksUrl'>) {
  const key = await makeKey('test-key', 'ES256');
  const jwks = await startJwksServer([key]);
  onFileEnd(() => jwks.close());
  const app = await startTestApp({ ...opts, jwksUrl: jwks.url });
  return { app, jwks, key, token: (roles: string[], sub?: string) => signToken(key, { roles, sub }) };
}
