import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { signToken, type TestKey } from './harness/jwks.js';

let key: TestKey;
let app: App;

beforeAll(async () => {
  ({ app, key } = await startAppWithIssuer({ file: import.meta.url }));
});

function wsClient(connectionParams: Record<string, unknown>): Client {
  return createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

function runOnce<T>(client: Client, query: string): Promise<{ data?: T; errors?: unknown[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T; errors?: unknown[] } = {};
    client.subscribe<T>({ query }, { next: (r) => (result = r as typeof result), error: reject, complete: () => resolve(result) });
  });
}

test('/healthz answers 200 and /readyz 200 with both backends up', async () => {
  const health = await fetch(`${app.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok', backends: [{ name: 'mongodb', up: true }, { name: 'redis', up: true }] });
  expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('a malformed GraphQL request is a 400 with a clear error, not a 500', async () => {
  const token = await signToken(key);
  const res = await gql(app.url, '{ viewer { id ', undefined, token);
  expect(res.status).toBe(400);
  expect(res.body.errors![0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  const unknownField = await gql(app.url, '{ viewer { password } }', undefined, token);
  expect(unknownField.status).toBe(400);
  expect(unknownField.body.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
});

test('CSRF prevention refuses a simple cross-site GET without a preflight header', async () => {
  const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ viewer { id } }')}`);
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(/CSRF/);
});

test('graphql-ws on the same port: a token in connection_init authenticates the socket', async () => {
  const client = wsClient({ authorization: `Bearer ${await signToken(key, { sub: 'ws-user', roles: ['SUBMITTER'] })}` });
  try {
    const result = await runOnce<{ viewer: { id: string; roles: string[] } }>(client, '{ viewer { id roles } }');
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toEqual({ id: 'ws-user', roles: ['SUBMITTER'] });
  } finally {
    await client.dispose();
  }
});

test('graphql-ws: an invalid token closes the socket with 4403 Forbidden', async () => {
  const expired = await signToken(key, { expiresIn: -3600 });
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
    const client = createClient({
      url: app.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${expired}` },
      retryAttempts: 0,
      lazy: false,
      on: { closed: (ev) => resolve(ev as { code: number; reason: string }) },
      onNonLazyError: () => undefined,
    });
    void client;
  });
  expect(closed.code).toBe(4403);
  expect(closed.reason).toMatch(/expired/);
});

test('graphql-ws: no token means UNAUTHENTICATED for guarded fields', async () => {
  const client = wsClient({});
  try {
    const result = await runOnce(client, '{ viewer { id } }').catch((errors: unknown) => ({ errors: errors as unknown[] }));
    const errors = result.errors as Array<{ extensions?: { code?: string } }>;
    expect(errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
  } finally {
    await client.dispose();
  }
});

test('graphql-ws: a socket that never sends connection_init is closed (4408)', async () => {
  const ws = new WebSocket(app.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
  expect(code).toBe(4408);
}, 15_000);

test('a backend fault is masked with a correlation id (the request id), readiness turns 503', async () => {
  // An instance of this test's own: closing its database connection leaves every other test's alone.
  const { app: doomed, tokens } = await startAppWithIssuer({ file: import.meta.url });
  const token = tokens.viewer;
  await doomed.mongo.close(); // the database goes away under the running service
  const res = await fetch(`${doomed.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ jobs(first: 1) { totalCount } }' }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string; correlationId: string } }> };
  const requestId = res.headers.get('x-request-id')!;
  expect(body.errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
  expect(body.errors[0]!.extensions.correlationId).toBe(requestId);
  expect(body.errors[0]!.message).toBe(`Internal server error (correlation id ${requestId})`);
  expect(text).not.toMatch(/mongodb:\/\/|stack|at .*\.(js|ts):\d+/);
  const ready = await fetch(`${doomed.url}/readyz`);
  expect(ready.status).toBe(503);
});

test('graphql-ws: a socket is closed (4401) when its token expires, never before', async () => {
  const shortLived = await signToken(key, { expiresIn: 2 });
  const exp = (JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
  const closed = await new Promise<{ code: number; at: number }>((resolve) => {
    const c = createClient({
      url: app.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${shortLived}` },
      retryAttempts: 0,
      lazy: false,
      on: { closed: (ev) => resolve({ code: (ev as { code: number }).code, at: Date.now() }) },
      onNonLazyError: () => undefined,
    });
    void c;
  });
  expect(closed.code).toBe(4401);
  expect(closed.at).toBeGreaterThanOrEqual(exp - 50);
  expect(closed.at).toBeLessThan(exp + 2500); // at expiry, late only by the event loop (generous for a loaded machine)
}, 15_000);

test.each([
  ['not JSON', '{"query": ', /not valid JSON/],
  ['empty', '', /empty/],
  ['a __proto__ key', '{"query": "{ viewer { id } }", "variables": {"__proto__": {"admin": true}}}', /__proto__/],
])('a bad body (%s) is a 400 in GraphQL shape with a clear message', async (_name, body, message) => {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(400);
  const json = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  expect(json.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  expect(json.errors[0]!.message).toMatch(message);
});
