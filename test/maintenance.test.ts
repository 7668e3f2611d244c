import type { App } from '../src/app.js';
import { gql, startAppWithIssuer, startTestApp } from './harness/app.js';
import type { UserErr } from './harness/app.js';

interface MaintenanceEvent {
  id: string;
  paused: boolean;
  message: string;
  setBy: string;
  at: string;
}

interface HistoryPage {
  edges: Array<{ cursor: string; node: MaintenanceEvent }>;
  nodes: MaintenanceEvent[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

interface Status {
  paused: boolean;
  message: string;
  setBy: string;
  since: string;
  drained: boolean;
  runningJobs: number;
  queuedJobs: number;
}

const EVENT = 'id paused message setBy at';
const HISTORY = `query($first: Int, $after: String){ maintenanceHistory(first: $first, after: $after){
  edges { cursor node { ${EVENT} } } nodes { ${EVENT} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`;
const STATUS_FIELDS = 'paused message setBy since drained runningJobs queuedJobs';
const STATUS = `{ maintenanceStatus { ${STATUS_FIELDS} } }`;
const SET = `mutation($i: MaintenanceSetInput!){ maintenanceSet(input:$i){ status { ${STATUS_FIELDS} } userErrors { code message field } } }`;
const CREATE = 'mutation($i: JobsCreateInput!){ jobsCreate(input:$i){ results { index job { id status } error { code message field } } userErrors { code } } }';
const UPDATE = 'mutation($i: JobUpdateInput!){ jobUpdate(input:$i){ job { status } userErrors { code message } } }';

let app: App & { name: string };
let jwksUrl: string;
let viewer: string;
let submitter: string;
let operator: string;
let admin: string;
let token: (roles: string[], sub?: string) => Promise<string>;

// Maintenance is one state per database: every test starts on an instance of its own, at the initial entry.
beforeEach(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url });
  app = started.app;
  token = started.token;
  jwksUrl = started.jwks.url;
  ({ viewer, submitter, operator, admin } = started.tokens);
});

afterEach(async () => {
  await app.close();
});

async function history(vars: { first?: number; after?: string | null } = {}, token = viewer): Promise<HistoryPage> {
  const res = await gql<{ maintenanceHistory: HistoryPage }>(app.url, HISTORY, vars, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.maintenanceHistory;
}

async function status(token = viewer): Promise<Status> {
  const res = await gql<{ maintenanceStatus: Status }>(app.url, STATUS, undefined, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.maintenanceStatus;
}

async function set(paused: boolean, message: string, token = admin) {
  return gql<{ maintenanceSet: { status: Status | null; userErrors: UserErr[] } }>(app.url, SET, { i: { paused, message } }, token);
}

async function updateJob(id: string, status: string) {
  const res = await gql<{ jobUpdate: { job: { status: string } | null; userErrors: UserErr[] } }>(app.url, UPDATE, { i: { id, status } }, operator);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.jobUpdate.userErrors).toEqual([]);
  expect(res.body.data!.jobUpdate.job!.status).toBe(status);
}

/** Switches maintenance with each message in turn (paused for even positions), failing the test on a refusal. */
async function switches(...messages: string[]): Promise<void> {
  for (const [i, message] of messages.entries()) expect((await set(i % 2 === 0, message)).body.data!.maintenanceSet.userErrors).toEqual([]);
}

/** Walks the whole history one entry at a time. */
async function walk(): Promise<MaintenanceEvent[]> {
  const seen: MaintenanceEvent[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page: HistoryPage = await history({ first: 1, after });
    expect(page.nodes.length).toBeLessThanOrEqual(1);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    seen.push(...page.nodes);
    if (page.nodes.length === 1) {
      expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges[0]!.cursor);
    }
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
    expect(after).not.toBeNull();
  }
  throw new Error('history pagination did not end');
}

describe('initial state', () => {
  test('on first start the history has exactly one initial entry, not paused, set by system', async () => {
    const page = await history();
    expect(page.totalCount).toBe(1);
    expect(page.nodes).toHaveLength(1);
    expect(page.nodes[0]).toMatchObject({ paused: false, setBy: 'system' });
    expect(page.nodes[0]!.id).toMatch(/^MaintenanceEvent:[0-9a-f]{24}$/);
    // node(id) takes the id in either case, like job ids.
    const upper = await gql<{ node: { id: string } | null }>(app.url, 'query($id: ID!) { node(id: $id) { id } }', { id: page.nodes[0]!.id.replace(/:(.*)$/, (_m, hex: string) => `:${hex.toUpperCase()}`) }, viewer);
    expect(upper.body.data!.node?.id).toBe(page.nodes[0]!.id);
    expect(Number.isNaN(Date.parse(page.nodes[0]!.at))).toBe(false);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  test('status follows it: not paused, so not drained', async () => {
    expect(await status()).toMatchObject({ paused: false, setBy: 'system', drained: false, runningJobs: 0, queuedJobs: 0 });
  });

  test('a second instance on the same database does not add another initial entry', async () => {
    const before = await history();
    const second = await startTestApp({ file: import.meta.url, jwksUrl, name: app.name });
    try {
      const res = await gql<{ maintenanceHistory: HistoryPage }>(second.url, HISTORY, {}, viewer);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.maintenanceHistory.totalCount).toBe(1);
      expect(res.body.data!.maintenanceHistory.nodes).toEqual(before.nodes);
    } finally {
      await second.close();
    }
    expect((await history()).totalCount).toBe(1);
  });
});

describe('maintenanceSet', () => {
  test('an ADMIN pauses: setBy is the subject, with a time; the status is paused and drained', async () => {
    const t0 = Date.now();
    const res = await set(true, 'deploy');
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data!.maintenanceSet;
    expect(payload.userErrors).toEqual([]);
    expect(payload.status).toMatchObject({ paused: true, message: 'deploy', setBy: 'alice', drained: true, runningJobs: 0, queuedJobs: 0 });
    const since = Date.parse(payload.status!.since);
    expect(since).toBeGreaterThanOrEqual(t0 - 5_000);
    expect(since).toBeLessThanOrEqual(Date.now() + 5_000);

    expect(await status()).toEqual(payload.status);
    const latest = (await history({ first: 1 })).nodes[0]!;
    expect(latest).toMatchObject({ paused: true, message: 'deploy', setBy: 'alice', at: payload.status!.since });
  });

  test('drained follows the running jobs: a running job un-drains, its completion drains again', async () => {
    await switches('deploy');
    const created = await gql<{
      jobsCreate: { results: Array<{ index: number; job: { id: string; status: string } | null; error: UserErr | null }>; userErrors: Array<{ code: string }> };
    }>(app.url, CREATE, { i: { items: [{ target: 'DS_A', operation: 'ADD' }] } }, submitter);
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data!.jobsCreate.userErrors).toEqual([]);
    const result = created.body.data!.jobsCreate.results[0]!;
    expect(result.error).toBeNull();
    const id = result.job!.id;
    expect(result.job!.status).toBe('QUEUED');

    // Queued, not running: still drained (paused, nothing claimed).
    expect(await status()).toMatchObject({ paused: true, drained: true, runningJobs: 0, queuedJobs: 1 });

    await updateJob(id, 'INITIATED');
    expect(await status()).toMatchObject({ paused: true, drained: false, runningJobs: 1, queuedJobs: 0 });

    await updateJob(id, 'VALIDATING');
    expect(await status()).toMatchObject({ drained: false, runningJobs: 1 });

    await updateJob(id, 'COMPLETED');
    expect(await status()).toMatchObject({ paused: true, drained: true, runningJobs: 0, queuedJobs: 0 });
  });

  test('the message is trimmed; an empty or blank message is INVALID_PARAMETERS and records nothing', async () => {
    await switches('deploy');
    const before = (await history()).totalCount;
    for (const message of ['', '   ', '\n\t']) {
      const res = await set(false, message);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.maintenanceSet.status).toBeNull();
      expect(res.body.data!.maintenanceSet.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_PARAMETERS', field: ['input', 'message'] })]);
    }
    const tooLong = await set(false, 'x'.repeat(1001));
    expect(tooLong.body.data!.maintenanceSet.userErrors.map((e) => e.code)).toEqual(['INVALID_PARAMETERS']);
    expect((await history()).totalCount).toBe(before);
    expect(await status()).toMatchObject({ paused: true, message: 'deploy' });

    const ok = await set(true, '  still deploying  ');
    expect(ok.body.data!.maintenanceSet.status).toMatchObject({ paused: true, message: 'still deploying' });
  });

  test('an OPERATOR (and a VIEWER) gets FORBIDDEN and nothing is recorded', async () => {
    await switches('deploy');
    const before = await history();
    for (const token of [operator, viewer]) {
      const res = await set(false, 'let me in', token);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
      expect(res.body.data ?? null).toBeNull();
    }
    expect((await history()).nodes).toEqual(before.nodes);
    expect(await status()).toMatchObject({ paused: true });
  });

  test('resuming: not paused, so not drained; setBy is the resuming admin', async () => {
    await switches('deploy');
    const bob = await token(['ADMIN'], 'bob');
    const res = await set(false, 'done', bob);
    expect(res.body.data!.maintenanceSet.status).toMatchObject({ paused: false, message: 'done', setBy: 'bob', drained: false });
  });
});

describe('maintenanceHistory', () => {
  test('newest first, with the initial entry last', async () => {
    await switches('deploy', 'done', 'still deploying');
    // Several quick switches (some within the same millisecond) to exercise the tie-break on id.
    await switches(...Array.from({ length: 6 }, (_, i) => `switch ${i}`));
    const all = await history({ first: 100 });
    expect(all.totalCount).toBe(all.nodes.length);
    expect(all.nodes.map((n) => n.message)).toEqual([
      'switch 5',
      'switch 4',
      'switch 3',
      'switch 2',
      'switch 1',
      'switch 0',
      'still deploying',
      'done',
      'deploy',
      'initial state',
    ]);
    expect(all.nodes[all.nodes.length - 1]).toMatchObject({ paused: false, setBy: 'system' });
    for (let i = 1; i < all.nodes.length; i++) expect(Date.parse(all.nodes[i - 1]!.at)).toBeGreaterThanOrEqual(Date.parse(all.nodes[i]!.at));
    expect(all.edges.map((e) => e.node)).toEqual(all.nodes);
    expect(new Set(all.nodes.map((n) => n.id)).size).toBe(all.nodes.length);
  });

  test('first:1 with after: endCursor walks every entry without gaps or repeats', async () => {
    await switches('one', 'two', 'three', 'four', 'five');
    const all = await history({ first: 100 });
    const walked = await walk();
    expect(walked.map((n) => n.id)).toEqual(all.nodes.map((n) => n.id));
    expect(walked).toHaveLength(all.totalCount);
  });

  test('first:3 pages concatenate to the full history', async () => {
    await switches('one', 'two', 'three', 'four', 'five', 'six', 'seven');
    const all = await history({ first: 100 });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: HistoryPage = await history({ first: 3, after });
      expect(page.totalCount).toBe(all.totalCount);
      seen.push(...page.nodes.map((n) => n.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.nodes.map((n) => n.id));
    expect(pages).toBe(Math.ceil(all.totalCount / 3));
  });

  test('first out of range and a foreign cursor are BAD_USER_INPUT', async () => {
    // Cursors of the right length but the wrong contents are refused too, not answered with an empty page.
    const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const wrong = [cursor([1, 'zz']), cursor(['1', '0123456789abcdef01234567']), cursor([null, '0123456789abcdef01234567']), cursor([1])];
    for (const vars of [{ first: 0 }, { first: 101 }, { first: 1, after: 'not-a-cursor' }, ...wrong.map((after) => ({ first: 1, after }))]) {
      const res = await gql(app.url, HISTORY, vars, viewer);
      expect(res.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
