import { setTimeout as delay } from 'node:timers/promises';
import { JobWorker, LeaseLostError, type JobHandler, type JobOperation, type WorkerEvent, type WorkerLogger } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, uniqueName, type GqlResponse } from './harness/app.js';
import { backends, onFileEnd } from './harness/backends.js';
import { makeKey, signToken, startJwksServer, type TestKey } from './harness/jwks.js';
import { startRestartableRedis, whyNotRestartable } from './harness/redisProcess.js';
import { startServiceProcess, whyNoBuiltService, type ServiceProcess } from './harness/serviceProcess.js';
import { until } from './harness/until.js';

/**
 * Faults with real processes: instances of the built service (`node dist/src/main.js`) as child
 * processes sharing one database and one Redis key prefix, killed with SIGKILL; the redis-server
 * restarted empty under load; and a batch of 1,000 items on 1,000 existing targets.
 * No mocks: FerretDB (or MONGODB_URI) and redis-server are real, and so are the workers (JobWorker).
 */

/** Short leases and fast loops, so a dead instance's leases are reaped within seconds. */
const FAST = {
  LEASE_SECONDS: '3',
  REAPER_INTERVAL_MS: '200',
  RECONCILE_INTERVAL_MS: '1000',
  RETRY_BACKOFF_BASE_MS: '100',
  RETRY_BACKOFF_MAX_MS: '400',
  HEARTBEAT_INTERVAL_SECONDS: '2',
};

let key: TestKey;
let jwksUrl: string;
const token = (roles: string[], sub: string) => signToken(key, { roles, sub });

beforeAll(async () => {
  key = await makeKey('faults-key', 'ES256');
  const jwks = await startJwksServer([key]);
  onFileEnd(() => jwks.close());
  jwksUrl = jwks.url;
});

interface JobView {
  id: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  log: Array<{ actor: string; message: string; status: string | null }>;
}

const JOBS_PAGE = `query($after: String) { jobs(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id status attempts maxAttempts log { actor message status } } } }`;

/** Every job of the database, with its log. */
async function allJobs(url: string, bearer: string): Promise<Map<string, JobView>> {
  const jobs = new Map<string, JobView>();
  let after: string | null = null;
  for (;;) {
    const res: GqlResponse<{ jobs: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: JobView[] } }> = await gql(url, JOBS_PAGE, { after }, bearer);
    expect(res.body.errors).toBeUndefined();
    for (const j of res.body.data!.jobs.nodes) jobs.set(j.id, j);
    if (!res.body.data!.jobs.pageInfo.hasNextPage) return jobs;
    after = res.body.data!.jobs.pageInfo.endCursor;
  }
}

const ACTIVE = `{ jobs(filter: { active: true }, first: 20) { totalCount nodes { id status attempts maxAttempts log { actor message status } } } }`;

/**
 * Waits until no job is active (seen through `url`). On a timeout the error carries the jobs still
 * active, with their logs, and the error lines of the instances, so a stuck job can be diagnosed.
 */
async function untilAllEnded(url: string, bearer: string, instances: ServiceProcess[], timeoutMs: number): Promise<void> {
  let last: { totalCount: number; nodes: JobView[] } | undefined;
  try {
    await until(
      'every job ended',
      async () => {
        const res = await gql<{ jobs: { totalCount: number; nodes: JobView[] } }>(url, ACTIVE, undefined, bearer);
        if (res.body.errors) return false;
        last = res.body.data!.jobs;
        return last.totalCount === 0;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    const jobs = (last?.nodes ?? []).map((j) => `${j.id} ${j.status} attempts ${j.attempts}/${j.maxAttempts}: ${j.log.map((e) => `[${e.actor}] ${e.message}`).join(' | ')}`);
    const errors = instances.flatMap((p, i) => errorLines(p).slice(-5).map((l) => `instance ${i}: ${l.slice(0, 600)}`));
    throw new Error(`${(err as Error).message}: ${last?.totalCount ?? '?'} still active\n${jobs.join('\n')}\n${errors.join('\n')}`);
  }
}

/**
 * What a job's log must say about its attempts: one "claimed (attempt k of n)" line for each
 * k in 1..attempts, and exactly one COMPLETED entry. Returns the problems found (empty: none).
 */
function logProblems(job: JobView): string[] {
  const problems: string[] = [];
  const claimed = job.log.map((e) => /^claimed \(attempt (\d+) of (\d+)\)$/.exec(e.message)).filter((m) => m !== null).map((m) => Number(m![1]));
  const expected = Array.from({ length: job.attempts }, (_, i) => i + 1);
  if (JSON.stringify([...claimed].sort((a, b) => a - b)) !== JSON.stringify(expected)) {
    problems.push(`${job.id}: attempts ${job.attempts} but claimed lines for attempts [${claimed.join(',')}]`);
  }
  // Exactly one COMPLETED line: a write's lines go in with its record, so a completion the killed instance decided
  // but never recorded has none, and the line of its repair ("recorded COMPLETED (the first record of it was lost)",
  // by the reconciler or the event relay) is the only one.
  const completed = job.log.filter((e) => e.status === 'COMPLETED');
  if (job.status === 'COMPLETED' && completed.length !== 1) problems.push(`${job.id}: ${completed.length} COMPLETED log entries`);
  if (problems.length) problems.push(`  log of ${job.id}: ${job.log.map((e) => `[${e.actor}${e.status ? ` ${e.status}` : ''}] ${e.message}`).join(' | ')}`);
  return problems;
}

/** Per-job counters of worker events, plus the warnings the workers logged. */
class Tally {
  readonly claims = new Map<string, number>();
  readonly completions = new Map<string, number>();
  readonly claimedAt = new Map<string, number>();
  readonly leaseLost: string[] = [];
  readonly refused: WorkerEvent[] = [];
  readonly failed: WorkerEvent[] = [];
  readonly warnings: string[] = [];

  onEvent = (e: WorkerEvent): void => {
    if (e.event === 'claimed') {
      this.claims.set(e.id, (this.claims.get(e.id) ?? 0) + 1);
      if (!this.claimedAt.has(e.id)) this.claimedAt.set(e.id, Date.now());
    } else if (e.event === 'completed') {
      this.completions.set(e.id, (this.completions.get(e.id) ?? 0) + 1);
    } else if (e.event === 'leaseLost') {
      this.leaseLost.push(e.id);
    } else if (e.event === 'refused') {
      this.refused.push(e);
    } else if (e.event === 'failed') {
      this.failed.push(e);
    }
  };

  logger: WorkerLogger = {
    info: () => undefined,
    warn: (fields, message) => void this.warnings.push(`${message} ${JSON.stringify(fields)}`),
    error: (fields, message) => void this.warnings.push(`${message} ${JSON.stringify(fields)}`),
  };

  get completed(): number {
    let n = 0;
    for (const c of this.completions.values()) n += c;
    return n;
  }
}

/** Error-level (pino level ≥ 50) lines an instance logged. */
function errorLines(p: ServiceProcess): string[] {
  return p
    .output()
    .split('\n')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return false;
      }
    });
}

async function stopAll(workers: JobWorker[], instances: ServiceProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => w.stop({ graceful: false, timeoutMs: 2_000 })));
  await Promise.all(instances.map((p) => p.kill('SIGTERM')));
}

const builtReason = whyNoBuiltService();

test('an instance killed with SIGKILL while three share one database and Redis: every job completes once, logs agree with attempts, no instance blocks another', async () => {
  if (builtReason) throw new Error(builtReason);
  const JOBS = 150;
  const { mongoUri, redisUrl } = await backends();
  const name = uniqueName(import.meta.url);
  const instances = await Promise.all([0, 1, 2].map(() => startServiceProcess({ name, mongoUri, redisUrl, jwksUrl, env: FAST })));
  const [victim, ...survivors] = instances as [ServiceProcess, ServiceProcess, ServiceProcess];
  const admin = await token(['ADMIN'], 'ops');
  const workerToken = await token(['WORKER'], 'bot');

  const tally = new Tally();
  const running = [0, 0, 0];
  const handlerFor =
    (i: number): JobHandler =>
    async (_job, ctx) => {
      running[i]!++;
      try {
        await ctx.reportProgress({ status: 'VALIDATING', progress: 0.25, message: 'validating' });
        await delay(40 + Math.random() * 80, undefined, { signal: ctx.signal });
        await ctx.reportProgress({ status: 'IMPORTING', progress: 0.75 });
        await delay(40 + Math.random() * 80, undefined, { signal: ctx.signal });
      } finally {
        running[i]!--;
      }
    };
  // Each worker talks to one instance only. The victim's workers keep retrying their dead URL (claims
  // back off, complete/fail give up after a few tries): their jobs must be reaped by the other instances.
  const workers = instances.map(
    (p, i) =>
      new JobWorker({
        url: p.url,
        token: workerToken,
        workerId: `kill-w${i}`,
        operations: ['ADD'],
        concurrency: 4,
        waitSeconds: 2,
        progressEveryMs: 1_000,
        handler: handlerFor(i),
        onEvent: tally.onEvent,
        logger: tally.logger,
      }),
  );
  try {
    const ids = await createJobs(survivors[0].url, admin, Array.from({ length: JOBS }, (_, i) => ({ target: `KILL_${i}`, operation: 'ADD', maxAttempts: 5 })));
    await Promise.all(workers.map((w) => w.start()));

    await until('a third of the jobs completed while the victim runs jobs', () => tally.completed >= JOBS / 3 && running[0]! > 0, 60_000, 10).catch((err: Error) => {
      // A dist/ older than the worker client (a call the built service refuses) ends here: say what the workers saw.
      throw new Error(`${err.message} (${tally.completed} completed; workers said: ${tally.warnings.slice(-3).join(' / ').slice(0, 1500)})`);
    });
    const completedAtKill = tally.completed;
    const victimRunning = running[0];
    const killedAt = Date.now();
    await victim.kill('SIGKILL');

    await untilAllEnded(survivors[0].url, admin, instances, 60_000);
    const drainMs = Date.now() - killedAt;
    const jobs = await allJobs(survivors[1].url, admin);

    expect([...jobs.keys()].sort()).toEqual([...ids].sort());
    const notCompleted = [...jobs.values()].filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} attempts ${j.attempts}/${j.maxAttempts}`);
    expect(notCompleted).toEqual([]);
    const twiceByWorkers = [...tally.completions].filter(([, n]) => n > 1);
    expect(twiceByWorkers).toEqual([]);
    expect([...jobs.values()].flatMap(logProblems)).toEqual([]);
    // No instance waits on another's (dead) one: no lock errors, no refused complete/fail on the survivors.
    const lockErrors = instances.flatMap((p) => p.output().split('\n').filter((l) => /could not lock/i.test(l) || (/lock/i.test(l) && /"level":(5|6)0/.test(l))));
    expect(lockErrors).toEqual([]);
    expect(tally.refused).toEqual([]);

    const rerun = [...jobs.values()].filter((j) => j.attempts > 1).length;
    console.log(
      `[faults] SIGKILL of 1 of 3 instances: ${JOBS} jobs, ${completedAtKill} completed before the kill, victim ran ${victimRunning} at the kill; ` +
        `all ended ${drainMs} ms after it; ${rerun} ran again (attempts > 1); worker-side completions ${tally.completed}, ` +
        `lease-lost ${tally.leaseLost.length}; survivors' error log lines ${survivors.map((p) => errorLines(p).length).join('/')}`,
    );
  } finally {
    await stopAll(workers, instances);
  }
}, 90_000);

const redisReason = whyNotRestartable();
if (redisReason) console.warn(`[faults] skipping "Redis restarted empty under load": ${redisReason}`);

(redisReason ? test.skip : test)('Redis restarted empty under load: no job with a live lease runs twice or loses its lease, every job completes, idle long polls are woken (claims resume at once)', async () => {
  if (builtReason) throw new Error(builtReason);
  const LONG = 10;
  const redis = await startRestartableRedis();
  const { mongoUri } = await backends();
  const name = uniqueName(import.meta.url);
  const instances = await Promise.all([0, 1].map(() => startServiceProcess({ name, mongoUri, redisUrl: redis.url, jwksUrl, env: FAST })));
  const admin = await token(['ADMIN'], 'ops');
  const workerToken = await token(['WORKER'], 'bot');

  const tally = new Tally();
  const starts = new Map<string, number>();
  const reported = new Set<string>();
  const running = new Set<string>();
  let transientReportErrors = 0;
  // About 1.5 s of work with a report every 250 ms. A report that fails for a reason other than a lost
  // lease (Redis is down for a moment) is not a reason to give up the work: the next one extends the lease.
  const longHandler: JobHandler = async (job, ctx) => {
    starts.set(job.id, (starts.get(job.id) ?? 0) + 1);
    running.add(job.id);
    try {
      for (let step = 1; step <= 6; step++) {
        try {
          await ctx.reportProgress({ status: 'VALIDATING', progress: step / 7 });
          reported.add(job.id);
        } catch (err) {
          if (err instanceof LeaseLostError) throw err;
          transientReportErrors++;
        }
        await delay(250, undefined, { signal: ctx.signal });
      }
    } finally {
      running.delete(job.id);
    }
  };
  const make = (p: ServiceProcess, i: number, operations: JobOperation[], concurrency: number, waitSeconds: number, handler: JobHandler) =>
    new JobWorker({ url: p.url, token: workerToken, workerId: `flush-${operations[0]}-${i}`, operations, concurrency, waitSeconds, progressEveryMs: 1_000, handler, onEvent: tally.onEvent, logger: tally.logger });
  // Long jobs (ADD) on every instance, and idle claimers (CHANGE) in a long poll on every instance.
  const workers = [
    ...instances.map((p, i) => make(p, i, ['ADD'], 4, 2, longHandler)),
    ...instances.map((p, i) => make(p, i, ['CHANGE'], 1, 20, async () => undefined)),
  ];
  try {
    await Promise.all(workers.map((w) => w.start()));
    const longIds = await createJobs(instances[0]!.url, admin, Array.from({ length: LONG }, (_, i) => ({ target: `FLUSH_${i}`, operation: 'ADD' })));
    await until('six long jobs running and reporting', () => [...running].filter((id) => reported.has(id)).length >= 6, 30_000, 10);
    const live = [...running];

    const logged = instances.map((p) => p.output().length);
    // Down for half a second: reports and claims in that time fail, not only wait in ioredis' offline queue.
    const backAt = await redis.restartEmpty(500);
    const afterIds = await createJobs(instances[1]!.url, admin, [{ target: 'FLUSH_AFTER_0', operation: 'CHANGE' }, { target: 'FLUSH_AFTER_1', operation: 'CHANGE' }]);
    await until('a job queued after the restart is claimed', () => afterIds.some((id) => tally.claimedAt.has(id)), 30_000, 5);
    const resumeMs = Math.min(...afterIds.filter((id) => tally.claimedAt.has(id)).map((id) => tally.claimedAt.get(id)! - backAt));

    await untilAllEnded(instances[0]!.url, admin, instances, 45_000);
    const jobs = await allJobs(instances[1]!.url, admin);
    const all = [...longIds, ...afterIds];
    expect([...jobs.keys()].sort()).toEqual([...all].sort());
    expect([...jobs.values()].filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status}`)).toEqual([]);
    // A live lease survives the loss: its job started once, was never requeued, and its worker never heard LEASE_LOST.
    expect(longIds.filter((id) => starts.get(id) !== 1).map((id) => `${id} started ${starts.get(id) ?? 0} times${live.includes(id) ? ' (live at the restart)' : ''}`)).toEqual([]);
    expect(tally.leaseLost).toEqual([]);
    expect(tally.refused).toEqual([]);
    expect([...tally.completions].filter(([, n]) => n > 1)).toEqual([]);
    expect([...jobs.values()].filter((j) => j.attempts !== 1).map((j) => `${j.id} attempts ${j.attempts}`)).toEqual([]);
    expect([...jobs.values()].flatMap(logProblems)).toEqual([]);
    // The restart did empty Redis: one instance found the epoch marker gone and restored the queue.
    const restoredBy = instances.filter((p, i) => /restored from MongoDB/.test(p.output().slice(logged[i]))).length;
    expect(restoredBy).toBe(1);
    console.log(
      `[faults] Redis restarted empty with ${live.length} live leases: first claim of a job queued after the restart ${resumeMs} ms after Redis answered; ` +
        `${transientReportErrors} progress reports failed during the outage; restored by ${restoredBy} of ${instances.length} instances`,
    );
    // Claims resume because the idle claimers were woken (by the new jobs' wake messages, or by their subscription
    // coming back), not because their 20 s long polls ran out: the figure above is the speed, this the mechanism.
    expect(resumeMs).toBeLessThan(10_000);
  } finally {
    await stopAll(workers, instances);
  }
}, 90_000);

test('1,000 items on 1,000 existing targets: one jobsCreate gives every item its job within 60 s', async () => {
  const { app, token: sign } = await startAppWithIssuer({ file: import.meta.url });
  const admin = await sign(['ADMIN'], 'ops');
  const items = Array.from({ length: 1000 }, (_, i) => ({ target: `BULK_${i}`, operation: 'ADD' }));
  const first = await createJobs(app.url, admin, items);
  expect(first).toHaveLength(1000);
  const cleared = await gql<{ queueClear: { cancelledCount: number; userErrors: unknown[] } }>(
    app.url,
    'mutation { queueClear(input: { reason: "make room" }) { cancelledCount userErrors { code } } }',
    undefined,
    admin,
  );
  expect(cleared.body.errors).toBeUndefined();
  expect(cleared.body.data!.queueClear).toEqual({ cancelledCount: 1000, userErrors: [] });

  const started = Date.now();
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ query: 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { index job { id status } error { code message } } } }', variables: { i: { items } } }),
    signal: AbortSignal.timeout(60_000),
  }).catch((err: unknown) => {
    throw new Error(`jobsCreate of 1,000 items on existing targets did not answer within 60 s (${String(err)})`);
  });
  const body = (await res.json()) as { data?: { jobsCreate: { results: Array<{ index: number; job: { id: string; status: string } | null; error: { code: string } | null }> } }; errors?: unknown[] };
  const ms = Date.now() - started;
  expect(body.errors).toBeUndefined();
  const results = body.data!.jobsCreate.results;
  expect(results).toHaveLength(1000);
  expect(results.filter((r) => r.error || !r.job || r.job.status !== 'QUEUED')).toEqual([]);
  expect(new Set(results.map((r) => r.job!.id)).size).toBe(1000);
  expect(results.some((r) => first.includes(r.job!.id))).toBe(false);
  console.log(`[faults] jobsCreate of 1,000 items on 1,000 existing targets: ${ms} ms`);
}, 90_000);
