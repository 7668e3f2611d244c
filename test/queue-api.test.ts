import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { mongoCommandCount } from '../src/db/mongo.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { until } from './harness/until.js';

/** The queue and workers as operators see them; time limits with an injected clock (no sleeping). */
const START = Date.UTC(2030, 5, 1);

async function setup() {
  const clock = { now: START };
  const started = await startAppWithIssuer({
    file: import.meta.url,
    env: { JOB_TIME_LIMIT_SECONDS: '60', LEASE_SECONDS: '30', CLIENT_EXPIRY_SECONDS: '30' },
    appOptions: { clock: { now: () => clock.now, random: () => 0.5 }, background: false },
    instrument: true,
  });
  const tokens = started.tokens;
  const q = <T>(query: string, variables: Record<string, unknown> | undefined, token: string) => gql<T>(started.app.url, query, variables, token);
  return { app: started.app, clock, tokens, q };
}

const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } } } }`;
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } reason } }`;

test('queue: counts, oldest waiting age, jobs in claim order (priority, then run-at, then creation), clear keeps history', async () => {
  const { clock, tokens, q } = await setup();
  const items = [
    { target: 'Q_LOW', operation: 'ADD', priority: -5 },
    { target: 'Q_HIGH', operation: 'ADD', priority: 10 },
    { target: 'Q_MID_1', operation: 'CHANGE' },
    { target: 'Q_MID_2', operation: 'ADD' },
    { target: 'Q_LATER', operation: 'ADD', priority: 50, runAt: new Date(START + 60_000).toISOString() },
  ];
  const created = await q<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(CREATE, { i: { items } }, tokens.submitter);
  const [low, high, mid1, mid2, later] = created.body.data!.jobsCreate.results.map((r) => r.job.id);
  clock.now += 5_000;

  const VIEW = `{ queue { paused maintenance ready delayed leased oldestWaitingSeconds counts { status count } jobs(first: 10) { totalCount nodes { id } } } }`;
  type View = { queue: { paused: boolean; ready: number; delayed: number; leased: number; oldestWaitingSeconds: number; counts: Array<{ status: string; count: number }>; jobs: { totalCount: number; nodes: Array<{ id: string }> } } };
  const view = (await q<View>(VIEW, undefined, tokens.viewer)).body.data!.queue;
  expect(view).toMatchObject({ paused: false, ready: 4, delayed: 1, leased: 0, oldestWaitingSeconds: 5 });
  expect(view.counts.find((c) => c.status === 'QUEUED')!.count).toBe(5);
  expect(view.counts).toHaveLength(15); // every JobStatus, WAITING (a flow's final job) included
  expect(view.jobs.nodes.map((n) => n.id)).toEqual([high, mid1, mid2, low, later]);
  expect(view.jobs.totalCount).toBe(5);

  // Paging through the claim order, and filtering by operation.
  const page = await q<{ queue: { jobs: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string; hasNextPage: boolean } } } }>(
    `{ queue { jobs(first: 2) { nodes { id } pageInfo { endCursor hasNextPage } } } }`,
    undefined,
    tokens.viewer,
  );
  expect(page.body.data!.queue.jobs.nodes.map((n) => n.id)).toEqual([high, mid1]);
  const next = await q<{ queue: { jobs: { nodes: Array<{ id: string }> } } }>(
    `query($a: String) { queue { jobs(first: 2, after: $a) { nodes { id } } } }`,
    { a: page.body.data!.queue.jobs.pageInfo.endCursor },
    tokens.viewer,
  );
  expect(next.body.data!.queue.jobs.nodes.map((n) => n.id)).toEqual([mid2, low]);
  const changes = await q<{ queue: { jobs: { nodes: Array<{ id: string }> } } }>(`{ queue { jobs(operations: [CHANGE], first: 10) { nodes { id } } } }`, undefined, tokens.viewer);
  expect(changes.body.data!.queue.jobs.nodes.map((n) => n.id)).toEqual([mid1]);

  // A worker claims in exactly that order.
  const first = await q<{ jobClaim: { lease: { job: { id: string } } } }>(CLAIM, { i: { workerId: 'w', operations: ['ADD', 'CHANGE'] } }, tokens.worker);
  expect(first.body.data!.jobClaim.lease.job.id).toBe(high);

  const cleared = await q<{ queueClear: { cancelledCount: number; queue: { ready: number; delayed: number; leased: number } } }>(
    `mutation { queueClear(input: { reason: "bad batch" }) { cancelledCount queue { ready delayed leased } userErrors { code } } }`,
    undefined,
    tokens.operator,
  );
  expect(cleared.body.data!.queueClear).toEqual({ cancelledCount: 4, queue: { ready: 0, delayed: 0, leased: 1 }, userErrors: [] });
  const history = await q<{ job: { status: string; log: Array<{ message: string }> } }>(`query($id: ID!) { job(id: $id) { status log { message } } }`, { id: low }, tokens.viewer);
  expect(history.body.data!.job.status).toBe('CANCELLED');
  expect(history.body.data!.job.log.map((l) => l.message)).toEqual(['created', 'cancelled: bad batch']);
});

test('the hard time limit fails a job that runs too long and tells its worker to stop', async () => {
  const { app, clock, tokens, q } = await setup();
  await q(CREATE, { i: { items: [{ target: 'SLOW', operation: 'ADD' }] } }, tokens.submitter);
  const lease = (await q<{ jobClaim: { lease: { token: string; job: { id: string } } } }>(CLAIM, { i: { workerId: 'slowpoke', operations: ['ADD'] } }, tokens.worker)).body.data!.jobClaim.lease;
  const PROGRESS = `mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { cancelRequested userErrors { code } } }`;
  for (let i = 0; i < 3; i++) {
    clock.now += 20_000; // keeps the lease alive, but the attempt runs on
    const p = await q<{ jobReportProgress: { userErrors: unknown[] } }>(PROGRESS, { i: { id: lease.job.id, leaseToken: lease.token, progress: 0.1 * i } }, tokens.worker);
    expect(p.body.data!.jobReportProgress.userErrors).toEqual([]);
  }
  clock.now += 1_000;
  expect((await app.recovery.reconcileOnce()).timedOut).toBe(1);
  const job = (await app.services.jobs.byId(lease.job.id))!;
  expect(job.status).toBe('FAILED');
  expect(job.failureReason).toBe('time limit of 60 s exceeded');
  const late = await q<{ jobReportProgress: { userErrors: Array<{ code: string }> } }>(PROGRESS, { i: { id: lease.job.id, leaseToken: lease.token } }, tokens.worker);
  expect(late.body.data!.jobReportProgress.userErrors[0]!.code).toBe('LEASE_LOST');
  expect((await app.queue.counts()).leased).toBe(0);
});

test('workers: heartbeat registers and reports, alive expires with CLIENT_EXPIRY, remove forgets, bad input is a userError', async () => {
  const { clock, tokens, q } = await setup();
  const HB = `mutation($i: WorkerHeartbeatInput!) { workerHeartbeat(input: $i) { heartbeatIntervalSeconds expirySeconds disabled maintenance queuePaused userErrors { code field } } }`;
  const hb = await q<{ workerHeartbeat: Record<string, unknown> }>(
    HB,
    { i: { workerId: 'host-1:42', status: 'BUSY', hostname: 'host-1', version: '1.2.3', operations: ['ADD'], progress: 0.5, info: { load: 0.7 } } },
    tokens.worker,
  );
  expect(hb.body.data!.workerHeartbeat).toEqual({ heartbeatIntervalSeconds: 10, expirySeconds: 30, disabled: false, maintenance: false, queuePaused: false, userErrors: [] });
  const W = `query($id: String!) { worker(workerId: $id) { id workerId alive status hostname version operations progress info disabled } }`;
  const w = await q<{ worker: Record<string, unknown> }>(W, { id: 'host-1:42' }, tokens.viewer);
  expect(w.body.data!.worker).toEqual({ id: 'Worker:host-1:42', workerId: 'host-1:42', alive: true, status: 'BUSY', hostname: 'host-1', version: '1.2.3', operations: ['ADD'], progress: 0.5, info: { load: 0.7 }, disabled: false });
  clock.now += 31_000;
  const expired = await q<{ worker: { alive: boolean; status: string | null } }>(W, { id: 'host-1:42' }, tokens.viewer);
  expect(expired.body.data!.worker).toMatchObject({ alive: false, status: null });
  const alive = await q<{ workers: { totalCount: number } }>(`{ workers(alive: true) { totalCount } }`, undefined, tokens.viewer);
  expect(alive.body.data!.workers.totalCount).toBe(0);

  const bad = await q<{ workerHeartbeat: { userErrors: Array<{ code: string; field: string[] }> } }>(HB, { i: { workerId: 'has space', status: 'IDLE', progress: 2 } }, tokens.worker);
  expect(bad.body.data!.workerHeartbeat.userErrors.map((e) => e.field.join('.'))).toEqual(['input.workerId', 'input.progress']);
  const asViewer = await q(HB, { i: { workerId: 'x', status: 'IDLE' } }, tokens.viewer);
  expect(asViewer.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');

  const removed = await q<{ workerRemove: { removed: boolean } }>(`mutation { workerRemove(input: { workerId: "host-1:42" }) { removed userErrors { code } } }`, undefined, tokens.operator);
  expect(removed.body.data!.workerRemove.removed).toBe(true);
  const again = await q<{ workerRemove: { removed: boolean; userErrors: Array<{ code: string }> } }>(`mutation { workerRemove(input: { workerId: "host-1:42" }) { removed userErrors { code } } }`, undefined, tokens.operator);
  expect(again.body.data!.workerRemove).toEqual({ removed: false, userErrors: [{ code: 'NOT_FOUND' }] });
});

test('workerEvents: a worker whose heartbeats stop is announced EXPIRED once; a heartbeat makes it alive again', async () => {
  const { app, clock, tokens, q } = await setup();
  type Ev = { workerEvents: { kind: string; workerId: string; worker: { alive: boolean } | null } };
  const events: Ev['workerEvents'][] = [];
  const ws = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens.operator}` }, retryAttempts: 0 });
  const stop = ws.subscribe<Ev>(
    { query: 'subscription { workerEvents { kind workerId worker { alive } } }' },
    { next: (r) => r.data && events.push(r.data.workerEvents), error: (e) => events.push({ kind: `error ${JSON.stringify(e)}`, workerId: '', worker: null }), complete: () => undefined },
  );
  try {
    await until('the subscription', () => app.bus.subscriberCount('worker') > 0, 10_000, 20);
    const HB = `mutation($i: WorkerHeartbeatInput!) { workerHeartbeat(input: $i) { userErrors { code } } }`;
    const commands = mongoCommandCount(app.mongo);
    await q(HB, { i: { workerId: 'exp-1', status: 'IDLE' } }, tokens.worker);
    expect(mongoCommandCount(app.mongo) - commands).toBe(1); // the write returns the record its event carries
    await q(HB, { i: { workerId: 'exp-2', status: 'IDLE' } }, tokens.worker);
    clock.now += 20_000;
    await q(HB, { i: { workerId: 'exp-2', status: 'IDLE' } }, tokens.worker);
    clock.now += 11_000; // exp-1 is 31 s quiet (expiry 30), exp-2 11 s

    expect(await app.services.workers.announceExpired()).toBe(1);
    expect(await app.services.workers.announceExpired()).toBe(0); // once, not on every pass

    clock.now += 1_000;
    await q(HB, { i: { workerId: 'exp-1', status: 'BUSY' } }, tokens.worker);
    clock.now += 31_000;
    expect(await app.services.workers.announceExpired()).toBe(2); // exp-1 again (the heartbeat cleared the mark), and exp-2

    await until('seven events', () => events.length >= 7, 10_000, 20);
    expect(events.slice(0, 5).map((e) => [e.kind, e.workerId, e.worker?.alive])).toEqual([
      ['REGISTERED', 'exp-1', true],
      ['REGISTERED', 'exp-2', true],
      ['HEARTBEAT', 'exp-2', true],
      ['EXPIRED', 'exp-1', false],
      ['HEARTBEAT', 'exp-1', true],
    ]);
    const last = events.slice(5).map((e) => [e.kind, e.workerId, e.worker?.alive]);
    expect(last.sort()).toEqual([
      ['EXPIRED', 'exp-1', false],
      ['EXPIRED', 'exp-2', false],
    ]);
    // Nothing more for these two: a sentinel heartbeat, published after them, is the next event.
    await q(HB, { i: { workerId: 'exp-sentinel', status: 'IDLE' } }, tokens.worker);
    await until('the sentinel', () => events.some((e) => e.workerId === 'exp-sentinel'), 10_000, 20);
    expect(events).toHaveLength(8);
    expect(events.map((e) => [e.kind, e.workerId])[7]).toEqual(['REGISTERED', 'exp-sentinel']);
  } finally {
    stop();
    await ws.dispose();
  }
});
