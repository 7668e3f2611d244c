import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { gql } from './harness/app.js';
import type { RoleTokens } from './harness/jwks.js';
import { until } from './harness/until.js';
import { burstRun, collect, startPair, type Collector } from './scenarios/burst.js';

/**
 * Subscriptions over real sockets, across two service instances sharing one
 * database and one Redis: events travel through Redis pub/sub. Every test has a
 * pair of its own (maintenance, the queue switches and drained are per database).
 */
let a: App;
let b: App;
let viewer: string;
let submitter: string;
let worker: string;
let admin: string;
let tokens: RoleTokens;
const clients: Client[] = [];

beforeEach(async () => {
  ({ a, b, tokens } = await startPair(import.meta.url));
  ({ viewer, submitter, worker, admin } = tokens);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all([a.close(), b.close()]);
});

function client(app: App, bearer: string): Client {
  const c = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

function subscribersOn(app: App, n: number): Promise<void> {
  return until(`${n} job subscribers registered`, () => countSubscribers(app) >= n, 30_000, 20);
}

function countSubscribers(app: App): number {
  return app.bus.subscriberCount('job');
}

const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } } } }`;

test('a subscriber on instance A receives, in order, every status change of a job driven through instance B', async () => {
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'LIVE_ONE', operation: 'ADD' }] } }, submitter);
  const id = created.body.data!.jobsCreate.results[0]!.job.id;
  const before = countSubscribers(a);
  const sub = collect<{ jobUpdated: { kind: string; previousStatus: string | null; job: { id: string; status: string; progress: number | null } } }>(
    client(a, viewer),
    `subscription($id: ID!) { jobUpdated(id: $id) { kind previousStatus job { id status progress } } }`,
    { id },
  );
  await subscribersOn(a, before + 1);

  const call = <T>(query: string, input: Record<string, unknown>) => gql<T>(b.url, query, { i: input }, worker);
  const claim = await call<{ jobClaim: { lease: { token: string } } }>(`mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token } } }`, { workerId: 'live', operations: ['ADD'] });
  const leaseToken = claim.body.data!.jobClaim.lease.token;
  const PROGRESS = `mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { userErrors { code } } }`;
  for (const [status, progress] of [['VALIDATING', 0.1], ['TRANSFORMING', 0.4], [null, 0.5], ['CONVERTING', 0.8]] as const) {
    await call(PROGRESS, { id, leaseToken, ...(status ? { status } : {}), progress });
  }
  await call(`mutation($i: JobCompleteInput!) { jobComplete(input: $i) { userErrors { code } } }`, { id, leaseToken });

  const events = await sub.waitFor(5);
  const changes = events.map((e) => e.jobUpdated).filter((e) => e.kind === 'STATUS_CHANGED');
  expect(changes.map((e) => [e.previousStatus, e.job.status])).toEqual([
    ['QUEUED', 'INITIATED'],
    ['INITIATED', 'VALIDATING'],
    ['VALIDATING', 'TRANSFORMING'],
    ['TRANSFORMING', 'CONVERTING'],
    ['CONVERTING', 'COMPLETED'],
  ]);
  expect(events.every((e) => e.jobUpdated.job.id === id)).toBe(true);
  // A report of the fraction alone is written (and told) at most once a second per job; the next write carries it.
  expect(events.map((e) => e.jobUpdated).filter((e) => e.kind === 'UPDATED')).toEqual([]);
});

test('jobEvents with a filter receives exactly the matching events and nothing else', async () => {
  const before = countSubscribers(a);
  const sub = collect<{ jobEvents: { kind: string; job: { id: string; operation: string; target: { name: string } } } }>(
    client(a, viewer),
    `subscription { jobEvents(filter: { operations: [PATCH_METADATA], createdBy: "sue" }) { kind job { id operation target { name } } } }`,
  );
  await subscribersOn(a, before + 1);
  const items = [
    { target: 'FLT_1', operation: 'ADD' },
    { target: 'FLT_2', operation: 'PATCH_METADATA' },
    { target: 'FLT_3', operation: 'CHANGE' },
    { target: 'FLT_4', operation: 'PATCH_METADATA' },
  ];
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items } }, submitter);
  expect(created.body.errors).toBeUndefined();
  const ids = created.body.data!.jobsCreate.results.map((r) => r.job.id);
  // A matching job by someone else must not arrive; a last matching one marks the end.
  await gql(b.url, CREATE, { i: { items: [{ target: 'FLT_5', operation: 'PATCH_METADATA' }] } }, admin);
  const sentinel = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'FLT_6', operation: 'PATCH_METADATA' }] } }, submitter);
  // Events reach a subscriber in the order they were published: once the sentinel is in, FLT_5 would be too.
  const events = await sub.waitFor(3);
  expect(sub.events.map((e) => e.jobEvents.job.id)).toEqual([ids[1], ids[3], sentinel.body.data!.jobsCreate.results[0]!.job.id]);
  expect(events.every((e) => e.jobEvents.kind === 'CREATED' && e.jobEvents.job.operation === 'PATCH_METADATA')).toBe(true);
});

test('100 concurrent subscribers on one instance receive every event of a 100-event burst (1,000 x 1,000: npm run soak)', async () => {
  await burstRun({ a, b, viewer, submitter }, { sockets: 10, perSocket: 10, events: 100, timeoutMs: 30_000 }, client);
});

test('roles per subscription: a VIEWER cannot subscribe to worker events; an OPERATOR sees a heartbeat arrive', async () => {
  const denied = collect(client(a, viewer), `subscription { workerEvents { kind workerId } }`);
  await until('the refusal', () => denied.errors.length > 0, 10_000, 20);
  expect(JSON.stringify(denied.errors[0])).toMatch(/FORBIDDEN/);

  const operator = tokens.operator;
  const before = a.bus.subscriberCount('worker');
  const sub = collect<{ workerEvents: { kind: string; workerId: string; worker: { alive: boolean } } }>(client(a, operator), `subscription { workerEvents { kind workerId worker { alive } } }`);
  await until('the worker subscription', () => a.bus.subscriberCount('worker') > before, 10_000, 20);
  await gql(b.url, `mutation { workerHeartbeat(input: { workerId: "live-worker", status: IDLE }) { userErrors { code } } }`, undefined, worker);
  const [event] = await sub.waitFor(1);
  expect(event!.workerEvents).toEqual({ kind: 'REGISTERED', workerId: 'live-worker', worker: { alive: true } });
});

test('maintenance switches reach subscribers on the other instance', async () => {
  const before = a.bus.subscriberCount('maintenance');
  const sub = collect<{ maintenanceStatusChanged: { paused: boolean; message: string; drained: boolean } }>(client(a, viewer), `subscription { maintenanceStatusChanged { paused message drained } }`);
  await until('the maintenance subscription', () => a.bus.subscriberCount('maintenance') > before, 10_000, 20);
  const SET = `mutation($i: MaintenanceSetInput!) { maintenanceSet(input: $i) { userErrors { code } } }`;
  await gql(b.url, SET, { i: { paused: true, message: 'deploy' } }, admin);
  await gql(b.url, SET, { i: { paused: false, message: 'done' } }, admin);
  const events = await sub.waitFor(2);
  expect(events.map((e) => e.maintenanceStatusChanged)).toEqual([
    { paused: true, message: 'deploy', drained: true },
    { paused: false, message: 'done', drained: false },
  ]);
});

test('queueStatsChanged follows the counts and both switches (queue pause/resume, maintenance)', async () => {
  const operator = tokens.operator;
  const stats = collect<{ queueStatsChanged: { paused: boolean; maintenance: boolean; ready: number } }>(client(a, viewer), 'subscription { queueStatsChanged { paused maintenance ready } }');
  await until('the queue subscription', () => a.bus.subscriberCount('queue') >= 1, 30_000, 20);
  const last = () => stats.events.at(-1)?.queueStatsChanged;
  const event = (what: string, check: () => boolean) => until(`a queueStatsChanged event with ${what}`, check, 20_000, 20);
  // The instance that is not asked publishes too: the events travel through Redis.
  const pause = await gql(b.url, 'mutation { queuePause(input: { reason: "test" }) { queue { paused } } }', undefined, operator);
  expect(pause.body.errors).toBeUndefined();
  await event('paused', () => last()?.paused === true);
  await gql(b.url, 'mutation { maintenanceSet(input: { paused: true, message: "deploy" }) { status { paused } } }', undefined, admin);
  await event('maintenance', () => last()?.maintenance === true);
  // The counts follow jobs created on the other instance (this one recomputes its view on their events).
  const readyBefore = last()!.ready;
  await gql(b.url, CREATE, { i: { items: [{ target: 'STATS_COUNTED', operation: 'ADD' }] } }, submitter);
  await event('the new job counted', () => (last()?.ready ?? 0) === readyBefore + 1);
  await gql(b.url, 'mutation { queueResume(input: {}) { queue { paused } } }', undefined, operator);
  await gql(b.url, 'mutation { maintenanceSet(input: { paused: false, message: "done" }) { status { paused } } }', undefined, admin);
  await event('both switches off', () => last()?.paused === false && last()?.maintenance === false);
  expect(stats.errors).toEqual([]);
});

test('jobEvents also reports the change that takes a job out of the filter (active jobs seen to finish)', async () => {
  const operator = tokens.operator;
  const before = countSubscribers(a);
  type Ev = { jobEvents: { kind: string; previousStatus: string | null; job: { id: string; status: string; target: { status: string; lastUpdatedBy: string } } } };
  const active = collect<Ev>(
    client(a, viewer),
    `subscription { jobEvents(filter: { active: true, target: "LEAVE_1" }) { kind previousStatus job { id status target { status lastUpdatedBy } } } }`,
  );
  const completed = collect<Ev>(client(a, viewer), `subscription { jobEvents(filter: { statuses: [COMPLETED], target: "LEAVE_1" }) { kind previousStatus job { id status } } }`);
  await subscribersOn(a, before + 2);
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'LEAVE_1', operation: 'ADD' }] } }, submitter);
  const id = created.body.data!.jobsCreate.results[0]!.job.id;
  await gql(b.url, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } } }', { i: { id, reason: 'test' } }, operator);
  const events = await active.waitFor(2);
  expect(events.map((e) => [e.jobEvents.kind, e.jobEvents.previousStatus, e.jobEvents.job.status])).toEqual([
    ['CREATED', null, 'QUEUED'],
    ['STATUS_CHANGED', 'QUEUED', 'CANCELLED'],
  ]);
  // Each event carries its target as that change wrote it.
  expect(events.map((e) => e.jobEvents.job.target)).toEqual([
    { status: 'QUEUED', lastUpdatedBy: 'sue' },
    { status: 'CANCELLED', lastUpdatedBy: 'olga' },
  ]);
  // Neither before nor after the change did the job match [COMPLETED]: nothing arrives there. A sentinel that
  // does match, a later job on the same target driven to COMPLETED, arrives after where the cancel would have.
  const next = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'LEAVE_1', operation: 'ADD' }] } }, submitter);
  const sentinel = next.body.data!.jobsCreate.results[0]!.job.id;
  const UPDATE = 'mutation($i: JobUpdateInput!) { jobUpdate(input: $i) { userErrors { code } } }';
  await gql(b.url, UPDATE, { i: { id: sentinel, status: 'INITIATED' } }, operator);
  await gql(b.url, UPDATE, { i: { id: sentinel, status: 'COMPLETED' } }, operator);
  const [only] = await completed.waitFor(1);
  expect(only!.jobEvents).toEqual({ kind: 'STATUS_CHANGED', previousStatus: 'INITIATED', job: { id: sentinel, status: 'COMPLETED' } });
  expect(completed.events).toHaveLength(1);
});

test('a retry tells the old job\'s watchers too: an UPDATED event that links the new job', async () => {
  const operator = tokens.operator;
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'RETRY_SEEN', operation: 'ADD' }] } }, submitter);
  const id = created.body.data!.jobsCreate.results[0]!.job.id;
  await gql(b.url, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } } }', { i: { id } }, operator);
  type Ev = { jobUpdated: { kind: string; job: { status: string; retriedBy: { id: string } | null; log: Array<{ message: string }> } } };
  const SUB = 'subscription($id: ID!) { jobUpdated(id: $id) { kind job { status retriedBy { id } log { message } } } }';
  const [beforeA, beforeB] = [countSubscribers(a), countSubscribers(b)];
  const old = collect<Ev>(client(a, viewer), SUB, { id });
  const sameInstance = collect<Ev>(client(b, viewer), SUB, { id });
  await subscribersOn(a, beforeA + 1);
  await subscribersOn(b, beforeB + 1);
  const retried = await gql<{ jobRetry: { job: { id: string } } }>(b.url, 'mutation($i: JobRetryInput!) { jobRetry(input: $i) { job { id } } }', { i: { id } }, operator);
  const newId = retried.body.data!.jobRetry.job.id;
  for (const watch of [old, sameInstance]) {
    const [event] = await watch.waitFor(1);
    expect(event!.jobUpdated.kind).toBe('UPDATED');
    expect(event!.jobUpdated.job.status).toBe('CANCELLED');
    expect(event!.jobUpdated.job.retriedBy).toEqual({ id: newId });
  }
  // The line is stored with the job's write: the event shows it, and so does a read on the other instance.
  expect((await sameInstance.waitFor(1))[0]!.jobUpdated.job.log.at(-1)!.message).toBe(`retried as ${newId}`);
  const LOG = 'query($id: ID!) { job(id: $id) { log { message } } }';
  await until('the line on the other instance', async () => (await gql<{ job: { log: Array<{ message: string }> } }>(a.url, LOG, { id }, viewer)).body.data!.job.log.at(-1)?.message === `retried as ${newId}`, 10_000, 20);
});

test('one event, many identical subscriptions: executed once and shared; another selection gets its own result', async () => {
  const operator = tokens.operator;
  // A cancelled job, made before anyone subscribes (so no subscription has it in its loaders).
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(b.url, CREATE, { i: { items: [{ target: 'SHARE_1', operation: 'ADD' }] } }, submitter);
  const first = created.body.data!.jobsCreate.results[0]!.job.id;
  await gql(b.url, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } } }', { i: { id: first } }, operator);
  const SAME = 50;
  const before = countSubscribers(a);
  const sockets = Array.from({ length: 6 }, () => client(a, viewer));
  const c = sockets[0]!;
  type Ev = { jobEvents: { kind: string; job: { id: string; retryOf: { id: string; status?: string } | null } } };
  const same: Array<Collector<Ev>> = [];
  // Spread over sockets (at most 20 operations each); one token, one query, one filter: one kind of subscriber.
  for (let i = 0; i < SAME; i++) same.push(collect<Ev>(sockets[i % sockets.length]!, `subscription { jobEvents(filter: { target: "SHARE_1" }) { kind job { id retryOf { id } } } }`));
  const other = collect<Ev>(c, `subscription { jobEvents(filter: { target: "SHARE_1" }) { kind job { id retryOf { id status } } } }`);
  await subscribersOn(a, before + SAME + 1);


  // Every execution of the retry's CREATED event reads the job it retries (`retryOf`, not in the event) by _id.
  const reads: unknown[] = [];
  const count = (e: { commandName: string; command: Record<string, unknown> }) => {
    if (e.commandName === 'find' && JSON.stringify(e.command.filter ?? {}).includes(first)) reads.push(e.command.filter);
  };
  await a.services.jobLogs.drain(); // the log move of the job cancelled above reads it by _id too: done before counting
  a.mongo.getClient().on('commandStarted', count);
  try {
    const retried = await gql<{ jobRetry: { job: { id: string } } }>(b.url, 'mutation($i: JobRetryInput!) { jobRetry(input: $i) { job { id } } }', { i: { id: first } }, operator);
    const retry = retried.body.data!.jobRetry.job.id;
    for (const s of [...same, other]) await s.waitFor(1);
    for (const s of same) expect(s.events[0]!.jobEvents).toEqual({ kind: 'CREATED', job: { id: retry, retryOf: { id: first } } });
    expect(other.events[0]!.jobEvents).toEqual({ kind: 'CREATED', job: { id: retry, retryOf: { id: first, status: 'CANCELLED' } } });
    // Two kinds of subscriber on instance A: two executions, so two reads (not 51).
    expect(reads.length).toBe(2);
  } finally {
    a.mongo.getClient().off('commandStarted', count);
  }
  // Closing the sockets ends every one of these subscriptions on the bus at once, though no event is pending.
  await Promise.all(sockets.map((x) => x.dispose()));
  await until('the bus subscriptions ended', () => countSubscribers(a) === before, 10_000, 20);
});

test('keep-alive: a socket that answers no ping is closed; one that answers keeps its subscription', async () => {
  const wsUrl = `${b.url.replace(/^http/, 'ws')}/graphql`;
  // A peer that has gone silent: connected and acknowledged, but it never answers a ping.
  const silent = new WebSocket(wsUrl, 'graphql-transport-ws', { autoPong: false });
  const pinged = new Promise<void>((resolve) => silent.once('ping', () => resolve()));
  const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
  const acked = new Promise<void>((resolve) => silent.on('message', (m) => JSON.parse(String(m)).type === 'connection_ack' && resolve()));
  let openedAt = 0;
  silent.once('open', () => {
    openedAt = Date.now();
    silent.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${viewer}` } }));
  });
  await acked;

  // A live client on the same instance, through the same intervals; it counts the pings it answers (ws answers
  // each with a pong).
  let livePings = 0;
  const liveClient = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${viewer}` },
    retryAttempts: 0,
    lazy: true,
    on: { opened: (socket) => void (socket as WebSocket).on('ping', () => livePings++) },
  });
  clients.push(liveClient);
  const live = collect<{ maintenanceStatusChanged: { message: string } }>(liveClient, 'subscription { maintenanceStatusChanged { message } }');
  await until('the live subscription', () => b.bus.subscriberCount('maintenance') > 0, 10_000, 20);

  await pinged;
  // Terminated, not closed politely: to the peer it looks like a dropped connection.
  expect(await closed).toBe(1006);
  // First ping 1 s after the socket opened, dropped 1 s after that without a pong.
  const after = Date.now() - openedAt;
  expect(after).toBeGreaterThanOrEqual(1_500); // slack for the moment the client saw the open
  expect(after).toBeLessThan(10_000);

  // The live socket lives through its pong deadlines: the server sends a ping each interval and ends a socket
  // whose pong has not come one interval later, so a third ping (two intervals after the first) means at least
  // the first ping's deadline passed with the socket alive. It still gets events.
  await until('the live socket got its third ping', () => livePings >= 3, 10_000, 20);
  await gql(a.url, 'mutation { maintenanceSet(input: { paused: false, message: "still here" }) { status { paused } } }', undefined, admin);
  const [event] = await live.waitFor(1);
  expect(event!.maintenanceStatusChanged.message).toBe('still here');
  expect(live.errors).toEqual([]);
});
