import { QueueResetError, type RedisQueue } from '../../src/queue/index.js';
import { claimOne, flushPrefix, oid, queued, T0, useQueueTest } from './helpers.js';

/** Claim order, delayed jobs, operation filter, idempotent hydrate and the read-only views. */
describe('RedisQueue ordering and inspection', () => {
  const t = useQueueTest('queue-order-test');
  let queue: RedisQueue;

  beforeEach(async () => {
    queue = await t.queue();
  });

  async function claimAll(operations: string[] = ['ADD', 'CHANGE', 'REMOVE']): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const r = await queue.claim({ workerId: 'w1', operations });
      if (r.jobs.length === 0) return ids;
      ids.push(...r.jobs.map((j) => j.id));
    }
  }

  test('higher priority first, then earlier runAt, then creation (id)', async () => {
    const a = oid(10, 1); // created first
    const b = oid(10, 2);
    const c = oid(5);
    const d = oid(20);
    const e = oid(30);
    // Hydrated out of order on purpose: the queue, not insertion order, decides.
    await queue.hydrate(queued(e, 'ADD')); // runAt = creation (T0+30s)
    await queue.hydrate(queued(b, 'CHANGE', { runAt: T0 + 1_000 }));
    await queue.hydrate(queued(d, 'ADD', { priority: 5 }));
    await queue.hydrate(queued(a, 'ADD', { runAt: T0 + 1_000 }));
    await queue.hydrate(queued(c, 'REMOVE', { runAt: T0 + 2_000 }));

    const peeked = await queue.peek({ limit: 10 });
    expect(peeked.map((j) => j.id)).toEqual([d, a, b, c, e]);
    expect(await queue.oldestWaitingSince()).toBe(T0 + 1_000);
    expect(await claimAll()).toEqual([d, a, b, c, e]);
    expect(await queue.oldestWaitingSince()).toBeNull();
  });

  test('a delayed job is not claimable until the clock passes its runAt', async () => {
    const later = oid(1);
    const now = oid(2);
    expect(await queue.hydrate(queued(later, 'ADD', { priority: 10, runAt: t.clock.now + 60_000 }))).toEqual({ code: 'OK', state: 'delayed' });
    await queue.hydrate(queued(now));
    expect((await queue.job(later))?.state).toBe('delayed');
    expect(await queue.counts()).toMatchObject({ ready: 1, delayed: 1, leased: 0 });

    expect(await claimAll(['ADD'])).toEqual([now]);
    t.clock.advance(59_999);
    expect(await queue.claim({ workerId: 'w1', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'EMPTY' });
    t.clock.advance(1);
    expect(await claimOne(queue)).toMatchObject({ id: later, attempt: 1, leaseExpiresAt: t.clock.now + 10_000 });
  });

  test('a claimer only gets the operations it accepts; unknown operations are refused', async () => {
    await queue.hydrate(queued(oid(1), 'BUMP'));
    await queue.hydrate(queued(oid(2), 'SET_STATUS'));
    expect(await claimAll(['ADD', 'SET_STATUS'])).toEqual([oid(2)]);
    expect(await claimAll(['ADD'])).toEqual([]);
    expect(await claimAll(['BUMP'])).toEqual([oid(1)]);
    await expect(queue.claim({ workerId: 'w1', operations: ['NOPE'] })).rejects.toThrow('unknown operation NOPE');
    await expect(queue.hydrate(queued(oid(3), 'NOPE'))).rejects.toThrow('unknown operation NOPE');
  });

  test('hydrate is idempotent for ready, delayed and leased ids: the first one stands', async () => {
    expect(await queue.hydrate(queued(oid(1), 'ADD', { maxAttempts: 3 }))).toEqual({ code: 'OK', state: 'ready' });
    expect(await queue.hydrate(queued(oid(1), 'CHANGE', { priority: 9, maxAttempts: 3, seq: 50 }))).toEqual({ code: 'ALREADY_QUEUED', state: 'ready' });
    expect(await queue.hydrate(queued(oid(2), 'ADD', { runAt: t.clock.now + 1, maxAttempts: 3 }))).toEqual({ code: 'OK', state: 'delayed' });
    expect(await queue.hydrate(queued(oid(2), 'ADD', { maxAttempts: 3 }))).toEqual({ code: 'ALREADY_QUEUED', state: 'delayed' });
    expect((await claimOne(queue)).id).toBe(oid(1));
    expect(await queue.hydrate(queued(oid(1), 'ADD', { maxAttempts: 3 }))).toEqual({ code: 'ALREADY_QUEUED', state: 'leased' });
    expect(await queue.counts()).toMatchObject({ ready: 0, delayed: 1, leased: 1, readyByOperation: { ADD: 0, CHANGE: 0 } });
    // The first hydrate's fields stand (priority 0: its ready score's band).
    expect(await queue.job(oid(1))).toMatchObject({ operation: 'ADD', maxAttempts: 3, attempt: 1, seq: 2 });
    expect(await t.redis.hget(queue.keys.job(oid(1)), 'band')).toBe(String(1000 * 2 ** 42));
  });

  test('invalid input is refused before Redis is touched', async () => {
    await expect(queue.hydrate(queued(oid(1), 'ADD', { priority: 1001 }))).rejects.toThrow('priority');
    await expect(queue.hydrate(queued(oid(1), 'ADD', { priority: 1.5 }))).rejects.toThrow('priority');
    await expect(queue.hydrate(queued(oid(1), 'ADD', { maxAttempts: 0 }))).rejects.toThrow('maxAttempts');
    await expect(queue.hydrate(queued(oid(1), 'ADD', { runAt: 2 ** 42 }))).rejects.toThrow('runAt');
    await expect(queue.hydrate(queued(oid(1), 'ADD', { state: 'leased', status: 'INITIATED' }))).rejects.toThrow('lease');
    await expect(queue.claim({ workerId: 'w1', operations: ['ADD'], max: 0 })).rejects.toThrow('max');
    expect(await queue.job(oid(1))).toBeNull();
    expect(await queue.ids()).toEqual(new Set());
  });

  test('peek pages in claim order, ready (and due delayed) first, then delayed by runAt', async () => {
    await queue.hydrate(queued(oid(1), 'ADD', { runAt: t.clock.now + 5_000 }));
    await queue.hydrate(queued(oid(2), 'ADD', { runAt: t.clock.now + 1_000 }));
    await queue.hydrate(queued(oid(3), 'CHANGE'));
    await queue.hydrate(queued(oid(4), 'ADD', { priority: 1 }));
    await queue.hydrate(queued(oid(5), 'CHANGE', { runAt: t.clock.now + 2_000 }));

    const ids = async (input: Parameters<RedisQueue['peek']>[0]): Promise<string[]> => (await queue.peek(input)).map((j) => j.id);
    expect(await ids({ limit: 10 })).toEqual([oid(4), oid(3), oid(2), oid(5), oid(1)]);
    expect(await ids({ offset: 1, limit: 2 })).toEqual([oid(3), oid(2)]);
    expect(await ids({ operations: ['ADD'], limit: 10 })).toEqual([oid(4), oid(2), oid(1)]);
    expect(await ids({ operations: ['CHANGE'], offset: 1, limit: 10 })).toEqual([oid(5)]);

    // Once due (not yet promoted by a claim), a delayed job takes its place among the ready ones.
    t.clock.advance(2_000);
    const peeked = await queue.peek({ limit: 10 });
    expect(peeked.map((j) => j.id)).toEqual([oid(4), oid(3), oid(2), oid(5), oid(1)]);
    expect(peeked.map((j) => j.state)).toEqual(['ready', 'ready', 'delayed', 'delayed', 'delayed']);
    // oid(3) has waited since its creation (its runAt defaults to the ObjectId's time).
    expect(await queue.oldestWaitingSince()).toBe(T0 + 3_000);
  });

  test('cancel ends a waiting job at once; a leased one keeps its lease and is flagged for cancellation', async () => {
    const active = ['QUEUED', 'INITIATED'];
    await queue.hydrate(queued(oid(1), 'ADD', { maxAttempts: 3 }));
    await queue.hydrate(queued(oid(2), 'ADD', { runAt: t.clock.now + 1_000, maxAttempts: 3 }));
    await queue.hydrate(queued(oid(3), 'CHANGE', { maxAttempts: 3 }));
    const leased = await claimOne(queue, 'w1', ['CHANGE']);

    expect(await queue.change(oid(1), { kind: 'cancel', allowedFrom: active })).toMatchObject({ code: 'OK', previousStatus: 'QUEUED', job: { state: 'ended', status: 'CANCELLED' } });
    expect(await queue.change(oid(2), { kind: 'cancel', allowedFrom: active })).toMatchObject({ code: 'OK', previousStatus: 'QUEUED', job: { state: 'ended', status: 'CANCELLED' } });
    expect(await queue.change(oid(3), { kind: 'cancel', allowedFrom: active })).toMatchObject({
      code: 'CANCEL_REQUESTED', previousStatus: 'INITIATED', job: { state: 'leased', status: 'INITIATED', cancelRequested: true },
    });
    expect(await queue.change(oid(9), { kind: 'cancel', allowedFrom: active })).toEqual({ code: 'NOT_FOUND' });
    expect(await queue.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 1 });
    expect(await queue.extend(oid(3), leased.token)).toMatchObject({ ok: true, job: { cancelRequested: true } });
    expect(await queue.job(oid(3))).toMatchObject({ token: leased.token, workerId: 'w1', cancelRequested: true, attempt: 1 });
    // A cancelled job is not retried even when the failure is retryable.
    expect(await queue.finish(oid(3), leased.token, { outcome: 'fail', retryable: true })).toMatchObject({ ok: true, outcome: 'CANCELLED', job: { attempt: 1 } });
    expect(await queue.job(oid(3))).toMatchObject({ state: 'ended', status: 'CANCELLED', token: null });
    expect(await queue.ids()).toEqual(new Set());
  });

  test('cancelling every waiting job page by page (what queueClear does) leaves leases alone', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => oid(i));
    for (const [i, id] of ids.entries()) await queue.hydrate(queued(id, i % 2 ? 'ADD' : 'REMOVE', { runAt: i % 3 ? undefined : t.clock.now + 1_000 }));
    const leased = await claimOne(queue);
    const cancelled: string[] = [];
    for (let page = await queue.peek({ limit: 7 }); page.length > 0; page = await queue.peek({ limit: 7 })) {
      for (const j of page) if ((await queue.change(j.id, { kind: 'cancel', allowedFrom: ['QUEUED'] })).code === 'OK') cancelled.push(j.id);
    }
    expect(cancelled.sort()).toEqual(ids.filter((id) => id !== leased.id).sort());
    expect(await queue.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 1 });
    expect(await queue.ids()).toEqual(new Set([leased.id]));
  });

  test('reconciler helpers: ids, job; a flushed queue is rebuilt by hydrating what MongoDB holds', async () => {
    await queue.hydrate(queued(oid(1), 'ADD', { maxAttempts: 2 }));
    await queue.hydrate(queued(oid(2), 'ADD', { runAt: t.clock.now + 1_000, maxAttempts: 2 }));
    await queue.hydrate(queued(oid(3), 'CHANGE', { maxAttempts: 2 }));
    const lease = await claimOne(queue, 'w7', ['CHANGE']);
    expect(await queue.ids()).toEqual(new Set([oid(1), oid(2), oid(3)]));
    expect(await queue.job(oid(4))).toBeNull();
    expect(await queue.job(oid(1))).toMatchObject({ state: 'ready', token: null, leaseExpiresAt: null, workerId: null });
    expect(await queue.job(oid(3))).toEqual({
      id: oid(3), state: 'leased', status: 'INITIATED', seq: 2, operation: 'CHANGE', runAt: T0 + 3_000, attempt: 1, maxAttempts: 2, avoidWorkers: false,
      cancelRequested: false, progress: 0, enqueuedAt: t.clock.now, workerId: 'w7', token: lease.token, leaseExpiresAt: t.clock.now + 10_000,
      leasedAt: t.clock.now, retriedBy: null,
    });

    // Lose every key of this prefix (as FLUSHALL would), then hydrate what "Mongo" says is queued.
    await flushPrefix(t.redis, t.prefix);
    expect(await queue.intact()).toBe(false);
    expect(await queue.ids()).toEqual(new Set());
    await expect(queue.claim({ workerId: 'w1', operations: ['ADD'] })).rejects.toThrow(QueueResetError);
    for (const id of [oid(1), oid(2)]) await queue.hydrate(queued(id, 'ADD', { maxAttempts: 2, attempt: 1 }));
    expect(await queue.markRestored(0, 'restored')).toBe(true);
    expect(await queue.ids()).toEqual(new Set([oid(1), oid(2)]));
    expect(await claimOne(queue)).toMatchObject({ id: oid(1), attempt: 2 });
  });
});
