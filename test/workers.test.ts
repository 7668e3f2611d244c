import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { createJobs as createJobsVia, gql, startAppWithIssuer } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * Real workers (the project's worker client) over HTTP against a real service
 * on FerretDB and redis-server: exactly-once completion under concurrency,
 * and switches (maintenance, queue pause, disabled worker) that really stop new work.
 */
let app: App;
let token: (roles: string[], sub?: string) => Promise<string>;
let submitter: string;
let operator: string;
let admin: string;
let workerToken: string;

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, env: { LEASE_SECONDS: '30', REAPER_INTERVAL_MS: '200' } });
  app = started.app;
  token = started.token;
  submitter = await token(['SUBMITTER'], 'sue');
  operator = await token(['OPERATOR'], 'olga');
  admin = await token(['ADMIN'], 'alice');
  workerToken = await token(['WORKER'], 'worker-bot');
});

function createJobs(prefix: string, count: number, operation = 'ADD'): Promise<string[]> {
  return createJobsVia(app.url, submitter, Array.from({ length: count }, (_, i) => ({ target: `${prefix}_${i}`, operation })));
}

function worker(workerId: string, handler: JobHandler, extra: Partial<ConstructorParameters<typeof JobWorker>[0]> = {}): JobWorker {
  return new JobWorker({ url: app.url, token: workerToken, workerId, operations: ['ADD', 'CHANGE'], handler, waitSeconds: 2, progressEveryMs: 60_000, ...extra });
}

async function statusCounts(): Promise<Record<string, number>> {
  const res = await gql<{ queue: { counts: Array<{ status: string; count: number }> } }>(app.url, '{ queue { counts { status count } } }', undefined, operator);
  return Object.fromEntries(res.body.data!.queue.counts.map((c) => [c.status, c.count]));
}

test('20 concurrent workers with 3 jobs in flight each (claims of several jobs, next job with each complete), 2,000 jobs: every job completed exactly once, none lost, never two holders at once', async () => {
  const ids = await createJobs('MANY', 2000);
  const runs = new Map<string, number>();
  const inFlight = new Set<string>();
  let overlaps = 0;
  const handler: JobHandler = async (job) => {
    if (inFlight.has(job.id)) overlaps++;
    inFlight.add(job.id);
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    await new Promise((r) => setImmediate(r));
    inFlight.delete(job.id);
  };
  const batches: number[] = [];
  const workers = Array.from({ length: 20 }, (_, i) =>
    worker(`many-${i}`, handler, { concurrency: 3, onEvent: (e) => e.event === 'claimed' && e.via === 'claim' && batches.push(e.batch) }),
  );
  const started = Date.now();
  workers.forEach((w) => w.start());
  try {
    // Polls the workers' own counters: a status count would scan the collection on FerretDB.
    await until('all 2000 completed', () => workers.reduce((n, w) => n + w.stats.completed, 0) >= 2000, 840_000);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const seconds = (Date.now() - started) / 1000;
  expect(overlaps).toBe(0);
  expect(runs.size).toBe(2000);
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
  expect(ids.every((id) => runs.has(id))).toBe(true);
  expect(workers.reduce((n, w) => n + w.stats.completed, 0)).toBe(2000);
  // Both new paths ran: a jobClaim that handed out several leases, and leases that came with a complete.
  expect(Math.max(...batches)).toBeGreaterThan(1);
  expect(workers.reduce((n, w) => n + w.stats.claimedNext, 0)).toBeGreaterThan(0);
  const counts = await statusCounts();
  expect(counts.QUEUED).toBe(0);
  expect(await app.mongo.collection('jobs').countDocuments({ status: 'COMPLETED', attempts: 1, target: { $regex: '^MANY_' } })).toBe(2000);
  process.stdout.write(`2,000 jobs by 20 workers in ${seconds.toFixed(1)} s (${(2000 / seconds).toFixed(0)} jobs/s)\n`);
}, 900_000);

describe('jobs in flight: concurrency, claims of several jobs, the next job with each complete', () => {
  test('concurrency 3 with 5 jobs waiting: one claim takes 3, never more than 3 run at once, the other 2 come with completes', async () => {
    const ids = await createJobs('SLOTS', 5);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    let maxInFlight = 0;
    const ran: string[] = [];
    const claimed: Array<{ id: string; via: string; batch: number }> = [];
    const w = worker(
      'slots-worker',
      async (job) => {
        ran.push(job.id);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await gate;
        inFlight--;
      },
      { concurrency: 3, onEvent: (e) => e.event === 'claimed' && claimed.push({ id: e.id, via: e.via, batch: e.batch }) },
    );
    w.start();
    try {
      await until('three running', () => inFlight === 3);
      await new Promise((r) => setTimeout(r, 300)); // room for a wrongful fourth
      expect(claimed).toEqual(ids.slice(0, 3).map((id) => ({ id, via: 'claim', batch: 3 })));
      release();
      await until('all five completed', () => w.stats.completed === 5);
    } finally {
      release();
      await w.stop();
    }
    expect(maxInFlight).toBe(3);
    expect(ran.sort()).toEqual([...ids].sort());
    expect(claimed.slice(3)).toEqual(expect.arrayContaining(ids.slice(3).map((id) => ({ id, via: 'claimNext', batch: 1 }))));
    expect(w.stats).toMatchObject({ claimed: 5, claimedNext: 2, completed: 5, failed: 0, leaseLost: 0 });
  });

  test('stop() while a complete is bringing the next job: that job is run to the end, no further job is asked for', async () => {
    const [first, second, third] = await createJobs('STOPNEXT', 3);
    const ran: string[] = [];
    let stopping: Promise<void> | undefined;
    const w: JobWorker = worker('stopnext-worker', async (job) => {
      ran.push(job.id);
      await new Promise((r) => setTimeout(r, 50));
      // Stop right after this handler returns: its complete, asking for the next job, is then on its way.
      if (job.id === first) setImmediate(() => (stopping = w.stop()));
    });
    w.start();
    await until('stop() called', () => stopping !== undefined, 10_000, 10);
    await stopping;
    expect(ran).toEqual([first, second]);
    expect(w.stats).toMatchObject({ claimed: 2, claimedNext: 1, completed: 2, failed: 0 });
    expect((await app.services.jobs.byId(second!))!.status).toBe('COMPLETED');
    expect((await app.services.jobs.byId(third!))!.status).toBe('QUEUED');
    // Leave nothing queued for the tests after this one.
    expect(await worker('stopnext-after', async () => undefined).runOnce()).toBe(third);
  });
});

describe('switches that really stop new work', () => {
  const MAINT = `mutation($i: MaintenanceSetInput!) { maintenanceSet(input: $i) { status { paused drained runningJobs } userErrors { code } } }`;
  const STATUS = `{ maintenanceStatus { paused drained runningJobs queuedJobs } }`;

  test('maintenance on: no claim after the switch, the running job finishes, drained turns true; off resumes', async () => {
    const ids = await createJobs('MAINT', 4);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const w = worker('maint-worker', async (job) => {
      seen.push(job.id);
      if (seen.length === 1) await gate; // the first job keeps running across the switch
    }, { concurrency: 1 });
    w.start();
    try {
      await until('one job running', () => seen.length === 1);
      const on = await gql<{ maintenanceSet: { status: { paused: boolean; drained: boolean; runningJobs: number } } }>(app.url, MAINT, { i: { paused: true, message: 'deploy' } }, admin);
      expect(on.body.data!.maintenanceSet.status).toEqual({ paused: true, drained: false, runningJobs: 1 });
      release();
      await until('drained', async () => (await gql<{ maintenanceStatus: { drained: boolean } }>(app.url, STATUS, undefined, operator)).body.data!.maintenanceStatus.drained);
      await new Promise((r) => setTimeout(r, 500)); // room for a wrongful claim
      expect(seen).toHaveLength(1);
      const status = (await gql<{ maintenanceStatus: { queuedJobs: number; runningJobs: number } }>(app.url, STATUS, undefined, operator)).body.data!.maintenanceStatus;
      expect(status).toMatchObject({ runningJobs: 0, queuedJobs: 3 });
      await gql(app.url, MAINT, { i: { paused: false, message: 'done' } }, admin);
      await until('all four ran', () => seen.length === 4);
      expect(new Set(seen)).toEqual(new Set(ids));
    } finally {
      release();
      await w.stop();
      await gql(app.url, MAINT, { i: { paused: false, message: 'test cleanup' } }, admin);
    }
  });

  test('queue paused: claims are refused with PAUSED until resumed', async () => {
    const [id] = await createJobs('PAUSE', 1);
    const pause = await gql<{ queuePause: { queue: { paused: boolean } } }>(app.url, 'mutation { queuePause(input: {}) { queue { paused } } }', undefined, operator);
    expect(pause.body.data!.queuePause.queue.paused).toBe(true);
    const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } token } reason userErrors { code } } }`;
    const refused = await gql<{ jobClaim: { lease: null; reason: string } }>(app.url, CLAIM, { i: { workerId: 'direct', operations: ['ADD'] } }, workerToken);
    expect(refused.body.data!.jobClaim).toMatchObject({ lease: null, reason: 'PAUSED' });
    await gql(app.url, 'mutation { queueResume(input: {}) { queue { paused } } }', undefined, operator);
    const granted = await gql<{ jobClaim: { lease: { job: { id: string }; token: string } } }>(app.url, CLAIM, { i: { workerId: 'direct', operations: ['ADD'] } }, workerToken);
    expect(granted.body.data!.jobClaim.lease.job.id).toBe(id);
    const done = await gql<{ jobComplete: { job: { status: string } } }>(
      app.url,
      'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }',
      { i: { id, leaseToken: granted.body.data!.jobClaim.lease.token } },
      workerToken,
    );
    expect(done.body.data!.jobComplete.job.status).toBe('COMPLETED');
  });

  test('a disabled worker gets WORKER_DISABLED; another worker takes the job', async () => {
    const [id] = await createJobs('DISABLED', 1);
    const HB = `mutation($i: WorkerHeartbeatInput!) { workerHeartbeat(input: $i) { disabled heartbeatIntervalSeconds userErrors { code } } }`;
    await gql(app.url, HB, { i: { workerId: 'bad-worker', status: 'IDLE', operations: ['ADD'] } }, workerToken);
    const dis = await gql<{ workerSetDisabled: { worker: { disabled: boolean } } }>(
      app.url,
      'mutation { workerSetDisabled(input: { workerId: "bad-worker", disabled: true }) { worker { disabled } userErrors { code } } }',
      undefined,
      operator,
    );
    expect(dis.body.data!.workerSetDisabled.worker.disabled).toBe(true);
    const hb = await gql<{ workerHeartbeat: { disabled: boolean } }>(app.url, HB, { i: { workerId: 'bad-worker', status: 'IDLE' } }, workerToken);
    expect(hb.body.data!.workerHeartbeat.disabled).toBe(true);
    const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } } reason } }`;
    const refused = await gql<{ jobClaim: { reason: string } }>(app.url, CLAIM, { i: { workerId: 'bad-worker', operations: ['ADD'] } }, workerToken);
    expect(refused.body.data!.jobClaim.reason).toBe('WORKER_DISABLED');
    const ran: string[] = [];
    const good = worker('good-worker', async (job) => {
      ran.push(job.id);
    });
    expect(await good.runOnce()).toBe(id);
    expect(ran).toEqual([id]);
    const list = await gql<{ workers: { nodes: Array<{ workerId: string; disabled: boolean; alive: boolean }> } }>(app.url, '{ workers(first: 100) { nodes { workerId disabled alive } } }', undefined, operator);
    expect(list.body.data!.workers.nodes).toEqual(expect.arrayContaining([{ workerId: 'bad-worker', disabled: true, alive: true }]));
  });

  test('cancellation reaches the running worker through its progress call', async () => {
    const [id] = await createJobs('CANCEL_RUNNING', 1);
    let aborted: unknown;
    const w = worker('cancel-worker', async (_job, ctx) => {
      for (let i = 0; i < 200 && !ctx.signal.aborted; i++) {
        await ctx.reportProgress({ progress: i / 200 });
        await new Promise((r) => setTimeout(r, 25));
      }
      aborted = ctx.signal.reason;
      throw new Error('stopped on request');
    });
    const run = w.runOnce();
    await until('running', async () => (await app.services.jobs.byId(id!))?.status === 'INITIATED');
    const c = await gql<{ jobCancel: { job: { status: string; cancelRequested: boolean } } }>(
      app.url,
      'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status cancelRequested } userErrors { code } } }',
      { i: { id, reason: 'operator says stop' } },
      operator,
    );
    expect(c.body.data!.jobCancel.job).toEqual({ status: 'INITIATED', cancelRequested: true });
    await run;
    expect(aborted).toBe('cancelled');
    expect((await app.services.jobs.byId(id!))!.status).toBe('CANCELLED');
  });
});

test('a long poll whose worker went away takes no job for it (the job stays for a live worker)', async () => {
  const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } } reason } }`;
  const gone = new AbortController();
  const poll = fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${workerToken}` },
    body: JSON.stringify({ query: CLAIM, variables: { i: { workerId: 'gone-worker', operations: ['DELETE_ARCHIVE'], waitSeconds: 10 } } }),
    signal: gone.signal,
  }).catch((err: Error) => err.name);
  await new Promise((r) => setTimeout(r, 500)); // the claim is waiting for work now
  gone.abort();
  expect(await poll).toBe('AbortError');
  await new Promise((r) => setTimeout(r, 200));
  const [id] = await createJobs('GONE_POLL', 1, 'DELETE_ARCHIVE');
  await new Promise((r) => setTimeout(r, 500));
  const job = await gql<{ job: { status: string; worker: { workerId: string } | null } }>(app.url, 'query($id: ID!) { job(id: $id) { status worker { workerId } } }', { id }, operator);
  expect(job.body.data!.job).toEqual({ status: 'QUEUED', worker: null });
  const live = await gql<{ jobClaim: { lease: { job: { id: string } } | null } }>(app.url, CLAIM, { i: { workerId: 'live-worker', operations: ['DELETE_ARCHIVE'] } }, workerToken);
  expect(live.body.data!.jobClaim.lease?.job.id).toBe(id);
});

test('the background loop announces a worker whose heartbeats stopped (EXPIRED) within a quarter of its expiry time', async () => {
  const quick = await startAppWithIssuer({ file: import.meta.url, env: { CLIENT_EXPIRY_SECONDS: '2' } });
  const ops = await quick.token(['OPERATOR'], 'olga');
  const events: Array<{ kind: string; workerId: string; at: number }> = [];
  const ws = createClient({ url: `${quick.app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ops}` }, retryAttempts: 0 });
  const stop = ws.subscribe<{ workerEvents: { kind: string; workerId: string } }>(
    { query: 'subscription { workerEvents { kind workerId } }' },
    { next: (r) => r.data && events.push({ ...r.data.workerEvents, at: Date.now() }), error: () => undefined, complete: () => undefined },
  );
  try {
    await until('the subscription', () => quick.app.bus.subscriberCount('worker') > 0, 10_000, 20);
    const wt = await quick.token(['WORKER'], 'bot');
    // Taken before the request: the service stamps the heartbeat at or after this moment, never before.
    const beatAt = Date.now();
    const beat = await gql(quick.app.url, 'mutation { workerHeartbeat(input: { workerId: "quiet-1", status: IDLE }) { userErrors { code } } }', undefined, wt);
    expect(beat.body.errors).toBeUndefined();
    await until('the EXPIRED event', () => events.some((e) => e.kind === 'EXPIRED'), 10_000, 20);
    const expired = events.find((e) => e.kind === 'EXPIRED')!;
    expect(expired.workerId).toBe('quiet-1');
    // Expiry 2 s, checked every 0.5 s: never early, and late by about one check (the bound is generous for a busy machine).
    expect(expired.at - beatAt).toBeGreaterThanOrEqual(2_000);
    expect(expired.at - beatAt).toBeLessThan(8_000);
    expect(events.map((e) => e.kind)).toEqual(['REGISTERED', 'EXPIRED']);
    process.stdout.write(`worker expiry: EXPIRED told ${expired.at - beatAt} ms after the last heartbeat (expiry 2,000 ms, checked every 500 ms)\n`);
  } finally {
    stop();
    await ws.dispose();
  }
});
