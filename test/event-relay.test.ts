/**
 * The event outbox and its relay (lua/announce.lua, lua/outbox.lua, JobLifecycle.relayEvents): a status change
 * whose deciding instance dies before publishing its event reaches the subscribers of another instance, once,
 * with the time of its decision; and the normal path, racing a relay that runs every few milliseconds, still
 * delivers every change exactly once.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { RedisQueue } from '../src/queue/index.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, startTestApp } from './harness/app.js';
import { until } from './harness/until.js';

interface Seen {
  kind: string;
  previousStatus: string | null;
  at: string;
  job: { id: string; status: string };
}

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

/** A jobEvents subscriber on `app` for one target prefix's jobs (ADD); resolves once the instance has it. */
async function subscribe(app: App, token: string, seen: Seen[]): Promise<void> {
  const c = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(c);
  const before = app.bus.subscriberCount('job');
  c.subscribe<{ jobEvents: Seen }>(
    { query: 'subscription { jobEvents(filter: { operations: [ADD] }) { kind previousStatus at job { id status } } }' },
    { next: (r) => r.data && seen.push(r.data.jobEvents), error: () => undefined, complete: () => undefined },
  );
  await until('subscribed', () => app.bus.subscriberCount('job') > before, 20_000, 20);
}

const changes = (seen: Seen[], id: string) =>
  seen
    .filter((e) => e.job.id === id && e.kind === 'STATUS_CHANGED')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((e) => `${e.previousStatus}>${e.job.status}`);

const CLAIM = 'mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } } }';
const PROGRESS = 'mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { userErrors { code } } }';
const COMPLETE = 'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { userErrors { code } } }';
const JOB = 'query($id: ID!) { job(id: $id) { status attempts log { actor message status } } }';

test('an instance that recorded changes but died before publishing them: the relay on another instance publishes each once, with its decision time', async () => {
  // Loops off on both: the test runs B's relay itself (relayEvents), so it knows when it had its chance.
  const env = { EVENT_RELAY_GRACE_MS: '50' };
  const { app: a, token, jwks } = await startAppWithIssuer({ file: import.meta.url, env, appOptions: { background: false } });
  const b = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url, name: a.name, env, appOptions: { background: false } });
  const [submitter, worker, viewer] = await Promise.all([token(['SUBMITTER'], 'sue'), token(['WORKER'], 'bot'), token(['VIEWER'], 'vic')]);
  const seen: Seen[] = [];
  await subscribe(b, viewer, seen);
  const [id] = await createJobs(b.url, submitter, [{ target: 'RELAY_DEAD_PUBLISHER', operation: 'ADD' }]);

  // A stops publishing (as if killed right after each record): its claim and stage change reach MongoDB only.
  await a.bus.close();
  const claim = await gql<{ jobClaim: { lease: { token: string; job: { id: string } } } }>(a.url, CLAIM, { i: { workerId: 'relay-w', operations: ['ADD'] } }, worker);
  expect(claim.body.data!.jobClaim.lease.job.id).toBe(id);
  const leaseToken = claim.body.data!.jobClaim.lease.token;
  const moved = await gql<{ jobReportProgress: { userErrors: unknown[] } }>(a.url, PROGRESS, { i: { id, leaseToken, status: 'VALIDATING', progress: 0.5 } }, worker);
  expect(moved.body.data!.jobReportProgress.userErrors).toEqual([]);
  expect(changes(seen, id!)).toEqual([]);

  // B's relay publishes both, oldest first, once their grace has passed.
  let relayed = 0;
  await until('both relayed', async () => (relayed += await b.services.lifecycle.relayEvents()) >= 2, 20_000, 20);
  expect(relayed).toBe(2);
  await until('both received', () => changes(seen, id!).length === 2, 20_000, 20);
  expect(changes(seen, id!)).toEqual(['QUEUED>INITIATED', 'INITIATED>VALIDATING']);

  // The job ends through B (the normal path): published by B, once; a relay pass then finds nothing to send.
  const done = await gql<{ jobComplete: { userErrors: unknown[] } }>(b.url, COMPLETE, { i: { id, leaseToken } }, worker);
  expect(done.body.data!.jobComplete.userErrors).toEqual([]);
  expect(await b.services.lifecycle.relayEvents()).toBe(0);
  // A later event from B (a new job: CREATED) is the sign that everything B published before it has arrived.
  const [sentinel] = await createJobs(b.url, submitter, [{ target: 'RELAY_DEAD_PUBLISHER_SENTINEL', operation: 'ADD' }]);
  await until('the sentinel', () => seen.some((e) => e.job.id === sentinel && e.kind === 'CREATED'), 20_000, 20);
  expect(changes(seen, id!)).toEqual(['QUEUED>INITIATED', 'INITIATED>VALIDATING', 'VALIDATING>COMPLETED']);
  // Relayed events carry the decisions' times: ordered by `at`, they come before the completion.
  const ats = seen.filter((e) => e.job.id === id && e.kind === 'STATUS_CHANGED').map((e) => Date.parse(e.at));
  expect([...ats].sort((x, y) => x - y)).toEqual(ats);
  expect((await b.queue.pendingEvents(0, 10)).events).toEqual([]);
}, 120_000);

test('an instance that decided a claim but died before recording it: the relay records the claim from the queue, then publishes it', async () => {
  const env = { EVENT_RELAY_GRACE_MS: '50' };
  const { app, token } = await startAppWithIssuer({ file: import.meta.url, env, appOptions: { background: false } });
  const [submitter, viewer] = await Promise.all([token(['SUBMITTER'], 'sue'), token(['VIEWER'], 'vic')]);
  const seen: Seen[] = [];
  await subscribe(app, viewer, seen);
  const [id] = await createJobs(app.url, submitter, [{ target: 'RELAY_DEAD_RECORDER', operation: 'ADD', maxAttempts: 4 }]);

  // The dying instance: its queue decides the claim (Lua), then nothing is recorded, answered or published.
  const ghost = new RedisQueue({ redis: app.redis, prefix: app.config.redisKeyPrefix, leaseMs: 60_000 });
  const claimed = await ghost.claim({ workerId: 'ghost-worker', operations: ['ADD'] });
  expect(claimed.jobs.map((j) => j.id)).toEqual([id]);
  const before = await gql<{ job: { status: string; attempts: number } }>(app.url, JOB, { id }, viewer);
  expect(before.body.data!.job).toMatchObject({ status: 'QUEUED', attempts: 0 });

  await until('relayed', async () => (await app.services.lifecycle.relayEvents()) === 1, 20_000, 20);
  await until('received', () => changes(seen, id!).length === 1, 20_000, 20);
  expect(changes(seen, id!)).toEqual(['QUEUED>INITIATED']);
  const after = await gql<{ job: { status: string; attempts: number; log: Array<{ actor: string; message: string; status: string | null }> } }>(app.url, JOB, { id }, viewer);
  expect(after.body.data!.job).toMatchObject({ status: 'INITIATED', attempts: 1 });
  expect(after.body.data!.job.log.at(-1)).toEqual({ actor: 'ghost-worker', message: 'claimed (attempt 1 of 4)', status: 'INITIATED' });
  await ghost.close();
}, 120_000);

test('the normal path, with a relay racing it every few milliseconds on a second instance: every status change delivered exactly once', async () => {
  const { app: a, token, jwks } = await startAppWithIssuer({ file: import.meta.url, env: { EVENT_RELAY_GRACE_MS: '2' } });
  const b = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url, name: a.name, env: { EVENT_RELAY_GRACE_MS: '2' } });
  const [submitter, workerToken, viewer] = await Promise.all([token(['SUBMITTER'], 'sue'), token(['WORKER'], 'bot'), token(['VIEWER'], 'vic')]);
  const seen: Seen[] = [];
  await subscribe(b, viewer, seen);
  const total = 12;
  const ids = await createJobs(a.url, submitter, Array.from({ length: total }, (_, i) => ({ target: `RELAY_RACE_${i}`, operation: 'ADD' })));
  const handler: JobHandler = async (_job, ctx) => {
    await ctx.reportProgress({ status: 'VALIDATING', progress: 0.3 });
    await ctx.reportProgress({ status: 'IMPORTING', progress: 0.6 });
  };
  const worker = new JobWorker({ url: a.url, token: workerToken, workerId: 'relay-race', operations: ['ADD'], handler, waitSeconds: 1, concurrency: 4 });
  worker.start();
  try {
    await until('every job completed', () => ids.every((id) => changes(seen, id).includes('IMPORTING>COMPLETED')), 60_000, 50);
  } finally {
    await worker.stop();
  }
  // The sign that nothing more is on its way: the outbox is empty, and a later event published through A arrived.
  await until('the outbox empty', async () => (await a.queue.pendingEvents(0, 10)).events.length === 0, 20_000, 20);
  const [sentinel] = await createJobs(a.url, submitter, [{ target: 'RELAY_RACE_SENTINEL', operation: 'ADD' }]);
  await until('the sentinel', () => seen.some((e) => e.kind === 'CREATED' && e.job.id === sentinel), 20_000, 20);
  for (const id of ids) expect([id, changes(seen, id)]).toEqual([id, ['QUEUED>INITIATED', 'INITIATED>VALIDATING', 'VALIDATING>IMPORTING', 'IMPORTING>COMPLETED']]);
}, 120_000);

test("an instance whose subscription to Redis broke: once it is back, its subscribers get the status changes published meanwhile, once", async () => {
  const { app: a, token, jwks } = await startAppWithIssuer({ file: import.meta.url, appOptions: { background: false } });
  const b = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url, name: a.name, appOptions: { background: false } });
  const [submitter, worker, viewer] = await Promise.all([token(['SUBMITTER'], 'sue'), token(['WORKER'], 'bot'), token(['VIEWER'], 'vic')]);
  const seenA: Seen[] = [];
  const seenB: Seen[] = [];
  await subscribe(a, viewer, seenA);
  await subscribe(b, viewer, seenB);
  const [id] = await createJobs(a.url, submitter, [{ target: 'RELAY_BROKEN_SUBSCRIPTION', operation: 'ADD' }]);
  await until('B saw the creation', () => seenB.some((e) => e.job.id === id && e.kind === 'CREATED'), 20_000, 20);

  // B's connection to Redis for events drops (as when Redis restarts); the job runs through A meanwhile.
  const sub = (b.bus as unknown as { subscriber: { disconnect(): void; connect(): Promise<void> } }).subscriber;
  sub.disconnect();
  const claim = await gql<{ jobClaim: { lease: { token: string } } }>(a.url, CLAIM, { i: { workerId: 'relay-w2', operations: ['ADD'] } }, worker);
  const leaseToken = claim.body.data!.jobClaim.lease.token;
  await gql(a.url, PROGRESS, { i: { id, leaseToken, status: 'VALIDATING', progress: 0.5 } }, worker);
  await gql(a.url, COMPLETE, { i: { id, leaseToken } }, worker);
  const all = ['QUEUED>INITIATED', 'INITIATED>VALIDATING', 'VALIDATING>COMPLETED'];
  await until('A saw all three', () => changes(seenA, id!).length === 3, 20_000, 20);
  expect(changes(seenB, id!)).toEqual([]);

  // Back: B delivers the three from the outbox's list of published changes, in order of their decisions.
  await sub.connect();
  await until('B got the missed changes', () => changes(seenB, id!).length === 3, 20_000, 20);
  expect(changes(seenB, id!)).toEqual(all);
  // A later event through B's subscription is the sign that nothing more is coming: still one of each.
  const [sentinel] = await createJobs(a.url, submitter, [{ target: 'RELAY_BROKEN_SUBSCRIPTION_SENTINEL', operation: 'ADD' }]);
  await until('the sentinel', () => seenB.some((e) => e.kind === 'CREATED' && e.job.id === sentinel), 20_000, 20);
  expect(changes(seenB, id!)).toEqual(all);
  expect(changes(seenA, id!)).toEqual(all);
  // A replay of the same minute delivers nothing twice.
  expect(await b.services.lifecycle.replayRecent(60_000)).toBe(0);
}, 120_000);
