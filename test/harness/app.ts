import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { App, AppOptions } from '../../src/app.js';
import { backends, onFileEnd, type Backends } from './backends.js';
import { makeKey, roleTokens, signToken, startJwksServer, type RoleTokens } from './jwks.js';
import { serviceConfig, startService } from './start.js';

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
  const config = serviceConfig({ mongoUri, redisUrl, redisClusterNodes, name, jwksUrl: opts.jwksUrl, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent', env: opts.env });
  const app = await startService(config, name, { ...opts.appOptions, instrument: opts.instrument });
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

/**
 * A test app with its own JWKS issuer. `tokens` holds one token per role (subjects vic, sue, olga,
 * alice, bot: ROLE_SUBJECTS); `token(roles, sub)` signs any other it accepts. Both close at the end of the file.
 */
export async function startAppWithIssuer(opts: Omit<TestAppOptions, 'jwksUrl'>): Promise<{
  app: App & { name: string };
  jwks: Awaited<ReturnType<typeof startJwksServer>>;
  key: Awaited<ReturnType<typeof makeKey>>;
  tokens: RoleTokens;
  token: (roles: string[], sub?: string) => Promise<string>;
}> {
  const key = await makeKey('test-key', 'ES256');
  const jwks = await startJwksServer([key]);
  onFileEnd(() => jwks.close());
  const app = await startTestApp({ ...opts, jwksUrl: jwks.url });
  return { app, jwks, key, tokens: await roleTokens(key), token: (roles: string[], sub?: string) => signToken(key, { roles, sub }) };
}
