import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, startTestApp, uniqueName, type UserErr } from './harness/app.js';
import { onFileEnd } from './harness/backends.js';
import { makeKey, roleTokens, startJwksServer, type RoleTokens } from './harness/jwks.js';
import { until } from './harness/until.js';

/**
 * Flows (schema/flows.graphql): children, then a final job queued exactly once when the last child ends
 * (lua/flow.lua), on a real service with FerretDB and redis-server; the race of 50 completions on two
 * instances; the failure policies; cancelling the final job; the reconciler finishing a flow step an
 * instance never made; bad input. Each test uses targets of its own, on a database and key prefix of its own.
 */
let app: Awaited<ReturnType<typeof startTestApp>>;
let other: Awaited<ReturnType<typeof startTestApp>>;
let jwksUrl: string;
let t: RoleTokens;
const clients: Client[] = [];

beforeAll(async () => {
  const key = await makeKey('test-key', 'ES256');
  const jwks = await startJwksServer([key]);
  onFileEnd(() => jwks.close());
  jwksUrl = jwks.url;
  t = await roleTokens(key);
});
// Claims pick jobs by operation alone and the file's tests share the nine operations: each test has a database
// and Redis key prefix of its own (two instances on it), so no test claims a job another one left queued.
beforeEach(async () => {
  const name = uniqueName(import.meta.url);
  app = await startTestApp({ file: import.meta.url, jwksUrl, name, env: { BUMP_ENABLED: 'true' }, appOptions: { background: false } });
  other = await startTestApp({ file: import.meta.url, jwksUrl, name, env: { BUMP_ENABLED: 'true' }, appOptions: { background: false } });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all([app.close(), other.close()]);
});

interface Lease {
  token: string;
  job: { id: string; operation: string; target: { name: string } };
}
interface FlowPayload {
  flow: { id: string; total: number; onChildFailure: string; finalJob: { id: string; status: string } } | null;
  results: Array<{ index: number; job: { id: string } | null; error: UserErr | null; existingJob: { id: string } | null }>;
  existingJob: { id: string } | null;
  userErrors: UserErr[];
}

const FLOW_CREATE = `mutation($i: FlowCreateInput!) { flowCreate(input: $i) {
  flow { id total onChildFailure finalJob { id status } }
  results { index job { id } error { code message field } existingJob { id } }
  existingJob { id } userErrors { code message field } } }`;
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id operation target { name } } } leases { token job { id operation target { name } } } reason } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id status } userErrors { code } } }`;
const FAIL = `mutation($i: JobFailInput!) { jobFail(input: $i) { job { id status } userErrors { code } } }`;
const JOB = `query($id: ID!) { job(id: $id) { id status failureReason log { message status }
  parent { id }
  flow { id total onChildFailure finalJob { id status } counts { status count } children(first: 100) { totalCount nodes { id status } } } } }`;

interface JobView {
  id: string;
  status: string;
  failureReason: string | null;
  log: Array<{ message: string; status: string | null }>;
  parent: { id: string } | null;
  flow: { id: string; total: number; onChildFailure: string; finalJob: { id: string; status: string }; counts: Array<{ status: string; count: number }>; children: { totalCount: number; nodes: Array<{ id: string; status: string }> } } | null;
}

async function call<T>(query: string, variables: Record<string, unknown>, token: string, url = app.url): Promise<T> {
  const res = await gql<Record<string, T>>(url, query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0]!;
}
const flowCreate = (i: Record<string, unknown>) => call<FlowPayload>(FLOW_CREATE, { i }, t.submitter);
const claim = (operations: string[], extra: Record<string, unknown> = {}, url = app.url) =>
  call<{ lease: Lease | null; leases: Lease[]; reason: string | null }>(CLAIM, { i: { workerId: 'flow-w', operations, ...extra } }, t.worker, url);
const complete = (lease: Lease, url = app.url) => call<{ job: { id: string; status: string } }>(COMPLETE, { i: { id: lease.job.id, leaseToken: lease.token } }, t.worker, url);
const fail = (lease: Lease) => call<{ job: { id: string; status: string } }>(FAIL, { i: { id: lease.job.id, leaseToken: lease.token, reason: 'broken input', retryable: false } }, t.worker);
const job = (id: string) => call<JobView>(JOB, { id }, t.viewer);
const countJobs = () => app.mongo.collection('jobs').countDocuments({});

/** Subscribes on the first instance; resolves once the subscription is registered there. */
async function subscribe<T>(query: string, variables?: Record<string, unknown>): Promise<{ events: T[] }> {
  const before = app.bus.subscriberCount('job');
  const c = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${t.viewer}` }, retryAttempts: 0 });
  clients.push(c);
  const events: T[] = [];
  const errors: unknown[] = [];
  c.subscribe<T>({ query, variables }, { next: (r) => events.push(r.data as T), error: (e) => errors.push(e), complete: () => undefined });
  await until('subscribed', () => {
    if (errors.length) throw new Error(`subscription failed: ${String(errors[0])}`);
    return app.bus.subscriberCount('job') > before;
  }, 30_000, 20);
  return { events };
}

test('a release: imports of two datasets, then a DATASTORE bump that waits for them, queued when the last import completes', async () => {
  const watch = await subscribe<{ jobEvents: { kind: string; previousStatus: string | null; job: { id: string; status: string } } }>(
    `subscription { jobEvents(filter: { operations: [BUMP] }) { kind previousStatus job { id status } } }`,
  );
  const created = await flowCreate({
    items: [
      { target: 'REL_PERSONS', operation: 'ADD' },
      { target: 'REL_INCOME', operation: 'ADD' },
    ],
    then: {
      target: 'DATASTORE',
      operation: 'BUMP',
      description: 'release 7',
      bumpFromVersion: '6.0.0',
      bumpToVersion: '7.0.0',
      bumpManifesto: {
        version: '7.0.0',
        description: 'release 7',
        dataStructureUpdates: [
          { name: 'REL_PERSONS', description: 'persons', operation: 'ADD', releaseStatus: 'PENDING_RELEASE' },
          { name: 'REL_INCOME', description: 'income', operation: 'ADD', releaseStatus: 'PENDING_RELEASE' },
        ],
      },
    },
  });
  expect(created.userErrors).toEqual([]);
  expect(created.flow).toMatchObject({ total: 2, onChildFailure: 'FAIL', finalJob: { status: 'WAITING' } });
  const bumpId = created.flow!.finalJob.id;
  const [persons, income] = created.results.map((r) => r.job!.id);

  const child = await job(persons!);
  expect(child.parent).toEqual({ id: bumpId });
  expect(child.flow!.id).toBe(bumpId);
  // The bump is not claimable while its imports run.
  expect((await claim(['BUMP'])).reason).toBe('EMPTY');

  const imports = (await claim(['ADD'], { maxJobs: 2 })).leases;
  expect(imports.map((l) => l.job.id).sort()).toEqual([persons, income].sort());
  await complete(imports[0]!);
  let bump = await job(bumpId);
  expect(bump.status).toBe('WAITING');
  expect(bump.flow!.counts).toEqual([{ status: 'COMPLETED', count: 1 }, { status: 'INITIATED', count: 1 }]);
  expect((await claim(['BUMP'])).reason).toBe('EMPTY');
  await complete(imports[1]!);

  bump = await job(bumpId);
  expect(bump.status).toBe('QUEUED');
  expect(bump.log.filter((l) => l.status === 'QUEUED').map((l) => l.message)).toEqual(['children ended (2 completed, 0 failed or cancelled): queued']);
  // The bump's worker reads its children's outcomes, then completes it: the datasets' last action is the bump.
  const lease = (await claim(['BUMP'])).lease!;
  expect(lease.job.id).toBe(bumpId);
  const outcomes = (await job(bumpId)).flow!.children.nodes;
  expect(outcomes.map((c) => c.status)).toEqual(['COMPLETED', 'COMPLETED']);
  await complete(lease);
  const target = await call<{ lastAction: { operation: string; bumpToVersion: string } }>(`query { target(name: "REL_PERSONS") { lastAction { operation bumpToVersion } } }`, {}, t.viewer);
  expect(target.lastAction).toEqual({ operation: 'BUMP', bumpToVersion: '7.0.0' });
  // jobEvents carried the bump through the flow: created waiting, counted children, queued once, then run.
  await until('bump completed event', () => watch.events.some((e) => e.jobEvents.job.status === 'COMPLETED'), 30_000, 20);
  const bumpEvents = watch.events.map((e) => e.jobEvents).filter((e) => e.job.id === bumpId);
  expect(bumpEvents[0]).toMatchObject({ kind: 'CREATED', job: { status: 'WAITING' } });
  expect(bumpEvents.filter((e) => e.kind === 'UPDATED' && e.job.status === 'WAITING')).toHaveLength(1); // the first import counted
  expect(bumpEvents.filter((e) => e.previousStatus === 'WAITING').map((e) => e.job.status)).toEqual(['QUEUED']);
}, 120_000);

test('50 children whose completions race on two instances queue the final job exactly once', async () => {
  const created = await flowCreate({
    items: Array.from({ length: 50 }, (_, i) => ({ target: `RACE_CHILD_${i}`, operation: 'CHANGE' })),
    then: { target: 'RACE_FINAL', operation: 'PATCH_METADATA' },
    onChildFailure: 'CONTINUE',
  });
  expect(created.userErrors).toEqual([]);
  const finalId = created.flow!.finalJob.id;
  const watch = await subscribe<{ jobUpdated: { job: { status: string } } }>(`subscription($id: ID!) { jobUpdated(id: $id) { job { status } } }`, { id: finalId });
  // Every child is held at once, then all 50 completions go out together, alternating instances.
  const leases = [...(await claim(['CHANGE'], { maxJobs: 25 })).leases, ...(await claim(['CHANGE'], { maxJobs: 25 }, other.url)).leases];
  expect(leases).toHaveLength(50);
  const done = await Promise.all(leases.map((l, i) => complete(l, i % 2 === 0 ? app.url : other.url)));
  expect(done.every((d) => d.job.status === 'COMPLETED')).toBe(true);

  const final = (await claim(['PATCH_METADATA'], { waitSeconds: 10 }, other.url)).lease!;
  expect(final.job.id).toBe(finalId);
  await complete(final, other.url);
  await until('final completed event', () => watch.events.some((e) => e.jobUpdated.job.status === 'COMPLETED'), 30_000, 20);
  expect(watch.events.filter((e) => e.jobUpdated.job.status === 'QUEUED')).toHaveLength(1);
  // Log lines are stored with their job's write on the other instance: this one reads them from MongoDB.
  await until('the final job\'s claim line sent by the other instance', async () => (await job(finalId)).log.some((l) => l.status === 'INITIATED'), 10_000, 20);
  const view = await job(finalId);
  expect(view.log.filter((l) => l.status === 'QUEUED')).toHaveLength(1);
  expect(view.log.filter((l) => l.status === 'INITIATED')).toHaveLength(1);
  expect(view.flow!.counts).toEqual([{ status: 'COMPLETED', count: 50 }]);
  expect(view.flow!.children.totalCount).toBe(50);
  // Nothing else of the final job is left in the queue.
  expect((await claim(['PATCH_METADATA'])).reason).toBe('EMPTY');
}, 120_000);

test('a failed child: FAIL fails the final job at once, CANCEL_REST also cancels the rest, CONTINUE runs it after all', async () => {
  const make = (name: string, policy: string) =>
    flowCreate({ items: [0, 1, 2].map((i) => ({ target: `${name}_${i}`, operation: 'SET_STATUS', releaseStatus: 'DRAFT' })), then: { target: `${name}_FINAL`, operation: 'ROLLBACK_REMOVE' }, onChildFailure: policy });
  for (const policy of ['FAIL', 'CANCEL_REST', 'CONTINUE']) {
    const f = await make(`POL_${policy}`, policy);
    const [a, b, c] = f.results.map((r) => r.job!.id);
    const leases = (await claim(['SET_STATUS'], { maxJobs: 1 })).leases;
    expect(leases[0]!.job.id).toBe(a);
    await fail(leases[0]!);
    const finalId = f.flow!.finalJob.id;
    const view = await job(finalId);
    if (policy === 'CONTINUE') {
      expect(view.status).toBe('WAITING');
      for (const l of (await claim(['SET_STATUS'], { maxJobs: 2 })).leases) await complete(l);
      expect((await job(finalId)).status).toBe('QUEUED');
      const lease = (await claim(['ROLLBACK_REMOVE'])).lease!;
      expect(lease.job.id).toBe(finalId);
      expect((await job(finalId)).flow!.counts).toEqual([{ status: 'COMPLETED', count: 2 }, { status: 'FAILED', count: 1 }]);
      await complete(lease);
      continue;
    }
    expect(view.status).toBe('FAILED');
    expect(view.failureReason).toBe(`child ${a} ended FAILED (a failed child: ${policy})`);
    const statuses = (await Promise.all([b!, c!].map(job))).map((j) => j.status);
    if (policy === 'FAIL') {
      expect(statuses).toEqual(['QUEUED', 'QUEUED']); // the others go on
      for (const l of (await claim(['SET_STATUS'], { maxJobs: 2 })).leases) await complete(l);
      expect((await job(finalId)).status).toBe('FAILED'); // decided once
    } else {
      expect(statuses).toEqual(['CANCELLED', 'CANCELLED']);
    }
    expect((await claim(['ROLLBACK_REMOVE'])).reason).toBe('EMPTY');
  }
}, 120_000);

test('cancelling the final job cancels its waiting children; a running child goes on', async () => {
  const f = await flowCreate({ items: [0, 1, 2].map((i) => ({ target: `CANCEL_FLOW_${i}`, operation: 'DELETE_DRAFT' })), then: { target: 'CANCEL_FLOW_FINAL', operation: 'DELETE_ARCHIVE' } });
  const running = (await claim(['DELETE_DRAFT'])).lease!;
  const cancelled = await call<{ job: { status: string }; userErrors: UserErr[] }>(
    `mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } userErrors { code } } }`,
    { i: { id: f.flow!.finalJob.id, reason: 'release called off' } },
    t.operator,
  );
  expect(cancelled).toEqual({ job: { status: 'CANCELLED' }, userErrors: [] });
  const children = (await job(f.flow!.finalJob.id)).flow!.children.nodes;
  expect(Object.fromEntries(children.map((c) => [c.id, c.status]))).toEqual({ [running.job.id]: 'INITIATED', [f.results[1]!.job!.id]: 'CANCELLED', [f.results[2]!.job!.id]: 'CANCELLED' });
  expect((await complete(running)).job.status).toBe('COMPLETED');
  expect((await job(f.flow!.finalJob.id)).status).toBe('CANCELLED');
}, 60_000);

test('an instance that dies between a child end and its flow step: the reconciler queues the final job', async () => {
  const f = await flowCreate({ items: [{ target: 'RECON_FLOW_0', operation: 'REMOVE', description: 'old' }], then: { target: 'RECON_FLOW_FINAL', operation: 'DELETE_ARCHIVE' } });
  const lease = (await claim(['REMOVE'])).lease!;
  // The end decided in Redis and recorded in MongoDB, as the lifecycle does, and then nothing (the instance died).
  const r = await app.queue.finish(lease.job.id, lease.token, { outcome: 'complete' });
  expect(r.ok).toBe(true);
  await app.mongo.collection('jobs').updateOne({ _id: new (await import('mongoose')).Types.ObjectId(lease.job.id) }, { $set: { status: 'COMPLETED', seq: 100 }, $unset: { activeTarget: 1 } });
  expect((await job(f.flow!.finalJob.id)).status).toBe('WAITING');
  await other.recovery.reconcileOnce();
  expect((await job(f.flow!.finalJob.id)).status).toBe('QUEUED');
  expect((await claim(['DELETE_ARCHIVE'])).lease?.job.id).toBe(f.flow!.finalJob.id);
}, 60_000);

test('bad input creates nothing: no items, too many, an invalid or duplicate `then`, no child created', async () => {
  const before = await countJobs();
  const none = await flowCreate({ items: [], then: { target: 'BAD_FINAL', operation: 'ADD' } });
  expect(none.userErrors).toEqual([{ code: 'INVALID_BATCH', message: expect.any(String), field: ['input', 'items'] }]);
  const many = await flowCreate({ items: Array.from({ length: 1001 }, (_, i) => ({ target: `BAD_${i}`, operation: 'ADD' })), then: { target: 'BAD_FINAL', operation: 'ADD' } });
  expect(many.userErrors[0]).toMatchObject({ code: 'INVALID_BATCH', field: ['input', 'items'] });
  const invalid = await flowCreate({ items: [{ target: 'BAD_A', operation: 'ADD' }], then: { target: 'bad name', operation: 'ADD' } });
  expect(invalid.userErrors[0]).toMatchObject({ code: 'INVALID_TARGET', field: ['input', 'then', 'target'] });
  const timed = await flowCreate({ items: [{ target: 'BAD_A', operation: 'ADD' }], then: { target: 'BAD_FINAL', operation: 'ADD', runAt: '2040-01-01T00:00:00Z' } });
  expect(timed.userErrors[0]).toMatchObject({ code: 'INVALID_PARAMETERS', field: ['input', 'then', 'runAt'] });
  const [holder] = (await call<{ results: Array<{ job: { id: string } }> }>(`mutation { jobsCreate(input: { items: [{ target: "BAD_BUSY", operation: ADD }] }) { results { job { id } } } }`, {}, t.submitter)).results;
  const dup = await flowCreate({ items: [{ target: 'BAD_B', operation: 'ADD' }], then: { target: 'BAD_BUSY', operation: 'CHANGE' } });
  expect(dup.userErrors[0]).toMatchObject({ code: 'DUPLICATE_IN_PROGRESS', field: ['input', 'then', 'target'] });
  expect(dup.existingJob).toEqual({ id: holder!.job.id });
  expect(dup.flow).toBeNull();
  // Every child refused (a duplicate in progress): the final job is removed again.
  const noChild = await flowCreate({ items: [{ target: 'BAD_BUSY', operation: 'ADD' }], then: { target: 'BAD_FINAL', operation: 'ADD' } });
  expect(noChild.userErrors[0]).toMatchObject({ code: 'NO_CHILDREN', field: ['input', 'items'] });
  expect(noChild.results[0]!.error).toMatchObject({ code: 'DUPLICATE_IN_PROGRESS' });
  expect(await countJobs()).toBe(before + 1); // only the holder
  // BAD_FINAL's guard was released with it: a job for it can be created.
  const again = await call<{ results: Array<{ error: UserErr | null }> }>(`mutation { jobsCreate(input: { items: [{ target: "BAD_FINAL", operation: ADD }] }) { results { error { code } } } }`, {}, t.submitter);
  expect(again.results[0]!.error).toBeNull();
}, 60_000);

test('Redis loses its data mid-flow: the final job is held again by the restore and queued once its children are counted again', async () => {
  const f = await flowCreate({ items: [0, 1].map((i) => ({ target: `FLUSH_FLOW_${i}`, operation: 'PATCH_METADATA' })), then: { target: 'FLUSH_FLOW_FINAL', operation: 'SET_STATUS', releaseStatus: 'DRAFT' } });
  const finalId = f.flow!.finalJob.id;
  const leases = (await claim(['PATCH_METADATA'], { maxJobs: 2 })).leases;
  expect(leases).toHaveLength(2);
  await complete(leases[0]!);
  const keys = await app.redis.keys(`${app.config.redisKeyPrefix}*`);
  await app.redis.del(...keys);
  // The next decision restores the queue (the final job held, the other child's lease back); its end is counted
  // in a flow that forgot the first child's end: the reconciler counts that one again and the final job is queued.
  expect((await complete(leases[1]!)).job.status).toBe('COMPLETED');
  expect((await claim(['SET_STATUS'])).reason).toBe('EMPTY');
  await app.recovery.reconcileOnce();
  expect((await job(finalId)).status).toBe('QUEUED');
  expect((await claim(['SET_STATUS'])).lease?.job.id).toBe(finalId);
  expect((await job(finalId)).log.filter((l) => l.status === 'QUEUED')).toHaveLength(1);
}, 60_000);
