import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from '../../src/db/redis.js';
import { backoffDelay, type ClaimedJob, type RedisQueue } from '../../src/queue/index.js';
import { backends } from '../harness/backends.js';
import { FakeClock, makeQueue, oid, T0, testPrefix } from './helpers.js';

/** Leases, fencing, switches, retries and the reaper against a real redis-server. */
describe('RedisQueue leases', () => {
  const connections: Redis[] = [];
  let redis: Redis;
  let clock: FakeClock;
  let prefix: string;
  const queues: RedisQueue[] = [];

  function queueOn(r: Redis, extra: Parameters<typeof makeQueue>[3] = {}): RedisQueue {
    const q = makeQueue(r, prefix, clock, extra);
    queues.push(q);
    return q;
  }

  async function claimOne(q: RedisQueue, workerId = 'w1', operations = ['ADD']): Promise<ClaimedJob> {
    const r = await q.claim({ workerId, operations });
    if (!r.job) throw new Error(`expected a job, got ${r.reason}`);
    return r.job;
  }

  beforeAll(async () => {
    const { redisUrl } = await backends();
    for (let i = 0; i < 5; i++) connections.push(await connectRedis(redisUrl, `queue-leases-test-${i}`));
    redis = connections[0]!;
  });
  afterAll(async () => {
    for (const c of connections) await closeRedis(c);
  });
  beforeEach(() => {
    clock = new FakeClock(T0 + 3_600_000);
    prefix = testPrefix();
  });
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.close();
  });

  test('20 concurrent claimers over 500 jobs: each job is claimed exactly once', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => oid(i % 60, i));
    const producer = queueOn(redis);
    await Promise.all(ids.map((id, i) => producer.enqueue({ id, operation: i % 3 ? 'ADD' : 'CHANGE', priority: i % 4, maxAttempts: 1 })));
    expect((await producer.counts()).ready).toBe(500);

    const claimers = Array.from({ length: 20 }, (_, i) => queueOn(connections[i % connections.length]!));
    const claimed = await Promise.all(
      claimers.map(async (q, i) => {
        const mine: ClaimedJob[] = [];
        for (;;) {
          const r = await q.claim({ workerId: `w${i}`, operations: ['ADD', 'CHANGE'] });
          if (!r.job) {
            expect(r.reason).toBe('EMPTY');
            return mine;
          }
          mine.push(r.job);
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(500);
    expect(new Set(all.map((j) => j.id)).size).toBe(500);
    expect(new Set(all.map((j) => j.token)).size).toBe(500);
    expect(claimed.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);
    expect(await producer.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 500 });

    const results = await Promise.all(claimed.flatMap((mine, i) => mine.map((j) => claimers[i]!.complete(j.id, j.token))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await producer.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 0 });
    expect(await producer.knownIds()).toEqual([]);
  });

  test('a reaped lease: its old token gets LEASE_LOST everywhere and changes nothing; tokens strictly increase', async () => {
    const q = queueOn(redis, { random: () => 0.5, backoff: { baseMs: 1_000, jitter: 0.2 } });
    await q.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 3 });
    const first = await claimOne(q);
    expect(first).toMatchObject({ attempt: 1, leaseExpiresAt: clock.now + 10_000 });

    // The holder extends: the lease moves and an early reaper takes nothing.
    clock.advance(9_000);
    expect(await q.extend(oid(1), first.token)).toEqual({ ok: true, leaseExpiresAt: clock.now + 10_000, cancelRequested: false });
    clock.advance(9_999);
    expect(await q.reapExpired(10)).toEqual([]);

    // Expired but not yet reaped: the holder may no longer extend.
    clock.advance(1);
    expect(await q.extend(oid(1), first.token)).toMatchObject({ ok: false, code: 'LEASE_LOST' });
    const reaped = await q.reapExpired(10);
    expect(reaped).toEqual([{ id: oid(1), outcome: 'REQUEUED', attempt: 1, workerId: 'w1', runAt: clock.now + 1_000 }]);
    const afterReap = await q.state(oid(1));
    expect(afterReap).toMatchObject({ state: 'delayed', attempt: 1, runAt: clock.now + 1_000 });

    for (const late of [
      q.extend(oid(1), first.token),
      q.complete(oid(1), first.token),
      q.fail(oid(1), first.token, { retryable: true }),
      q.fail(oid(1), first.token, { retryable: false }),
    ]) {
      expect(await late).toEqual({ ok: false, code: 'LEASE_LOST', message: expect.stringContaining('no longer held') });
    }
    expect(await q.state(oid(1))).toEqual(afterReap);

    clock.advance(1_000);
    const second = await claimOne(q, 'w2');
    expect(second.attempt).toBe(2);
    expect(second.token).toBeGreaterThan(first.token);
    expect(await q.complete(oid(1), first.token)).toMatchObject({ code: 'LEASE_LOST' });
    expect(await q.leaseOf(oid(1))).toMatchObject({ token: second.token, workerId: 'w2' });
    expect(await q.complete(oid(1), second.token)).toEqual({ ok: true, attempt: 2 });
    expect(await q.complete(oid(1), second.token)).toMatchObject({ code: 'LEASE_LOST' });

    // Fencing tokens keep increasing across jobs and workers.
    const tokens = [first.token, second.token];
    for (let i = 2; i < 6; i++) {
      await q.enqueue({ id: oid(i), operation: 'ADD', maxAttempts: 1 });
      tokens.push((await claimOne(q, `w${i}`)).token);
    }
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  test('the reaper: exhausted jobs are reported, limit is honoured, concurrent reapers never take a lease twice', async () => {
    const q = queueOn(redis);
    const other = queueOn(connections[1]!);
    for (let i = 0; i < 30; i++) await q.enqueue({ id: oid(i), operation: 'ADD', maxAttempts: i < 10 ? 1 : 2 });
    for (let i = 0; i < 30; i++) await claimOne(q, `w${i}`);
    clock.advance(10_000);

    const firstBatch = await q.reapExpired(4);
    expect(firstBatch).toHaveLength(4);
    const [a, b] = await Promise.all([q.reapExpired(100), other.reapExpired(100)]);
    expect(a.length + b.length).toBe(26);
    const all = [...firstBatch, ...a, ...b];
    expect(new Set(all.map((r) => r.id)).size).toBe(30);
    expect(await q.counts()).toMatchObject({ leased: 0, delayed: 20 });
    expect((await q.knownIds()).length).toBe(20);
    const exhausted = all.filter((r) => r.outcome === 'EXHAUSTED');
    expect(exhausted.map((r) => r.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => oid(i)));
    expect(exhausted.every((r) => r.runAt === undefined && r.attempt === 1)).toBe(true);
    expect(all.filter((r) => r.outcome === 'REQUEUED').every((r) => r.runAt !== undefined && r.runAt > clock.now)).toBe(true);
  });

  test('maintenance, pause and disabled workers refuse claims atomically; the job stays ready', async () => {
    const q = queueOn(redis);
    await q.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 1 });

    const cases: Array<[string, () => Promise<void>, () => Promise<void>, string]> = [
      ['MAINTENANCE', () => q.setMaintenance(true), () => q.setMaintenance(false), 'Maintenance'],
      ['PAUSED', () => q.setPaused(true), () => q.setPaused(false), 'paused'],
      ['WORKER_DISABLED', () => q.setWorkerDisabled('w1', true), () => q.setWorkerDisabled('w1', false), 'disabled'],
    ];
    for (const [reason, on, off, words] of cases) {
      await on();
      expect(await q.claim({ workerId: 'w1', operations: ['ADD'] })).toEqual({ job: null, reason, message: expect.stringContaining(words) });
      expect(await q.state(oid(1))).toMatchObject({ state: 'ready', attempt: 0 });
      await off();
    }
    expect(await q.flags()).toEqual({ maintenance: false, paused: false });

    await q.setMaintenance(true);
    await q.setPaused(true);
    expect(await q.isMaintenance()).toBe(true);
    expect(await q.flags()).toEqual({ maintenance: true, paused: true });
    await q.setMaintenance(false);
    expect((await q.claim({ workerId: 'w1', operations: ['ADD'] })).job).toBeNull();
    await q.setPaused(false);

    await q.setWorkerDisabled('w1', true);
    expect(await q.isWorkerDisabled('w1')).toBe(true);
    expect(await q.isWorkerDisabled('w2')).toBe(false);
    expect((await q.claim({ workerId: 'w2', operations: ['ADD'] })).job?.id).toBe(oid(1));
  });

  test('retries back off exponentially within the jitter bounds until attempts run out', async () => {
    const draws = [0, 0.999999, 0.5, 0.25, 0];
    const random = (): number => draws.shift() ?? 0.5;
    const backoff = { baseMs: 1_000, maxMs: 6_000, jitter: 0.5 };
    const q = queueOn(redis, { random, backoff });
    await q.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 5 });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const job = await claimOne(q);
      expect(job.attempt).toBe(attempt);
      const r = await q.fail(oid(1), job.token, { retryable: true });
      if (!r.ok || r.outcome !== 'RETRY_SCHEDULED') throw new Error(`unexpected ${JSON.stringify(r)}`);
      expect(r.attempt).toBe(attempt);
      const delay = r.runAt - clock.now;
      const nominal = Math.min(6_000, 1_000 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(delay).toBeLessThanOrEqual(nominal * 1.5);
      delays.push(delay);
      // Not claimable one ms early.
      clock.advance(delay - 1);
      expect((await q.claim({ workerId: 'w1', operations: ['ADD'] })).job).toBeNull();
      clock.advance(1);
    }
    expect(delays).toEqual([500, 3_000, 4_000, 4_500]); // 1000*0.5, 2000*1.5, 4000*1, min(8000,6000)*0.75
    const last = await claimOne(q);
    expect(last.attempt).toBe(5);
    expect(await q.fail(oid(1), last.token, { retryable: true })).toEqual({ ok: true, outcome: 'FAILED', attempt: 5, reason: 'EXHAUSTED' });
    expect(await q.has(oid(1))).toBe(false);

    await q.enqueue({ id: oid(2), operation: 'ADD', maxAttempts: 5 });
    const job = await claimOne(q);
    expect(await q.fail(oid(2), job.token, { retryable: false })).toEqual({ ok: true, outcome: 'FAILED', attempt: 1, reason: 'NOT_RETRYABLE' });
    expect(await q.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 0 });
  });

  test('backoffDelay: base * 2^(attempt-1), capped, then ±jitter', () => {
    const opts = { baseMs: 100, maxMs: 1_000, jitter: 0.1 };
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, opts, () => 0.5))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(3, opts, () => 0)).toBe(360);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(440);
    expect(backoffDelay(2_000, opts, () => 0.5)).toBe(1_000);
  });

  test('avoidWorkers: a retry never goes back to a worker that tried it', async () => {
    const q = queueOn(redis, { backoff: { baseMs: 1_000, jitter: 0 } });
    await q.enqueue({ id: oid(1), operation: 'ADD', priority: 5, maxAttempts: 3, avoidWorkers: true });
    await q.enqueue({ id: oid(2), operation: 'ADD', priority: 0, maxAttempts: 3 });
    const first = await claimOne(q, 'w1');
    expect(first.id).toBe(oid(1));
    await q.fail(oid(1), first.token, { retryable: true });
    clock.advance(1_000);

    // w1 skips the higher-priority job it already tried and gets the other one...
    expect((await claimOne(q, 'w1')).id).toBe(oid(2));
    // ...and, with only the avoided job left, gets nothing rather than a second go at it.
    expect(await q.claim({ workerId: 'w1', operations: ['ADD'] })).toMatchObject({ job: null, reason: 'EMPTY' });
    const second = await claimOne(q, 'w2');
    expect(second).toMatchObject({ id: oid(1), attempt: 2 });

    // The lease of w2 expires: the reaper requeues, and neither w1 nor w2 may take it.
    clock.advance(10_000);
    const reaped = await q.reapExpired(10);
    expect(reaped).toHaveLength(2);
    expect(reaped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: oid(2), outcome: 'REQUEUED', workerId: 'w1', attempt: 1 }),
        expect.objectContaining({ id: oid(1), outcome: 'REQUEUED', workerId: 'w2', attempt: 2 }),
      ]),
    );
    clock.advance(2_000);
    const w1 = await q.claim({ workerId: 'w1', operations: ['ADD'] });
    expect(w1.job?.id).toBe(oid(2)); // oid(2) has no avoidWorkers: w1 may retry it
    expect(await q.claim({ workerId: 'w2', operations: ['ADD'] })).toMatchObject({ job: null, reason: 'EMPTY' });
    expect((await claimOne(q, 'w3')).id).toBe(oid(1));
  });
});
