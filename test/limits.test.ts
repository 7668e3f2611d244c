import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { mongoCommandCount } from '../src/db/mongo.js';
import { gql, startAppWithIssuer } from './harness/app.js';

/**
 * Every limit is checked on HTTP and on graphql-ws. "No resolver ran" is observed through the
 * database: each refused query selects `jobs { totalCount }`, which would send Mongo commands,
 * and the connection's command counter must not move (background loops are off, so nothing else
 * talks to Mongo meanwhile).
 */

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }>;
type Result = { data?: Record<string, unknown> | null; errors?: Errors };

// Small limits, so over-limit documents stay readable; introspection off, as in production.
const SMALL = {
  LIMIT_DEPTH: '5',
  LIMIT_ALIASES: '3',
  LIMIT_FIELDS: '20',
  LIMIT_TOKENS: '200',
  LIMIT_BODY_BYTES: '4096',
  LIMIT_WS_PAYLOAD_BYTES: '4096',
  GRAPHQL_INTROSPECTION: 'false',
};

let small: { app: App; token: (roles: string[], sub?: string) => Promise<string> };
let defaults: { app: App; token: (roles: string[], sub?: string) => Promise<string> };

beforeAll(async () => {
  [small, defaults] = await Promise.all([
    startAppWithIssuer({ file: import.meta.url, env: SMALL, appOptions: { background: false }, instrument: true }),
    startAppWithIssuer({ file: import.meta.url, appOptions: { background: false }, instrument: true }),
  ]);
});

function wsClient(app: App, token: string, on: Parameters<typeof createClient>[0]['on'] = {}): Client {
  return createClient({
    url: app.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on,
  });
}

/** Runs one operation; GraphQL errors (an Error message, or errors in the result) resolve, a closed socket rejects. */
function wsRun(client: Client, query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result = {};
    client.subscribe(
      { query, variables },
      {
        next: (r) => (result = r as Result),
        error: (err) => (Array.isArray(err) ? resolve({ errors: err as Errors }) : reject(err)),
        complete: () => resolve(result),
      },
    );
  });
}

async function bothTransports(app: App, token: string, query: string): Promise<{ http: Awaited<ReturnType<typeof gql>>; ws: Result }> {
  const http = await gql(app.url, query, undefined, token);
  const client = wsClient(app, token);
  try {
    return { http, ws: await wsRun(client, query) };
  } finally {
    await client.dispose();
  }
}

const overLimit: Array<[limit: string, query: string, message: RegExp, actual: number | undefined]> = [
  ['depth', '{ jobs(first: 1) { edges { node { target { jobs { totalCount } } } } } }', /is 6 levels deep; the limit is 5\./, 6],
  ['aliases', `{ ${['a', 'b', 'c', 'd'].map((a) => `${a}: jobs(first: 1) { totalCount }`).join(' ')} }`, /uses 4 aliases; the limit is 3\./, 4],
  // 9 fields as written, 25 once the fragment is expanded three times; the walk stops at the 21st.
  [
    'fields',
    `{ jobs(first: 1) { ...C ...C ...C } } fragment C on JobConnection { ${'totalCount '.repeat(8)}}`,
    /selects at least 21 fields \(fragments expanded\); the limit is 20\./,
    21,
  ],
  ['tokens', `{ jobs(first: 1) { ${'totalCount '.repeat(200)}} }`, /more than 200 tokens; the limit is 200\./, undefined],
];

test('an operation under every limit runs, and its resolvers reach the database', async () => {
  const token = await small.token(['VIEWER']);
  const before = mongoCommandCount(small.app.mongo);
  const { http, ws } = await bothTransports(small.app, token, '{ a: jobs(first: 1) { totalCount } b: jobs(first: 1) { totalCount } }');
  expect(http.status).toBe(200);
  expect(http.body.data).toEqual({ a: { totalCount: 0 }, b: { totalCount: 0 } });
  expect(ws).toEqual({ data: { a: { totalCount: 0 }, b: { totalCount: 0 } } });
  expect(mongoCommandCount(small.app.mongo)).toBeGreaterThan(before);
});

test.each(overLimit)('over the %s limit: refused on HTTP and graphql-ws with QUERY_LIMIT_EXCEEDED, no resolver runs', async (limit, query, message, actual) => {
  const token = await small.token(['VIEWER']);
  const before = mongoCommandCount(small.app.mongo);
  const { http, ws } = await bothTransports(small.app, token, query);

  expect(http.status).toBe(400);
  expect(http.body.data).toBeUndefined();
  for (const errors of [http.body.errors, ws.errors]) {
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toMatch(message);
    expect(errors![0]!.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit, max: Number(SMALL[`LIMIT_${limit.toUpperCase()}` as keyof typeof SMALL]) });
    expect(errors![0]!.extensions?.actual).toBe(actual);
  }
  expect(ws.data).toBeUndefined();
  expect(mongoCommandCount(small.app.mongo)).toBe(before);
});

test('a body over the limit is a 413 with a JSON error, before anything runs', async () => {
  const token = await small.token(['VIEWER']);
  const before = mongoCommandCount(small.app.mongo);
  const res = await fetch(`${small.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: `{ jobs(first: 1) { totalCount } }${' '.repeat(5000)}` }),
  });
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  expect(body.errors[0]!.message).toMatch(/larger than \d+ bytes/);
  expect(mongoCommandCount(small.app.mongo)).toBe(before);
});

test('a WebSocket message over the limit closes the socket with 1009, before anything runs', async () => {
  const token = await small.token(['VIEWER']);
  const before = mongoCommandCount(small.app.mongo);
  let closedWith: number | undefined;
  const client = wsClient(small.app, token, { closed: (ev) => (closedWith = (ev as { code: number }).code) });
  try {
    const outcome = await wsRun(client, `{ jobs(first: 1) { totalCount } }${' '.repeat(5000)}`).then(
      () => 'answered',
      (err: unknown) => (err as { code?: number }).code,
    );
    expect(outcome).toBe(1009);
    expect(closedWith).toBe(1009);
  } finally {
    await client.dispose();
  }
  expect(mongoCommandCount(small.app.mongo)).toBe(before);
});

test('with introspection off, validation errors carry no "did you mean" hints, and introspection is refused', async () => {
  const withHints = await bothTransports(defaults.app, await defaults.token(['VIEWER']), '{ viewer { ids } }');
  for (const errors of [withHints.http.body.errors, withHints.ws.errors]) {
    expect(errors![0]!.message).toBe('Cannot query field "ids" on type "Viewer". Did you mean "id"?');
  }
  const token = await small.token(['VIEWER']);
  const { http, ws } = await bothTransports(small.app, token, '{ viewer { ids } }');
  for (const errors of [http.body.errors, ws.errors]) {
    expect(errors![0]!.message).toBe('Cannot query field "ids" on type "Viewer".');
  }
  const introspection = await gql(small.app.url, '{ __schema { queryType { name } } }', undefined, token);
  expect(introspection.status).toBe(400);
  expect(introspection.body.errors![0]!.message).toMatch(/introspection is not allowed/i);
});

/** A query `levels` fields deep that would hit the database at every level: jobs → edges → node → target → jobs… */
function deepQuery(levels: number): string {
  let inner = 'name';
  for (let i = 0; i < levels / 4; i++) inner = `jobs(first: 1) { edges { node { target { ${inner} } } } }`;
  return `{ ${inner} }`;
}

// The fragment "bomb": F29 expands to 2^29 fields in 30 short lines.
const fragmentBomb =
  '{ jobs(first: 1) { ...F29 } } fragment F0 on JobConnection { totalCount } ' +
  Array.from({ length: 29 }, (_, i) => `fragment F${i + 1} on JobConnection { ...F${i} ...F${i} }`).join(' ');

test.each([
  ['a 5,000-alias query', `{ viewer { ${Array.from({ length: 5000 }, (_, i) => `a${i}:id`).join(' ')} } }`, 'tokens'],
  ['a depth-100 query', deepQuery(100), 'depth'],
  ['a fragment bomb', fragmentBomb, 'fields'],
])('%s is refused fast on both transports (default limits)', async (_what, query, limit) => {
  const token = await defaults.token(['VIEWER']);
  const before = mongoCommandCount(defaults.app.mongo);
  const client = wsClient(defaults.app, token);
  try {
    await wsRun(client, '{ viewer { id } }'); // connect first, so the timing below is the refusal alone
    for (const run of [() => gql(defaults.app.url, query, undefined, token).then((r) => r.body), () => wsRun(client, query)]) {
      const started = performance.now();
      const result = await run();
      // Generous on purpose (noisy machines); the refusal itself takes milliseconds.
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit });
    }
  } finally {
    await client.dispose();
  }
  expect(mongoCommandCount(defaults.app.mongo)).toBe(before);
});

// graphql-ws counts every operation on a socket, so long-polling jobClaim mutations take places too.
test.each([
  ['subscription', 'subscription { maintenanceStatusChanged { paused } }'],
  ['long-polling mutation', 'mutation { jobClaim(input: { workerId: "cap-worker", operations: [ADD], waitSeconds: 30 }) { reason } }'],
])('the 21st concurrent operation on one socket (%s) is refused with a GraphQL error; the socket stays usable', async (_kind, longRunning) => {
  const token = await defaults.token(['WORKER', 'VIEWER'], 'cap-worker');
  let connected = 0;
  let closed = 0;
  const client = wsClient(defaults.app, token, { connected: () => connected++, closed: () => closed++ });
  // Messages on one socket are handled in order and each reserves its place at once, so all 20 hold one before the 21st.
  const ended = new Set<number>();
  const polls = Array.from({ length: 20 }, (_, i) =>
    client.subscribe({ query: longRunning }, { next: () => undefined, error: () => ended.add(i), complete: () => ended.add(i) }),
  );
  try {
    const refused = await wsRun(client, '{ viewer { id } }');
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.message).toMatch(/already runs 20 operations; the limit is 20/);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', limit: 'subscriptionsPerSocket', max: 20, actual: 21 });

    polls[0]!(); // completing one frees a place
    expect(await wsRun(client, '{ viewer { id } }')).toEqual({ data: { viewer: { id: 'cap-worker' } } });
    expect({ connected, closed }).toEqual({ connected: 1, closed: 0 });
    expect([...ended].filter((i) => i > 0)).toEqual([]); // the other 19 are still running
  } finally {
    polls.forEach((unsubscribe) => unsubscribe());
    await client.dispose();
  }
});
