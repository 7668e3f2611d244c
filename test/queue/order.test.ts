import type { Redis } from 'ioredis';
import { connectRedis, closeRedis } from '../../src/db/redis.js';
import { RedisQueue } from '../../src/queue/index.js';
import { backends } from '../harness/backends.js';
import { FakeClock, makeQueue, oid, T0, testPrefix } from './helpers.js';

/** Claim order, delayed jobs, operation filter, idempotent enqueue and the read-only views. */
describe('RedisQueue ordering and inspection', () => {
  let redis: Redis;
  let clock: FakeClock;
  let queue: RedisQueue;
  let prefix: string;

  beforeAll(async () => {
    redis = await connectRedis((await backends()).redisUrl, 'queue-order-test');
  });
  afterAll(async () => {
    await closeRedis(redis);
  });
  beforeEach(() => {
    clock = new FakeClock(T0 + 3_600_000);
    prefix = testPrefix();
    queue = makeQueue(redis, prefix, clock);
  });
  afterEach(async () => {
    await queue.close();
  });

  async function claimAll(operations: string[] = ['ADD', 'CHANGE', 'REMOVE']): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const r = await queue.claim({ workerId: 'w1', operations });
      if (!r.job) return ids;
      ids.push(r.job.id);
    }
  }

  test('higher priority first, then earlier runAt, then creation (id)', async () => {
    const a = oid(10, 1); // created first
    const b = oid(10, 2);
    const c = oid(5);
    const d = oid(20);
    const e = oid(30);
    // Inserted out of order on purpose: the queue, not insertion order, decides.
    await queue.enqueue({ id: e, operation: 'ADD', priority: 0, maxAttempts: 1 }); // runAt = creation (T0+30s)
    await queue.enqueue({ id: b, operation: 'CHANGE', priority: 0, runAt: T0 + 1_000, maxAttempts: 1 });
    await queue.enqueue({ id: d, operation: 'ADD', priority: 5, maxAttempts: 1 });
    await queue.enqueue({ id: a, operation: 'ADD', priority: 0, runAt: T0 + 1_000, maxAttempts: 1 });
    await queue.enqueue({ id: c, operation: 'REMOVE', priority: 0, runAt: T0 + 2_000, maxAttempts: 1 });

    const peeked = await queue.peek({ limit: 10 });
    expect(peeked.map((j) => j.id)).toEqual([d, a, b, c, e]);
    expect(await queue.oldestWaitingSince()).toBe(T0 + 1_000);
    expect(await claimAll()).toEqual([d, a, b, c, e]);
    expect(await queue.oldestWaitingSince()).toBeNull();
  });

  test('a delayed job is not claimable until the clock passes its runAt', async () => {
    const later = oid(1);
    const now = oid(2);
    await queue.enqueue({ id: later, operation: 'ADD', priority: 10, runAt: clock.now + 60_000, maxAttempts: 1 });
    await queue.enqueue({ id: now, operation: 'ADD', priority: 0, maxAttempts: 1 });
    expect((await queue.state(later)).state).toBe('delayed');
    expect(await queue.counts()).toMatchObject({ ready: 1, delayed: 1, leased: 0 });

    expect(await claimAll(['ADD'])).toEqual([now]);
    clock.advance(59_999);
    expect(await queue.claim({ workerId: 'w1', operations: ['ADD'] })).toMatchObject({ job: null, reason: 'EMPTY' });
    clock.advance(1);
    const r = await queue.claim({ workerId: 'w1', operations: ['ADD'] });
    expect(r.job).toMatchObject({ id: later, attempt: 1, leaseExpiresAt: clock.now + 10_000 });
  });

  test('a claimer only gets the operations it accepts; unknown operations are refused', async () => {
    await queue.enqueue({ id: oid(1), operation: 'BUMP', maxAttempts: 1 });
    await queue.enqueue({ id: oid(2), operation: 'SET_STATUS', maxAttempts: 1 });
    expect(await claimAll(['ADD', 'SET_STATUS'])).toEqual([oid(2)]);
    expect(await claimAll(['ADD'])).toEqual([]);
    expect(await claimAll(['BUMP'])).toEqual([oid(1)]);
    await expect(queue.claim({ workerId: 'w1', operations: ['NOPE'] })).rejects.toThrow('unknown operation NOPE');
  });

  test('enqueue is idempotent for ready, delayed and leased ids', async () => {
    expect(await queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 3 })).toEqual({ code: 'OK', state: 'ready' });
    expect(await queue.enqueue({ id: oid(1), operation: 'CHANGE', priority: 9, maxAttempts: 3 })).toEqual({ code: 'ALREADY_QUEUED', state: 'ready' });
    expect(await queue.enqueue({ id: oid(2), operation: 'ADD', runAt: clock.now + 1, maxAttempts: 3 })).toEqual({ code: 'OK', state: 'delayed' });
    expect(await queue.enqueue({ id: oid(2), operation: 'ADD', maxAttempts: 3 })).toEqual({ code: 'ALREADY_QUEUED', state: 'delayed' });
    const r = await queue.claim({ workerId: 'w1', operations: ['ADD'] });
    expect(r.job?.id).toBe(oid(1));
    expect(await queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 3 })).toEqual({ code: 'ALREADY_LEASED', state: 'leased' });
    expect(await queue.counts()).toMatchObject({ ready: 0, delayed: 1, leased: 1, readyByOperation: { ADD: 0, CHANGE: 0 } });
    // The first enqueue's fields stand.
    expect(await queue.state(oid(1))).toMatchObject({ operation: 'ADD', priority: 0, maxAttempts: 3, attempt: 1 });
  });

  test('invalid input is refused before Redis is touched', async () => {
    await expect(queue.enqueue({ id: oid(1), operation: 'ADD', priority: 1001, maxAttempts: 1 })).rejects.toThrow('priority');
    await expect(queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 0 })).rejects.toThrow('maxAttempts');
    await expect(queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 2, attempt: 2 })).rejects.toThrow('attempt');
    expect(await queue.has(oid(1))).toBe(false);
  });

  test('peek pages in claim order, ready (and due delayed) first, then delayed by runAt', async () => {
    await queue.enqueue({ id: oid(1), operation: 'ADD', runAt: clock.now + 5_000, maxAttempts: 1 });
    await queue.enqueue({ id: oid(2), operation: 'ADD', runAt: clock.now + 1_000, maxAttempts: 1 });
    await queue.enqueue({ id: oid(3), operation: 'CHANGE', maxAttempts: 1 });
    await queue.enqueue({ id: oid(4), operation: 'ADD', priority: 1, maxAttempts: 1 });
    await queue.enqueue({ id: oid(5), operation: 'CHANGE', runAt: clock.now + 2_000, maxAttempts: 1 });

    const ids = async (input: Parameters<RedisQueue['peek']>[0]): Promise<string[]> => (await queue.peek(input)).map((j) => j.id);
    expect(await ids({ limit: 10 })).toEqual([oid(4), oid(3), oid(2), oid(5), oid(1)]);
    expect(await ids({ offset: 1, limit: 2 })).toEqual([oid(3), oid(2)]);
    expect(await ids({ operations: ['ADD'], limit: 10 })).toEqual([oid(4), oid(2), oid(1)]);
    expect(await ids({ operations: ['CHANGE'], offset: 1, limit: 10 })).toEqual([oid(5)]);

    // Once due (not yet promoted by a claim), a delayed job takes its place among the ready ones.
    clock.advance(2_000);
    const peeked = await queue.peek({ limit: 10 });
    expect(peeked.map((j) => j.id)).toEqual([oid(4), oid(3), oid(2), oid(5), oid(1)]);
    expect(peeked.map((j) => j.state)).toEqual(['ready', 'ready', 'delayed', 'delayed', 'delayed']);
    // oid(3) has waited since its creation (its runAt defaults to the ObjectId's time).
    expect(await queue.oldestWaitingSince()).toBe(T0 + 3_000);
  });

  test('remove takes a queued job out; a leased one keeps its lease and is flagged for cancellation', async () => {
    await queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 3 });
    await queue.enqueue({ id: oid(2), operation: 'ADD', runAt: clock.now + 1_000, maxAttempts: 3 });
    await queue.enqueue({ id: oid(3), operation: 'CHANGE', maxAttempts: 3 });
    const leased = await queue.claim({ workerId: 'w1', operations: ['CHANGE'] });
    if (!leased.job) throw new Error('expected a job');

    expect(await queue.remove(oid(1))).toEqual({ code: 'REMOVED', state: 'ready' });
    expect(await queue.remove(oid(2))).toEqual({ code: 'REMOVED', state: 'delayed' });
    expect(await queue.remove(oid(3))).toEqual({ code: 'CANCEL_REQUESTED', state: 'leased' });
    expect(await queue.remove(oid(9))).toEqual({ code: 'NOT_FOUND', state: 'absent' });
    expect(await queue.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 1 });
    expect(await queue.extend(oid(3), leased.job.token)).toMatchObject({ ok: true, cancelRequested: true });
    expect(await queue.leaseOf(oid(3))).toMatchObject({ token: leased.job.token, workerId: 'w1', cancelRequested: true, attempt: 1 });
    // A cancelled job is not retried even when the failure is retryable.
    expect(await queue.fail(oid(3), leased.job.token, { retryable: true })).toEqual({ ok: true, outcome: 'FAILED', attempt: 1, reason: 'CANCELLED' });
    expect(await queue.state(oid(3))).toEqual({ id: oid(3), state: 'absent' });
  });

  test('clear removes every ready and delayed job, in batches, and leaves leases alone', async () => {
    const small = makeQueue(redis, testPrefix(), clock, { clearBatch: 7 });
    const ids = Array.from({ length: 30 }, (_, i) => oid(i));
    for (const [i, id] of ids.entries()) {
      await small.enqueue({ id, operation: i % 2 ? 'ADD' : 'REMOVE', runAt: i % 3 ? undefined : clock.now + 1_000, maxAttempts: 1 });
    }
    const leased = await small.claim({ workerId: 'w1', operations: ['ADD'] });
    const removed = await small.clear();
    expect(removed.sort()).toEqual(ids.filter((id) => id !== leased.job?.id).sort());
    expect(await small.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 1 });
    expect(await small.knownIds()).toEqual([leased.job?.id]);
    expect(await small.clear()).toEqual([]);
    await small.close();
  });

  test('reconciler helpers: has, knownIds, leaseOf; a flushed queue is rebuilt by re-enqueueing', async () => {
    await queue.enqueue({ id: oid(1), operation: 'ADD', maxAttempts: 2 });
    await queue.enqueue({ id: oid(2), operation: 'ADD', runAt: clock.now + 1_000, maxAttempts: 2 });
    await queue.enqueue({ id: oid(3), operation: 'CHANGE', maxAttempts: 2 });
    const r = await queue.claim({ workerId: 'w7', operations: ['CHANGE'] });
    expect((await queue.knownIds()).sort()).toEqual([oid(1), oid(2), oid(3)]);
    expect(await queue.has(oid(2))).toBe(true);
    expect(await queue.has(oid(4))).toBe(false);
    expect(await queue.leaseOf(oid(1))).toBeNull();
    expect(await queue.leaseOf(oid(3))).toEqual({
      token: r.job!.token, workerId: 'w7', leaseExpiresAt: clock.now + 10_000, leasedAt: clock.now, cancelRequested: false, attempt: 1,
    });

    // Lose every key of this prefix (as FLUSHALL would), then re-enqueue what "Mongo" says is queued.
    const keys = await redis.keys(`${prefix}*`);
    await redis.del(...keys);
    expect(await queue.knownIds()).toEqual([]);
    const mongoQueued = [oid(1), oid(2)];
    for (const id of mongoQueued) if (!(await queue.has(id))) await queue.enqueue({ id, operation: 'ADD', maxAttempts: 2, attempt: 1 });
    expect((await queue.knownIds()).sort()).toEqual(mongoQueued);
    const again = await queue.claim({ workerId: 'w1', operations: ['ADD'] });
    expect(again.job).toMatchObject({ id: oid(1), attempt: 2 });
  });
});
