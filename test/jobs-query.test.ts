import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { signToken, type TestKey } from './harness/jwks.js';

/**
 * jobs(filter, orderBy, first, after): every filter and ordering against a
 * known data set, pagination without gaps or repeats, and operator-injection
 * attempts matched literally.
 */
let key: TestKey;
let app: App;
let viewer: string;
let operator: string;

interface Known {
  id: string;
  target: string;
  operation: string;
  status: string;
  createdBy: string;
  createdAt: string;
  priority: number;
}
const known: Known[] = [];
let midpoint: string;

const OPS = ['ADD', 'CHANGE', 'PATCH_METADATA', 'DELETE_DRAFT'];
const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id target { name } operation status createdBy createdAt priority } error { code } } } }`;
const JOBS = `query($f: JobFilter, $o: JobOrder, $first: Int, $after: String) {
  jobs(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

type JobsPage = { jobs: { totalCount: number; edges: Array<{ cursor: string; node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

async function createBatch(token: string, offset: number, count: number) {
  const items = Array.from({ length: count }, (_, i) => ({ target: `Q_${offset + i}`, operation: OPS[(offset + i) % OPS.length], priority: ((offset + i) * 7) % 5 }));
  const res = await gql<{ jobsCreate: { results: Array<{ job: Omit<Known, 'target'> & { target: { name: string } } }> } }>(app.url, CREATE, { i: { items } }, token);
  for (const r of res.body.data!.jobsCreate.results) known.push({ ...r.job, target: r.job.target.name });
}

async function all(filter: Record<string, unknown> | null, order?: Record<string, unknown>, first = 7): Promise<{ ids: string[]; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let guard = 0; guard < 100; guard++) {
    const res: { body: { data?: JobsPage | null; errors?: unknown[] } } = await gql<JobsPage>(app.url, JOBS, { f: filter, o: order, first, after }, viewer);
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.jobs;
    totalCount = page.totalCount;
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

beforeAll(async () => {
  // An injected clock spaces the two batches' createdAt around the midpoint (no sleeping).
  const clock = { now: Date.now() };
  ({ app, key } = await startAppWithIssuer({ file: import.meta.url, instrument: true, appOptions: { clock: { now: () => clock.now } } }));
  viewer = await signToken(key, { sub: 'v', roles: ['VIEWER'] });
  operator = await signToken(key, { sub: 'op', roles: ['OPERATOR'] });
  const alice = await signToken(key, { sub: 'alice', roles: ['SUBMITTER'] });
  const bob = await signToken(key, { sub: 'bob', roles: ['SUBMITTER'] });
  await createBatch(alice, 0, 12);
  clock.now += 1_000;
  midpoint = new Date(clock.now).toISOString();
  clock.now += 1_000;
  await createBatch(bob, 12, 13);
  // Move some jobs on: 0..4 INITIATED, 5..7 COMPLETED (via INITIATED), 8 CANCELLED.
  const UPDATE = `mutation($i: JobUpdateInput!) { jobUpdate(input: $i) { job { status updatedAt } userErrors { code } } }`;
  for (let i = 0; i <= 8; i++) {
    const id = known[i]!.id;
    if (i === 8) {
      await gql(app.url, UPDATE, { i: { id, status: 'CANCELLED' } }, operator);
      known[i]!.status = 'CANCELLED';
      continue;
    }
    await gql(app.url, UPDATE, { i: { id, status: 'INITIATED' } }, operator);
    known[i]!.status = 'INITIATED';
    if (i >= 5) {
      await gql(app.url, UPDATE, { i: { id, status: 'COMPLETED' } }, operator);
      known[i]!.status = 'COMPLETED';
    }
  }
});

const byCreatedDesc = (a: Known, b: Known) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1);
const ids = (list: Known[]) => list.sort(byCreatedDesc).map((k) => k.id);

test('no filter: every job, newest first, paged without gaps or repeats', async () => {
  const { ids: got, totalCount } = await all(null);
  expect(totalCount).toBe(25);
  expect(new Set(got).size).toBe(25);
  expect(got).toEqual(ids([...known]));
});

test.each([
  ['statuses', { statuses: ['INITIATED'] }, (k: Known) => k.status === 'INITIATED'],
  ['statuses (several)', { statuses: ['COMPLETED', 'CANCELLED'] }, (k: Known) => ['COMPLETED', 'CANCELLED'].includes(k.status)],
  ['operations', { operations: ['CHANGE', 'DELETE_DRAFT'] }, (k: Known) => ['CHANGE', 'DELETE_DRAFT'].includes(k.operation)],
  ['target', { target: 'Q_3' }, (k: Known) => k.target === 'Q_3'],
  ['createdBy', { createdBy: 'bob' }, (k: Known) => k.createdBy === 'bob'],
  ['active', { active: true }, (k: Known) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(k.status)],
  ['not active', { active: false }, (k: Known) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(k.status)],
  ['createdAfter', () => ({ createdAfter: midpoint }), (k: Known) => k.createdAt >= midpoint],
  ['createdBefore', () => ({ createdBefore: midpoint }), (k: Known) => k.createdAt < midpoint],
  ['combined', () => ({ createdBy: 'alice', active: true, operations: ['ADD', 'CHANGE'] }), (k: Known) => k.createdBy === 'alice' && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(k.status) && ['ADD', 'CHANGE'].includes(k.operation)],
])('filter: %s', async (_name, filter, predicate) => {
  const f = typeof filter === 'function' ? filter() : filter;
  const expected = ids(known.filter(predicate));
  expect(expected.length).toBeGreaterThan(0);
  const got = await all(f, undefined, 4);
  expect(got.totalCount).toBe(expected.length);
  expect(got.ids).toEqual(expected);
});

test.each([
  ['CREATED_AT', 'ASC'],
  ['CREATED_AT', 'DESC'],
  ['UPDATED_AT', 'DESC'],
  ['UPDATED_AT', 'ASC'],
  ['PRIORITY', 'DESC'],
  ['PRIORITY', 'ASC'],
])('order %s %s: pages of 4 equal one page of 100, ties broken by id', async (field, direction) => {
  const paged = await all(null, { field, direction }, 4);
  const whole = await all(null, { field, direction }, 100);
  expect(paged.ids).toEqual(whole.ids);
  expect(new Set(paged.ids).size).toBe(25);
  if (field === 'PRIORITY') {
    const prio = new Map(known.map((k) => [k.id, k.priority]));
    const values = whole.ids.map((id) => prio.get(id)!);
    const sorted = [...values].sort((a, b) => (direction === 'ASC' ? a - b : b - a));
    expect(values).toEqual(sorted);
  }
});

test.each([
  ['target', { target: '{"$ne": null}' }],
  ['target regex', { target: '.*' }],
  ['createdBy', { createdBy: '{"$gt": ""}' }],
  ['createdBy $where', { createdBy: "'; return true; '" }],
])('operator injection is matched literally: %s', async (_name, filter) => {
  const got = await all(filter);
  expect(got.totalCount).toBe(0);
  expect(got.ids).toEqual([]);
});

test('injection in other string arguments: job id, target name, targets prefix', async () => {
  const res = await gql<{ job: null; target: null; targets: { totalCount: number } }>(
    app.url,
    `query { job(id: "{\\"$ne\\": null}") { id } target(name: "{\\"$ne\\": null}") { name } targets(nameStartsWith: ".*") { totalCount } }`,
    undefined,
    viewer,
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data).toEqual({ job: null, target: null, targets: { totalCount: 0 } });
});

test('a forged cursor or an out-of-range page size is a clear BAD_USER_INPUT, not a 500', async () => {
  const forged = await gql(app.url, JOBS, { after: Buffer.from('[{"$gt":1},"x"]').toString('base64url') }, viewer);
  expect(forged.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  const garbage = await gql(app.url, JOBS, { after: 'not-a-cursor' }, viewer);
  expect(garbage.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  const big = await gql(app.url, JOBS, { first: 101 }, viewer);
  expect(big.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  expect(big.body.errors![0]!.message).toMatch(/first must be between 1 and 100/);
});

test('the count runs only when totalCount is selected (directly, in a fragment, or on target.jobs), and then matches', async () => {
  const counts: string[] = [];
  const listen = (e: { commandName: string; command: Record<string, unknown> }) => {
    const pipeline = e.command.pipeline as Array<Record<string, unknown>> | undefined;
    if (e.commandName === 'count' || (e.commandName === 'aggregate' && pipeline?.some((stage) => '$group' in stage) && e.command.aggregate === 'jobs')) counts.push(e.commandName);
  };
  app.mongo.getClient().on('commandStarted', listen);
  try {
    const cases: Array<[string, number]> = [
      ['{ jobs(first: 5) { nodes { id } pageInfo { hasNextPage } } }', 0],
      ['{ jobs(first: 5) { totalCount nodes { id } } }', 1],
      ['{ jobs(first: 5) { ...C } } fragment C on JobConnection { totalCount }', 1],
      ['{ jobs(first: 5) { ... on JobConnection { totalCount } } }', 1],
      ['{ target(name: "Q_1") { jobs(first: 5) { nodes { id } } } }', 0],
      ['{ target(name: "Q_1") { jobs(first: 5) { totalCount } } }', 1],
    ];
    for (const [query, expected] of cases) {
      counts.length = 0;
      const res = await gql<{ jobs?: { totalCount?: number } }>(app.url, query, undefined, viewer);
      expect(res.body.errors).toBeUndefined();
      expect([query, counts.length]).toEqual([query, expected]);
      if (res.body.data!.jobs?.totalCount !== undefined) expect(res.body.data!.jobs.totalCount).toBe(known.length);
    }
  } finally {
    app.mongo.getClient().off('commandStarted', listen);
  }
});
