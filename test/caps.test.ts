import { createJobs, gql, startAppWithIssuer, startTestApp, type UserErr } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * Concurrency caps and rate limits per operation (schema/caps.graphql), against a real service on FerretDB
 * and redis-server: enforced inside the claim script with 20 concurrent workers, no head-of-line blocking,
 * long polls woken when a slot frees, bad input, restore after Redis lost its data, repair of the running
 * counts, and a rate limit on an injected clock. Each test caps operations no other test uses.
 */
const LEASE = 'token job { id operation }';
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { ${LEASE} } leases { ${LEASE} } reason userErrors { code } } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id status } userErrors { code } } }`;
const CAP_SET = `mutation($i: ConcurrencyCapSetInput!) { concurrencyCapSet(input: $i) { cap { operation maxRunning maxStarts windowSeconds running startsInWindow updatedBy } userErrors { code message field } } }`;
const CAPS = `{ queue { caps { operation targetPrefix maxRunning maxStarts windowSeconds running startsInWindow } } }`;

interface Lease {
  token: string;
  job: { id: string; operation: string };
}
interface Cap {
  operation: string;
  targetPrefix?: string | null;
  maxRunning: number | null;
  maxStarts: number | null;
  windowSeconds: number | null;
  running: number;
  startsInWindow: number;
}

async function setup(clock?: { now: number }) {
  const started = await startAppWithIssuer({
    file: import.meta.url,
    appOptions: clock ? { clock: { now: () => clock.now }, background: false } : { background: false },
  });
  const tokens = {
    admin: await started.token(['ADMIN'], 'ada'),
    operator: await started.token(['OPERATOR'], 'olga'),
    submitter: await started.token(['SUBMITTER'], 'sue'),
    worker: await started.token(['WORKER'], 'bot'),
  };
  const app = started.app;
  const callAt = async <T>(url: string, query: string, variables: Record<string, unknown> | undefined, token: string): Promise<T> => {
    const res = await gql<Record<string, T>>(url, query, variables, token);
    expect(res.body.errors).toBeUndefined();
    return Object.values(res.body.data!)[0]!;
  };
  const call = <T>(query: string, variables: Record<string, unknown> | undefined, token: string) => callAt<T>(app.url, query, variables, token);
  const setCap = (i: Record<string, unknown>) => call<{ cap: Cap | null; userErrors: UserErr[] }>(CAP_SET, { i }, tokens.admin);
  const caps = async () => (await call<{ caps: Cap[] }>(CAPS, undefined, tokens.operator)).caps;
  const claim = (workerId: string, operations: string[], extra: Record<string, unknown> = {}, url = app.url) =>
    callAt<{ lease: Lease | null; leases: Lease[]; reason: string | null }>(url, CLAIM, { i: { workerId, operations, ...extra } }, tokens.worker);
  const complete = (lease: Lease, url = app.url) =>
    callAt<{ job: { status: string } | null; userErrors: UserErr[] }>(url, COMPLETE, { i: { id: lease.job.id, leaseToken: lease.token } }, tokens.worker);
  const jobs = (items: Array<Record<string, unknown>>) => createJobs(app.url, tokens.submitter, items);
  /** A second instance on the same database and Redis keys. */
  const second = () => startTestApp({ file: import.meta.url, jwksUrl: started.jwks.url, name: app.name, appOptions: { background: false } });
  return { app, tokens, call, setCap, caps, claim, complete, jobs, second };
}

test('a cap of 3 running ADD jobs holds with 20 concurrent workers on two instances (checked at every claim), while CHANGE jobs flow freely', async () => {
  const s = await setup();
  const other = await s.second();
  expect((await s.setCap({ operation: 'ADD', maxRunning: 3 })).userErrors).toEqual([]);
  const ADDS = 45;
  const CHANGES = 45;
  await s.jobs([
    ...Array.from({ length: ADDS }, (_, i) => ({ target: `CAP_ADD_${i}`, operation: 'ADD', priority: 10 })),
    ...Array.from({ length: CHANGES }, (_, i) => ({ target: `CAP_CHANGE_${i}`, operation: 'CHANGE' })),
  ]);
  // A worker counts an ADD job as running from the moment its claim answers until just before it sends its complete:
  // inside the time the queue counts it, so a sum above the cap would prove the cap broken.
  let addsHeld = 0;
  let maxAddsHeld = 0;
  let maxRunningSeen = 0;
  const claimOrder: string[] = [];
  let done = 0;
  const violations: string[] = [];
  const worker = async (k: number) => {
    while (done < ADDS + CHANGES) {
      const url = k % 2 === 0 ? s.app.url : other.url;
      const { lease } = await s.claim(`cap-w${k}`, ['ADD', 'CHANGE'], { waitSeconds: 1 }, url);
      if (!lease) continue;
      claimOrder.push(lease.job.operation);
      if (lease.job.operation === 'ADD') {
        addsHeld++;
        maxAddsHeld = Math.max(maxAddsHeld, addsHeld);
        if (addsHeld > 3) violations.push(`${addsHeld} ADD jobs held at once`);
      }
      // The count the claim script reads, right after this claim: never above the cap.
      const running = (await s.app.queue.capFill([{ operation: 'ADD', targetPrefix: null, maxRunning: 3, maxStarts: null, windowMs: null }])).get('ADD')!.running;
      maxRunningSeen = Math.max(maxRunningSeen, running);
      if (running > 3) violations.push(`the queue counted ${running} ADD jobs running`);
      await new Promise((r) => setTimeout(r, 15));
      if (lease.job.operation === 'ADD') addsHeld--;
      expect((await s.complete(lease, url)).job?.status).toBe('COMPLETED');
      done++;
    }
  };
  await Promise.all(Array.from({ length: 20 }, (_, k) => worker(k)));
  expect(violations).toEqual([]);
  expect(maxAddsHeld).toBe(3); // the cap was reached, so the check could have failed
  expect(maxRunningSeen).toBe(3);
  // ADD jobs come first by priority: without the cap every ADD would be claimed before any CHANGE.
  expect(claimOrder.indexOf('CHANGE')).toBeLessThan(claimOrder.lastIndexOf('ADD'));
  const completed = await s.app.mongo.collection('jobs').countDocuments({ status: 'COMPLETED' });
  expect(completed).toBe(ADDS + CHANGES);
  expect((await s.caps()).find((c) => c.operation === 'ADD')).toMatchObject({ maxRunning: 3, running: 0 });
}, 180_000);

test('a capped operation does not block others; a long poll on it is woken when a slot frees; bad input changes nothing', async () => {
  const s = await setup();
  // Bad input: each a userError with the field, nothing stored.
  const bad: Array<[Record<string, unknown>, string[]]> = [
    [{ operation: 'PATCH_METADATA', maxRunning: 0 }, ['input', 'maxRunning']],
    [{ operation: 'PATCH_METADATA', maxStarts: -1, windowSeconds: 10 }, ['input', 'maxStarts']],
    [{ operation: 'PATCH_METADATA', maxStarts: 5 }, ['input', 'windowSeconds']],
    [{ operation: 'PATCH_METADATA', maxRunning: 2, windowSeconds: 0 }, ['input', 'windowSeconds']],
    [{ operation: 'PATCH_METADATA' }, ['input']],
  ];
  for (const [input, field] of bad) {
    const r = await s.setCap(input);
    expect(r.cap).toBeNull();
    expect(r.userErrors.map((e) => [e.code, e.field])).toContainEqual(['INVALID_PARAMETERS', field]);
  }
  expect(await s.caps()).toEqual([]);
  const forbidden = await gql(s.app.url, CAP_SET, { i: { operation: 'PATCH_METADATA', maxRunning: 1 } }, s.tokens.operator);
  expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(await s.caps()).toEqual([]);

  const set = await s.setCap({ operation: 'PATCH_METADATA', maxRunning: 1 });
  expect(set).toEqual({ cap: { operation: 'PATCH_METADATA', maxRunning: 1, maxStarts: null, windowSeconds: null, running: 0, startsInWindow: 0, updatedBy: 'ada' }, userErrors: [] });
  const patches = await s.jobs(Array.from({ length: 3 }, (_, i) => ({ target: `HOL_PATCH_${i}`, operation: 'PATCH_METADATA', priority: 50 })));
  const statuses = await s.jobs(Array.from({ length: 2 }, (_, i) => ({ target: `HOL_STATUS_${i}`, operation: 'SET_STATUS', releaseStatus: 'DRAFT' })));

  const first = (await s.claim('hol-a', ['PATCH_METADATA', 'SET_STATUS'])).lease!;
  expect(first.job.id).toBe(patches[0]); // highest priority first
  // The capped operation's jobs still come first by priority, but the claim takes the other operation's.
  const batch = await s.claim('hol-b', ['PATCH_METADATA', 'SET_STATUS'], { maxJobs: 5 });
  expect(batch.leases.map((l) => l.job.id)).toEqual(statuses);
  expect((await s.caps())[0]).toMatchObject({ operation: 'PATCH_METADATA', running: 1 });

  // A long poll for the capped operation waits; the end of the running job wakes it with the next one.
  const polling = s.claim('hol-c', ['PATCH_METADATA'], { waitSeconds: 20 });
  await until('the poll waits', () => s.app.queue.longPolls === 1, 10_000, 10); // so the complete, not the claim itself, hands it the job
  expect((await s.complete(first)).job?.status).toBe('COMPLETED');
  const woke = await polling;
  expect(woke.lease?.job.id).toBe(patches[1]);

  // Removing the cap frees the rest at once.
  const removed = await s.call<{ removed: boolean }>(`mutation { concurrencyCapDelete(input: { operation: PATCH_METADATA }) { removed userErrors { code } } }`, undefined, s.tokens.admin);
  expect(removed.removed).toBe(true);
  expect((await s.claim('hol-d', ['PATCH_METADATA'])).lease?.job.id).toBe(patches[2]);
  const again = await s.call<{ removed: boolean; userErrors: UserErr[] }>(`mutation { concurrencyCapDelete(input: { operation: PATCH_METADATA }) { removed userErrors { code } } }`, undefined, s.tokens.admin);
  expect(again).toEqual({ removed: false, userErrors: [{ code: 'NOT_FOUND' }] });
}, 120_000);

test('after Redis lost its data the caps come back from MongoDB and the running count from the restored leases; a wrong count is repaired', async () => {
  const s = await setup();
  await s.setCap({ operation: 'DELETE_DRAFT', maxRunning: 2 });
  await s.jobs(Array.from({ length: 4 }, (_, i) => ({ target: `FLUSH_CAP_${i}`, operation: 'DELETE_DRAFT' })));
  const held = (await s.claim('flush-a', ['DELETE_DRAFT'], { maxJobs: 4 })).leases;
  expect(held).toHaveLength(2);

  // Drop this instance's keys (the Redis server is shared with other test files).
  const keys = await s.app.redis.keys(`${s.app.config.redisKeyPrefix}*`);
  await s.app.redis.del(...keys);
  expect(await s.app.queue.intact()).toBe(false);
  // The next decision restores the queue first: the cap and the two running jobs are back, so nothing more starts.
  expect((await s.claim('flush-b', ['DELETE_DRAFT'])).reason).toBe('EMPTY');
  expect((await s.caps())[0]).toMatchObject({ operation: 'DELETE_DRAFT', maxRunning: 2, running: 2 });

  // A count that drifted (here written by hand) is rebuilt from the leases by the reconciler.
  await s.app.redis.hset(s.app.queue.keys.running, 'DELETE_DRAFT', '0');
  await s.app.recovery.reconcileOnce();
  expect((await s.caps())[0]!.running).toBe(2);
  expect((await s.claim('flush-b', ['DELETE_DRAFT'])).reason).toBe('EMPTY');

  expect((await s.complete(held[0]!)).job?.status).toBe('COMPLETED');
  expect((await s.claim('flush-b', ['DELETE_DRAFT'])).lease).not.toBeNull();
}, 120_000);

test('a rate limit of 2 starts per 60 s (injected clock): the third start waits for the window, other operations do not', async () => {
  const clock = { now: Date.UTC(2031, 0, 1) };
  const s = await setup(clock);
  expect((await s.setCap({ operation: 'ROLLBACK_REMOVE', maxStarts: 2, windowSeconds: 60 })).userErrors).toEqual([]);
  const rollbacks = await s.jobs(Array.from({ length: 5 }, (_, i) => ({ target: `RATE_${i}`, operation: 'ROLLBACK_REMOVE' })));
  const archives = await s.jobs([{ target: 'RATE_FREE', operation: 'DELETE_ARCHIVE' }]);

  const first = await s.claim('rate-a', ['ROLLBACK_REMOVE'], { maxJobs: 5 });
  expect(first.leases.map((l) => l.job.id)).toEqual(rollbacks.slice(0, 2));
  for (const l of first.leases) await s.complete(l);
  clock.now += 30_000;
  // Nothing runs, but both starts are still in the window.
  expect((await s.claim('rate-a', ['ROLLBACK_REMOVE'])).reason).toBe('EMPTY');
  expect((await s.claim('rate-a', ['ROLLBACK_REMOVE', 'DELETE_ARCHIVE'])).lease?.job.id).toBe(archives[0]);
  expect((await s.caps())[0]).toMatchObject({ operation: 'ROLLBACK_REMOVE', maxStarts: 2, windowSeconds: 60, running: 0, startsInWindow: 2 });

  clock.now += 29_999;
  expect((await s.claim('rate-a', ['ROLLBACK_REMOVE'])).reason).toBe('EMPTY');
  clock.now += 1; // 60 s after the first two starts: they leave the window
  const second = await s.claim('rate-a', ['ROLLBACK_REMOVE'], { maxJobs: 5 });
  expect(second.leases.map((l) => l.job.id)).toEqual(rollbacks.slice(2, 4));
  expect((await s.caps())[0]).toMatchObject({ running: 2, startsInWindow: 2 });
}, 120_000);

test('a cap on a group of targets (a name prefix): its jobs wait while others of the same operation are claimed; restored after a flush', async () => {
  const s = await setup();
  const bad = await s.setCap({ operation: 'CHANGE', targetPrefix: 'grade', maxRunning: 1 });
  expect(bad.userErrors.map((e) => e.field)).toEqual([['input', 'targetPrefix']]);
  expect((await s.setCap({ operation: 'CHANGE', targetPrefix: 'GRADE_', maxRunning: 1 })).userErrors).toEqual([]);
  const [g1, g2] = await s.jobs([
    { target: 'GRADE_1', operation: 'CHANGE', priority: 10 },
    { target: 'GRADE_2', operation: 'CHANGE', priority: 10 },
  ]);
  const [other] = await s.jobs([{ target: 'OTHER_1', operation: 'CHANGE' }]);
  const first = (await s.claim('grp-a', ['CHANGE'])).lease!;
  expect(first.job.id).toBe(g1);
  // GRADE_2 comes first by priority but its group is full: the claim passes it over.
  const second = (await s.claim('grp-b', ['CHANGE'], { maxJobs: 5 })).leases;
  expect(second.map((l) => l.job.id)).toEqual([other]);
  expect((await s.caps()).map((c) => [c.operation, c.targetPrefix, c.running])).toEqual([['CHANGE', 'GRADE_', 1]]);

  // Redis loses its data: the restore counts the running GRADE_ job in its group again.
  const keys = await s.app.redis.keys(`${s.app.config.redisKeyPrefix}*`);
  await s.app.redis.del(...keys);
  expect((await s.claim('grp-c', ['CHANGE'])).reason).toBe('EMPTY');
  expect((await s.caps())[0]!.running).toBe(1);

  // A long poll waits (the only job left is in the full group) and is woken when the group's job ends.
  const polling = s.claim('grp-c', ['CHANGE'], { waitSeconds: 20 });
  await until('the poll waits', () => s.app.queue.longPolls === 1, 10_000, 10); // so the complete, not the claim itself, hands it the job
  expect((await s.complete(first)).job?.status).toBe('COMPLETED');
  expect((await polling).lease?.job.id).toBe(g2);
  const removed = await s.call<{ removed: boolean }>(`mutation { concurrencyCapDelete(input: { operation: CHANGE, targetPrefix: "GRADE_" }) { removed userErrors { code } } }`, undefined, s.tokens.admin);
  expect(removed.removed).toBe(true);
  expect(await s.caps()).toEqual([]);
}, 120_000);

test('a long poll on a rate-limited operation is woken when its window lets the next start through (real clock)', async () => {
  const s = await setup();
  expect((await s.setCap({ operation: 'REMOVE', maxStarts: 1, windowSeconds: 2 })).userErrors).toEqual([]);
  const [a, b] = await s.jobs([0, 1].map((i) => ({ target: `RATE_POLL_${i}`, operation: 'REMOVE', description: 'old' })));
  const first = await s.claim('rp-a', ['REMOVE']);
  expect(first.lease?.job.id).toBe(a);
  const second = await s.claim('rp-b', ['REMOVE'], { waitSeconds: 10 });
  expect(second.lease?.job.id).toBe(b);
  // The second start came no earlier than the window allowed (as the service recorded the starts).
  const started = await s.app.mongo.collection('jobs').find({ target: { $in: ['RATE_POLL_0', 'RATE_POLL_1'] } }, { projection: { target: 1, startedAt: 1 } }).sort({ target: 1 }).toArray();
  expect(started[1]!.startedAt.getTime() - started[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(2_000);
}, 60_000);
