import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { createJobs as createJobsVia, gql, startAppWithIssuer } from './harness/app.js';
import type { RoleTokens } from './harness/jwks.js';
import { until } from './harness/until.js';
import { manyWorkersRun } from './scenarios/manyWorkers.js';

/**
 * Real workers (the project's worker client) over HTTP against a real service
 * on FerretDB and redis-server: exactly-once completion under concurrency,
 * and switches (maintenance, queue pause, disabled worker) that really stop new work.
 * Claims pick jobs by operation alone, so every test runs on an instance of its own
 * (own database and key prefix): no test sees another's jobs, in any order.
 */
let app: App;
let tokens: RoleTokens;

async function fresh(env: Record<string, string> = {}): Promise<void> {
  ({ app, tokens } = await startAppWithIssuer({ file: import.meta.url, env: { LEASE_SECONDS: '30', REAPER_INTERVAL_MS: '200', ...env } }));
}

// Each test's instance ends with it (close is safe twice; the harness closes what is left at the end of the file).
afterEach(async () => {
  await app?.close();
});

function createJobs(prefix: string, count: number, operation = 'ADD'): Promise<string[]> {
  return createJobsVia(app.url, tokens.submitter, Array.from({ length: count }, (_, i) => ({ target: `${prefix}_${i}`, operation })));
}

function worker(workerId: string, handler: JobHandler, extra: Partial<ConstructorParameters<typeof JobWorker>[0]> = {}): JobWorker {
  return new JobWorker({ url: app.url, token: tokens.worker, workerId, operations: ['ADD', 'CHANGE'], handler, waitSeconds: 2, progressEveryMs: 60_000, ...extra });
}

test('10 concurrent workers with 3 jobs in flight each (claims of several jobs, next job with each complete), 300 jobs: every job completed exactly once, none lost, never two holders at once', async () => {
  await fresh();
  await manyWorkersRun(app, tokens, { jobs: 300, workers: 10, concurrency: 3, timeoutMs: 60_000 });
}, 90_000);

describe('jobs in flight: concurrency, claims of several jobs, the next job with each complete', () => {
  test('concurrency 3 with 5 jobs waiting: one claim takes 3, never more than 3 run at once, the other 2 come with completes', async () => {
    await fresh();
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
      // The claim loop decides in the same turn that starts the three leases: by now it has either parked
      // until a slot frees or sent a wrongful second claim (counted as it is sent).
      expect(w.stats.claimCalls).toBe(1);
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
    await fresh();
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
    // The third is still there for the next worker.
    expect(await worker('stopnext-after', async () => undefined).runOnce()).toBe(third);
  });
});

describe('switches that really stop new work', () => {
  const MAINT = `mutation($i: MaintenanceSetInput!) { maintenanceSet(input: $i) { status { paused drained runningJobs } userErrors { code } } }`;
  const STATUS = `{ maintenanceStatus { paused drained runningJobs queuedJobs } }`;

  test('maintenance on: no claim after the switch, the running job finishes, drained turns true; off resumes', async () => {
    await fresh();
    const ids = await createJobs('MAINT', 4);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const refusals: Array<string | null> = [];
    const w = worker('maint-worker', async (job) => {
      seen.push(job.id);
      if (seen.length === 1) await gate; // the first job keeps running across the switch
    }, { concurrency: 1, onEvent: (e) => e.event === 'noJob' && refusals.push(e.reason) });
    w.start();
    try {
      await until('one job running', () => seen.length === 1);
      const on = await gql<{ maintenanceSet: { status: { paused: boolean; drained: boolean; runningJobs: number } } }>(app.url, MAINT, { i: { paused: true, message: 'deploy' } }, tokens.admin);
      expect(on.body.data!.maintenanceSet.status).toEqual({ paused: true, drained: false, runningJobs: 1 });
      release();
      await until('drained', async () => (await gql<{ maintenanceStatus: { drained: boolean } }>(app.url, STATUS, undefined, tokens.operator)).body.data!.maintenanceStatus.drained);
      // The positive sign: after its job ended, the worker asked for more and was refused.
      await until('a claim refused for MAINTENANCE', () => refusals.includes('MAINTENANCE'), 20_000, 20);
      expect(seen).toHaveLength(1);
      const status = (await gql<{ maintenanceStatus: { queuedJobs: number; runningJobs: number } }>(app.url, STATUS, undefined, tokens.operator)).body.data!.maintenanceStatus;
      expect(status).toMatchObject({ runningJobs: 0, queuedJobs: 3 });
      await gql(app.url, MAINT, { i: { paused: false, message: 'done' } }, tokens.admin);
      await until('all four ran', () => seen.length === 4);
      expect(new Set(seen)).toEqual(new Set(ids));
    } finally {
      release();
      await w.stop();
    }
  });

  test('queue paused: claims are refused with PAUSED until resumed', async () => {
    await fresh();
    const [id] = await createJobs('PAUSE', 1);
    const pause = await gql<{ queuePause: { queue: { paused: boolean } } }>(app.url, 'mutation { queuePause(input: {}) { queue { paused } } }', undefined, tokens.operator);
    expect(pause.body.data!.queuePause.queue.paused).toBe(true);
    const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } token } reason userErrors { code } } }`;
    const refused = await gql<{ jobClaim: { lease: null; reason: string } }>(app.url, CLAIM, { i: { workerId: 'direct', operations: ['ADD'] } }, tokens.worker);
    expect(refused.body.data!.jobClaim).toMatchObject({ lease: null, reason: 'PAUSED' });
    await gql(app.url, 'mutation { queueResume(input: {}) { queue { paused } } }', undefined, tokens.operator);
    const granted = await gql<{ jobClaim: { lease: { job: { id: string }; token: string } } }>(app.url, CLAIM, { i: { workerId: 'direct', operations: ['ADD'] } }, tokens.worker);
    expect(granted.body.data!.jobClaim.lease.job.id).toBe(id);
    const done = await gql<{ jobComplete: { job: { status: string } } }>(
      app.url,
      'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }',
      { i: { id, leaseToken: granted.body.data!.jobClaim.lease.token } },
      tokens.worker,
    );
    expect(done.body.data!.jobComplete.job.status).toBe('COMPLETED');
  });

  test('a disabled worker gets WORKER_DISABLED; another worker takes the job', async () => {
    await fresh();
    const [id] = await createJobs('DISABLED', 1);
    const HB = `mutation($i: WorkerHeartbeatInput!) { workerHeartbeat(input: $i) { disabled heartbeatIntervalSeconds userErrors { code } } }`;
    await gql(app.url, HB, { i: { workerId: 'bad-worker', status: 'IDLE', operations: ['ADD'] } }, tokens.worker);
    const dis = await gql<{ workerSetDisabled: { worker: { disabled: boolean } } }>(
      app.url,
      'mutation { workerSetDisabled(input: { workerId: "bad-worker", disabled: true }) { worker { disabled } userErrors { code } } }',
      undefined,
      tokens.operator,
    );
    expect(dis.body.data!.workerSetDisabled.worker.disabled).toBe(true);
    const hb = await gql<{ workerHeartbeat: { disabled: boolean } }>(app.url, HB, { i: { workerId: 'bad-worker', status: 'IDLE' } }, tokens.worker);
    expect(hb.body.data!.workerHeartbeat.disabled).toBe(true);
    const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } } reason } }`;
    const refused = await gql<{ jobClaim: { reason: string } }>(app.url, CLAIM, { i: { workerId: 'bad-worker', operations: ['ADD'] } }, tokens.worker);
    expect(refused.body.data!.jobClaim.reason).toBe('WORKER_DISABLED');
    const ran: string[] = [];
    const good = worker('good-worker', async (job) => {
      ran.push(job.id);
    });
    expect(await good.runOnce()).toBe(id);
    expect(ran).toEqual([id]);
    const list = await gql<{ workers: { nodes: Array<{ workerId: string; disabled: boolean; alive: boolean }> } }>(app.url, '{ workers(first: 100) { nodes { workerId disabled alive } } }', undefined, tokens.operator);
    expect(list.body.data!.workers.nodes).toEqual(expect.arrayContaining([{ workerId: 'bad-worker', disabled: true, alive: true }]));
  });

  test('cancellation reaches the running worker through its progress call', async () => {
    await fresh();
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
      tokens.operator,
    );
    expect(c.body.data!.jobCancel.job).toEqual({ status: 'INITIATED', cancelRequested: true });
    await run;
    expect(aborted).toBe('cancelled');
    expect((await app.services.jobs.byId(id!))!.status).toBe('CANCELLED');
  });
});

test('a long poll whose worker went away takes no job for it (the job stays for a live worker)', async () => {
  await fresh();
  const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } } reason } }`;
  const gone = new AbortController();
  const poll = fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.worker}` },
    body: JSON.stringify({ query: CLAIM, variables: { i: { workerId: 'gone-worker', operations: ['DELETE_ARCHIVE'], waitSeconds: 10 } } }),
    signal: gone.signal,
  }).catch((err: Error) => err.name);
  await until('the claim is in its long poll', () => app.queue.longPolls === 1, 10_000, 10);
  gone.abort();
  expect(await poll).toBe('AbortError');
  // The service saw the client go: the long poll ended without a job to hand out.
  await until('the long poll ended', () => app.queue.longPolls === 0, 10_000, 10);
  const [id] = await createJobs('GONE_POLL', 1, 'DELETE_ARCHIVE');
  const live = await gql<{ jobClaim: { lease: { job: { id: string } } | null } }>(app.url, CLAIM, { i: { workerId: 'live-worker', operations: ['DELETE_ARCHIVE'] } }, tokens.worker);
  expect(live.body.data!.jobClaim.lease?.job.id).toBe(id);
  const job = await gql<{ job: { status: string; attempts: number; worker: { workerId: string } | null } }>(app.url, 'query($id: ID!) { job(id: $id) { status attempts worker { workerId } } }', { id }, tokens.operator);
  expect(job.body.data!.job).toEqual({ status: 'INITIATED', attempts: 1, worker: null });
});

test('a long poll that began before the job existed returns that job', async () => {
  await fresh();
  const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { job { id } } reason } }`;
  const poll = gql<{ jobClaim: { lease: { job: { id: string } } | null; reason: string | null } }>(app.url, CLAIM, { i: { workerId: 'patient', operations: ['DELETE_ARCHIVE'], waitSeconds: 20 } }, tokens.worker);
  await until('the claim is in its long poll', () => app.queue.longPolls === 1, 10_000, 10);
  const [id] = await createJobs('LATE_JOB', 1, 'DELETE_ARCHIVE');
  expect((await poll).body.data!.jobClaim).toEqual({ lease: { job: { id } }, reason: null });
});

test('the background loop announces a worker whose heartbeats stopped (EXPIRED) within a quarter of its expiry time', async () => {
  const quick = await startAppWithIssuer({ file: import.meta.url, env: { CLIENT_EXPIRY_SECONDS: '2' } });
  const ops = quick.tokens.operator;
  const events: Array<{ kind: string; workerId: string; at: number }> = [];
  const ws = createClient({ url: `${quick.app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ops}` }, retryAttempts: 0 });
  const stop = ws.subscribe<{ workerEvents: { kind: string; workerId: string } }>(
    { query: 'subscription { workerEvents { kind workerId } }' },
    { next: (r) => r.data && events.push({ ...r.data.workerEvents, at: Date.now() }), error: () => undefined, complete: () => undefined },
  );
  try {
    await until('the subscription', () => quick.app.bus.subscriberCount('worker') > 0, 10_000, 20);
    const wt = quick.tokens.worker;
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
