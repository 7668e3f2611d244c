import type { App } from '../src/app.js';
import type { mongo } from 'mongoose';
import { gql, startAppWithIssuer } from './harness/app.js';
import { signToken, type TestKey } from './harness/jwks.js';

let key: TestKey;
let app: App;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ app, key } = await startAppWithIssuer({ file: import.meta.url, env: { BUMP_ENABLED: 'true' }, appOptions: { background: false }, instrument: true }));
  for (const role of ['VIEWER', 'SUBMITTER', 'OPERATOR', 'ADMIN']) tokens[role] = await signToken(key, { sub: role.toLowerCase(), roles: [role] });
});

const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) {
  results { index job { id status target { name } createdBy } error { code message field } existingJob { id } }
  jobs { id }
  userErrors { code message field } } }`;
const UPDATE = `mutation($i: JobUpdateInput!) { jobUpdate(input: $i) { job { id status description finishedAt log { actor message status } } userErrors { code message field } } }`;

interface CreateResult {
  index: number;
  job: { id: string; status: string; target: { name: string }; createdBy: string } | null;
  error: { code: string; message: string; field: string[] } | null;
  existingJob: { id: string } | null;
}
type CreatePayload = { jobsCreate: { results: CreateResult[]; jobs: Array<{ id: string }>; userErrors: unknown[] } };

async function create(items: Array<Record<string, unknown>>, token = tokens.SUBMITTER!) {
  const res = await gql<CreatePayload>(app.url, CREATE, { i: { items } }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.jobsCreate;
}

async function update(input: Record<string, unknown>, token = tokens.OPERATOR!) {
  const res = await gql<{ jobUpdate: { job: { id: string; status: string; description: string | null; finishedAt: string | null; log: Array<{ actor: string; message: string; status: string | null }> } | null; userErrors: Array<{ code: string; field: string[] }> } }>(
    app.url,
    UPDATE,
    { i: input },
    token,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.jobUpdate;
}

describe('jobsCreate', () => {
  test('50 concurrent creates for one target: exactly 1 job, 49 DUPLICATE_IN_PROGRESS carrying it; a new one is accepted after it completes', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => gql<CreatePayload>(app.url, CREATE, { i: { items: [{ target: 'RACE_TARGET', operation: 'ADD' }] } }, tokens.SUBMITTER)));
    for (const r of responses) expect(r.body.errors).toBeUndefined();
    const results = responses.map((r) => r.body.data!.jobsCreate.results[0]!);
    const created = results.filter((r) => r.job);
    const dupes = results.filter((r) => r.error);
    expect(created).toHaveLength(1);
    expect(dupes).toHaveLength(49);
    const winner = created[0]!.job!.id;
    for (const d of dupes) {
      expect(d.error!.code).toBe('DUPLICATE_IN_PROGRESS');
      expect(d.error!.field).toEqual(['input', 'items', '0', 'target']);
      expect(d.existingJob!.id).toBe(winner);
    }

    expect((await update({ id: winner, status: 'INITIATED' })).userErrors).toEqual([]);
    expect((await update({ id: winner, status: 'COMPLETED' })).userErrors).toEqual([]);
    const again = await create([{ target: 'RACE_TARGET', operation: 'CHANGE' }]);
    expect(again.results[0]!.job).not.toBeNull();
    expect(again.results[0]!.job!.id).not.toBe(winner);
  });

  test('a batch of 100 with 3 invalid items creates 97 and rejects 3 with codes and field paths, in input order', async () => {
    const items: Array<Record<string, unknown>> = Array.from({ length: 100 }, (_, i) => ({ target: `BATCH_${i}`, operation: 'ADD' }));
    items[10] = { target: 'BATCH_10', operation: 'REMOVE' }; // REMOVE needs a description
    items[50] = { target: '9_STARTS_WITH_DIGIT', operation: 'ADD' };
    items[99] = { target: 'BATCH_99', operation: 'SET_STATUS' }; // needs releaseStatus
    const out = await create(items);
    expect(out.results).toHaveLength(100);
    expect(out.results.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(out.jobs).toHaveLength(97);
    const rejected = out.results.filter((r) => r.error);
    expect(rejected.map((r) => [r.index, r.error!.code, r.error!.field])).toEqual([
      [10, 'INVALID_PARAMETERS', ['input', 'items', '10', 'description']],
      [50, 'INVALID_TARGET', ['input', 'items', '50', 'target']],
      [99, 'INVALID_PARAMETERS', ['input', 'items', '99', 'releaseStatus']],
    ]);
    for (const r of out.results.filter((x) => x.job)) {
      expect(r.job!.target.name).toBe(`BATCH_${r.index}`);
      expect(r.job!.status).toBe('QUEUED');
      expect(r.job!.createdBy).toBe('submitter');
    }
  });

  test('two items for one target in the same batch: the second is DUPLICATE_IN_PROGRESS of the first', async () => {
    const out = await create([
      { target: 'SAME_BATCH', operation: 'ADD' },
      { target: 'SAME_BATCH', operation: 'CHANGE' },
    ]);
    const [a, b] = out.results;
    expect(Boolean(a!.job) !== Boolean(b!.job)).toBe(true);
    const loser = a!.job ? b! : a!;
    const winner = a!.job ? a! : b!;
    expect(loser.error!.code).toBe('DUPLICATE_IN_PROGRESS');
    expect(loser.existingJob!.id).toBe(winner.job!.id);
  });

  test('operation parameter rules, BUMP needs DATASTORE and its manifesto', async () => {
    const out = await create([
      { target: 'DATASTORE', operation: 'BUMP', description: 'x' },
      { target: 'DS_X', operation: 'BUMP', description: 'x', bumpFromVersion: '1.0.0', bumpToVersion: '1.1.0', bumpManifesto: { version: '1.1.0', description: 'd', dataStructureUpdates: [] } },
      { target: 'DS_Y', operation: 'ADD', bumpFromVersion: '1.0.0' },
      { target: 'DS_Z', operation: 'ADD', priority: 1000 },
      { target: 'DS_W', operation: 'ADD', maxAttempts: 0 },
    ]);
    expect(out.results.map((r) => r.error?.code)).toEqual(['INVALID_PARAMETERS', 'INVALID_TARGET', 'INVALID_PARAMETERS', 'INVALID_PARAMETERS', 'INVALID_PARAMETERS']);
    expect(out.results[1]!.error!.field).toEqual(['input', 'items', '1', 'target']);
  });

  test('an empty batch is a userError, unknown input fields are refused by the schema (400, not 500)', async () => {
    const empty = await create([]);
    expect(empty.userErrors).toEqual([{ code: 'INVALID_BATCH', message: expect.any(String), field: ['input', 'items'] }]);
    const unknown = await gql(app.url, CREATE, { i: { items: [{ target: 'A', operation: 'ADD', evil: 1 }] } }, tokens.SUBMITTER);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('roles: a VIEWER cannot create, a SUBMITTER cannot update', async () => {
    const denied = await gql(app.url, CREATE, { i: { items: [{ target: 'ROLE_T', operation: 'ADD' }] } }, tokens.VIEWER);
    expect(denied.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    const [r] = (await create([{ target: 'ROLE_T', operation: 'ADD' }])).results;
    const res = await gql(app.url, UPDATE, { i: { id: r!.job!.id, status: 'CANCELLED' } }, tokens.SUBMITTER);
    expect(res.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    const job = await gql<{ job: { status: string } }>(app.url, 'query($id: ID!) { job(id: $id) { status } }', { id: r!.job!.id }, tokens.VIEWER);
    expect(job.body.data!.job.status).toBe('QUEUED');
  });
});

describe('jobUpdate, jobCancel, jobRetry', () => {
  test('the state machine: forward stages, no way back, terminal jobs immutable, every change logged with actor', async () => {
    const id = (await create([{ target: 'SM_T', operation: 'ADD' }])).results[0]!.job!.id;
    expect((await update({ id, status: 'COMPLETED' })).userErrors[0]!.code).toBe('INVALID_TRANSITION');
    expect((await update({ id, status: 'VALIDATING' })).userErrors).toEqual([]);
    expect((await update({ id, status: 'INITIATED' })).userErrors[0]!.code).toBe('INVALID_TRANSITION');
    expect((await update({ id, status: 'QUEUED' })).userErrors[0]!.code).toBe('INVALID_TRANSITION');
    expect((await update({ id, status: 'CONVERTING', logMessage: 'half way', description: 'new text' })).userErrors).toEqual([]);
    const done = await update({ id, status: 'COMPLETED' });
    expect(done.job!.status).toBe('COMPLETED');
    expect(done.job!.finishedAt).not.toBeNull();
    expect(done.job!.description).toBe('new text');
    expect(done.job!.log.map((l) => [l.actor, l.status])).toEqual([
      ['submitter', 'QUEUED'],
      ['operator', 'VALIDATING'],
      ['operator', 'CONVERTING'],
      ['operator', null],
      ['operator', null],
      ['operator', 'COMPLETED'],
    ]);
    expect(done.job!.log.map((l) => l.message)).toContain('half way');
    const after = await update({ id, logMessage: 'too late' });
    expect(after.userErrors[0]!.code).toBe('JOB_TERMINAL');
    expect((await update({ id: 'nope' })).userErrors[0]!.code).toBe('INVALID_PARAMETERS');
    expect((await update({ id: '0123456789abcdef01234567', logMessage: 'x' })).userErrors[0]!.code).toBe('NOT_FOUND');
  });

  test('concurrent updates of one job are serialized: no illegal or mixed end state', async () => {
    const id = (await create([{ target: 'SERIAL_T', operation: 'ADD' }])).results[0]!.job!.id;
    const stages = ['INITIATED', 'VALIDATING', 'DECRYPTING', 'TRANSFORMING', 'PSEUDONYMIZING', 'ENRICHING', 'CONVERTING', 'PARTITIONING', 'BUILT', 'IMPORTING'];
    const attempts = [...stages, 'CANCELLED', 'COMPLETED', ...stages].map((status, i) => update({ id, status, logMessage: `writer ${i}` }));
    const results = await Promise.all(attempts);
    const ok = results.filter((r) => r.userErrors.length === 0);
    expect(ok.length).toBeGreaterThan(0);
    const final = await gql<{ job: { status: string; log: Array<{ status: string | null; message: string }> } }>(app.url, 'query($id: ID!) { job(id: $id) { status log { status message } } }', { id }, tokens.VIEWER);
    const job = final.body.data!.job;
    // The logged statuses form a legal path: forward stages, then at most one terminal status, last.
    const path = job.log.map((l) => l.status).filter((s): s is string => s !== null);
    const order = ['QUEUED', ...stages];
    for (let i = 1; i < path.length; i++) {
      const prev = path[i - 1]!;
      const cur = path[i]!;
      expect(['COMPLETED', 'FAILED', 'CANCELLED']).not.toContain(prev);
      if (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(cur)) expect(order.indexOf(cur)).toBeGreaterThan(order.indexOf(prev));
    }
    expect(path[path.length - 1]).toBe(job.status);
    // Every accepted write left exactly its log line.
    expect(job.log.filter((l) => l.message.startsWith('writer')).length).toBe(ok.length);
  });

  test('cancel a queued job, then retry it as a new linked job; retry refused while a job for the target is active', async () => {
    const CANCEL = `mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { id status finishedAt } userErrors { code } } }`;
    const RETRY = `mutation($i: JobRetryInput!) { jobRetry(input: $i) { job { id status retryOf { id } } retriedJob { id retriedBy { id } } userErrors { code } } }`;
    const id = (await create([{ target: 'CANCEL_T', operation: 'ADD' }])).results[0]!.job!.id;
    const c = await gql<{ jobCancel: { job: { status: string }; userErrors: unknown[] } }>(app.url, CANCEL, { i: { id, reason: 'wrong file' } }, tokens.OPERATOR);
    expect(c.body.data!.jobCancel.job.status).toBe('CANCELLED');
    const again = await gql<{ jobCancel: { userErrors: Array<{ code: string }> } }>(app.url, CANCEL, { i: { id } }, tokens.OPERATOR);
    expect(again.body.data!.jobCancel.userErrors[0]!.code).toBe('JOB_TERMINAL');

    const blocker = (await create([{ target: 'CANCEL_T', operation: 'ADD' }])).results[0]!.job!.id;
    const refused = await gql<{ jobRetry: { job: { id: string } | null; userErrors: Array<{ code: string }> } }>(app.url, RETRY, { i: { id } }, tokens.OPERATOR);
    expect(refused.body.data!.jobRetry.userErrors[0]!.code).toBe('DUPLICATE_IN_PROGRESS');
    expect(refused.body.data!.jobRetry.job!.id).toBe(blocker);
    await update({ id: blocker, status: 'FAILED' });

    const r = await gql<{ jobRetry: { job: { id: string; status: string; retryOf: { id: string } }; retriedJob: { retriedBy: { id: string } }; userErrors: unknown[] } }>(app.url, RETRY, { i: { id } }, tokens.OPERATOR);
    const payload = r.body.data!.jobRetry;
    expect(payload.userErrors).toEqual([]);
    expect(payload.job.status).toBe('QUEUED');
    expect(payload.job.retryOf.id).toBe(id);
    expect(payload.retriedJob.retriedBy.id).toBe(payload.job.id);
    const twice = await gql<{ jobRetry: { userErrors: Array<{ code: string }> } }>(app.url, RETRY, { i: { id } }, tokens.OPERATOR);
    expect(twice.body.data!.jobRetry.userErrors[0]!.code).toBe('NOT_RETRYABLE');
  });
});

describe('targets', () => {
  test('upserted on creation and status change with the last action; a completed DATASTORE bump updates every non-draft dataset it names', async () => {
    const setStatus = (await create([{ target: 'TGT_A', operation: 'SET_STATUS', releaseStatus: 'PENDING_RELEASE' }])).results[0]!.job!.id;
    const T = `query($n: String!) { target(name: $n) { id name status lastUpdatedBy lastAction { operation status releaseStatus bumpFromVersion bumpToVersion job { id } } jobs(first: 10) { totalCount nodes { id operation } } } }`;
    type TargetData = { target: { id: string; status: string; lastUpdatedBy: string; lastAction: { operation: string; status: string; releaseStatus: string | null; bumpFromVersion: string | null; bumpToVersion: string | null; job: { id: string } }; jobs: { totalCount: number; nodes: Array<{ id: string; operation: string }> } } };
    let t = (await gql<TargetData>(app.url, T, { n: 'TGT_A' }, tokens.VIEWER)).body.data!.target;
    expect(t.id).toBe('Target:TGT_A');
    expect(t.lastAction).toMatchObject({ operation: 'SET_STATUS', status: 'QUEUED', releaseStatus: 'PENDING_RELEASE', job: { id: setStatus } });
    await update({ id: setStatus, status: 'INITIATED' });
    t = (await gql<TargetData>(app.url, T, { n: 'TGT_A' }, tokens.VIEWER)).body.data!.target;
    expect(t.status).toBe('INITIATED');
    expect(t.lastUpdatedBy).toBe('operator');
    await update({ id: setStatus, status: 'COMPLETED' });

    const bump = (
      await create([
        {
          target: 'DATASTORE',
          operation: 'BUMP',
          description: 'release 2',
          bumpFromVersion: '1.0.0',
          bumpToVersion: '2.0.0',
          bumpManifesto: {
            version: '2.0.0',
            description: 'release 2',
            dataStructureUpdates: [
              { name: 'TGT_A', description: 'released', operation: 'ADD', releaseStatus: 'PENDING_RELEASE' },
              { name: 'TGT_DRAFT', description: 'still a draft', operation: 'ADD', releaseStatus: 'DRAFT' },
            ],
          },
        },
      ])
    ).results[0]!;
    expect(bump.error).toBeNull();
    await update({ id: bump.job!.id, status: 'IMPORTING' });
    await update({ id: bump.job!.id, status: 'COMPLETED' });
    t = (await gql<TargetData>(app.url, T, { n: 'TGT_A' }, tokens.VIEWER)).body.data!.target;
    expect(t.lastAction).toMatchObject({ operation: 'BUMP', status: 'COMPLETED', releaseStatus: 'PENDING_RELEASE', bumpFromVersion: '1.0.0', bumpToVersion: '2.0.0' });
    // target.jobs includes the bump that names it.
    expect(t.jobs.nodes.map((n) => n.operation).sort()).toEqual(['BUMP', 'SET_STATUS']);
    const draft = await gql<{ target: null }>(app.url, T, { n: 'TGT_DRAFT' }, tokens.VIEWER);
    expect(draft.body.data!.target).toBeNull();
    const ds = (await gql<TargetData>(app.url, T, { n: 'DATASTORE' }, tokens.VIEWER)).body.data!.target;
    expect(ds.lastAction.operation).toBe('BUMP');
  });

  test('targets connection pages by name', async () => {
    const Q = `query($after: String) { targets(nameStartsWith: "PAGE_", first: 2, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }`;
    await create(['PAGE_C', 'PAGE_A', 'PAGE_B', 'PAGE_D', 'PAGE_E'].map((target) => ({ target, operation: 'ADD' })));
    const names: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: { targets: { totalCount: number; nodes: Array<{ name: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } = (await gql<{ targets: { totalCount: number; nodes: Array<{ name: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(app.url, Q, { after }, tokens.VIEWER)).body.data!;
      expect(page.targets.totalCount).toBe(5);
      names.push(...page.targets.nodes.map((n) => n.name));
      if (!page.targets.pageInfo.hasNextPage) break;
      after = page.targets.pageInfo.endCursor;
    }
    expect(names).toEqual(['PAGE_A', 'PAGE_B', 'PAGE_C', 'PAGE_D', 'PAGE_E']);
  });
});

describe('node', () => {
  test('node(id) resolves jobs, targets and maintenance events; unknown ids are null', async () => {
    const id = (await create([{ target: 'NODE_T', operation: 'ADD' }])).results[0]!.job!.id;
    const Q = `query($a: ID!, $b: ID!, $c: ID!) { a: node(id: $a) { __typename id } b: node(id: $b) { __typename id ... on Target { name } } c: node(id: $c) { id } }`;
    const res = await gql<{ a: { __typename: string; id: string }; b: { __typename: string; name: string }; c: null }>(app.url, Q, { a: id, b: 'Target:NODE_T', c: 'Nothing:1' }, tokens.VIEWER);
    expect(res.body.data!.a).toEqual({ __typename: 'Job', id });
    expect(res.body.data!.b).toMatchObject({ __typename: 'Target', name: 'NODE_T' });
    expect(res.body.data!.c).toBeNull();
  });
});

describe('DataLoader', () => {
  test('jobs(first: 100) with targets: the list in at most 3 commands, targets read by _id only', async () => {
    await create(Array.from({ length: 100 }, (_, i) => ({ target: `DL_${i}`, operation: 'ADD' })));
    const Q = `{ jobs(first: 100, filter: { operations: [ADD] }) { totalCount nodes { id target { name status lastAction { operation } } } } }`;
    const sent: Array<{ collection: unknown; filter: unknown }> = [];
    const record = (e: mongo.CommandStartedEvent) => sent.push({ collection: e.command[e.commandName] ?? e.command.collection, filter: e.command.filter });
    // Log moves of jobs other tests of this file ended are commands too: done before counting.
    await app.services.jobLogs.drain();
    app.mongo.getClient().on('commandStarted', record);
    try {
      const res = await gql<{ jobs: { nodes: Array<{ target: { name: string } }> } }>(app.url, Q, undefined, tokens.VIEWER);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.jobs.nodes).toHaveLength(100);
    } finally {
      app.mongo.getClient().off('commandStarted', record);
    }
    const onTargets = sent.filter((c) => c.collection === 'targets');
    // find jobs + count (FerretDB may add a getMore for large results), whatever the page size; a target's
    // status comes from the job of its last action, which the page already holds. Every command counts:
    // this file's service runs no background loops that could add one of their own.
    expect(sent.length - onTargets.length).toBeLessThanOrEqual(3);
    // One batched `$in` for the whole page, on MongoDB and on the embedded FerretDB alike (its launcher
    // pushes `_id: { $in }` down to the _id index).
    expect(onTargets).toHaveLength(1);
    expect(onTargets[0]!.filter).toEqual({ _id: { $in: expect.any(Array) } });
  });
});
