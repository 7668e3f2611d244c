import { QueueResetError, type HydrateInput, type RedisQueue } from '../../src/queue/index.js';
import { claimOne, flushPrefix, oid, queued, useQueueTest } from './helpers.js';

/** Sequence numbers, hydrate that never overwrites, tombstones, and the epoch marker after Redis lost its data. */
describe('RedisQueue sequence numbers, tombstones and epoch', () => {
  const t = useQueueTest('queue-sequence-test');
  const ACTIVE = ['QUEUED', 'INITIATED', 'VALIDATING', 'TRANSFORMING'];

  async function seqOf(q: RedisQueue, id: string): Promise<number> {
    return (await q.job(id))!.seq;
  }

  test('every deciding script raises the job seq by one and returns it; refusals leave it', async () => {
    const q = await t.queue({ backoff: { baseMs: 1_000, jitter: 0 } });
    const id = oid(1);
    expect(await q.hydrate(queued(id, 'ADD', { seq: 7, maxAttempts: 3 }))).toEqual({ code: 'OK', state: 'ready' });
    expect(await seqOf(q, id)).toBe(7);

    const steps: Array<[string, () => Promise<{ seq: number } | null>]> = [];
    let token = '';
    const lease = async () => {
      const j = await claimOne(q);
      token = j.token;
      return j;
    };
    steps.push(['claim', lease]);
    steps.push(['extend', async () => { const r = await q.extend(id, token, { progress: 0.2 }); return r.ok ? r.job : null; }]);
    steps.push(['change note', async () => { const r = await q.change(id, { kind: 'note', allowedFrom: ACTIVE }); return r.code === 'OK' ? r.job : null; }]);
    steps.push(['change status', async () => { const r = await q.change(id, { kind: 'status', status: 'VALIDATING', allowedFrom: ['INITIATED'] }); return r.code === 'OK' ? r.job : null; }]);
    steps.push(['finish (retry)', async () => { const r = await q.finish(id, token, { outcome: 'fail', retryable: true }); return r.ok ? r.job : null; }]);
    steps.push(['claim again', async () => { t.clock.advance(2_000); return lease(); }]);
    steps.push(['reap', async () => { t.clock.advance(10_000); return (await q.reap())[0]?.job ?? null; }]);
    steps.push(['claim a third time', async () => { t.clock.advance(2_000); return lease(); }]);
    steps.push(['change cancel (leased)', async () => { const r = await q.change(id, { kind: 'cancel', allowedFrom: ACTIVE }); return r.code === 'CANCEL_REQUESTED' ? r.job : null; }]);
    steps.push(['finish (cancelled)', async () => { const r = await q.finish(id, token, { outcome: 'fail', retryable: true }); return r.ok && r.outcome === 'CANCELLED' ? r.job : null; }]);
    steps.push(['change retriedBy', async () => { const r = await q.change(id, { kind: 'retriedBy', retriedBy: oid(2), allowedFrom: ['CANCELLED'] }); return r.code === 'OK' ? r.job : null; }]);

    let expected = 7;
    for (const [name, step] of steps) {
      expected++;
      const job = await step();
      expect({ name, seq: job?.seq }).toEqual({ name, seq: expected });
      expect(await seqOf(q, id)).toBe(expected);
    }

    // Refusals and no-ops decide nothing: the seq stays.
    expect(await q.hydrate(queued(id, 'ADD', { seq: 1_000 }))).toEqual({ code: 'ALREADY_QUEUED', state: 'ended' });
    expect(await q.extend(id, token)).toEqual({ ok: false, code: 'LEASE_LOST' });
    expect(await q.finish(id, token, { outcome: 'complete' })).toEqual({ ok: false, code: 'LEASE_LOST' });
    expect((await q.change(id, { kind: 'cancel', allowedFrom: ACTIVE })).code).toBe('INVALID_TRANSITION');
    expect((await q.change(id, { kind: 'retriedBy', retriedBy: oid(3), allowedFrom: ['CANCELLED'] })).code).toBe('ALREADY_RETRIED');
    expect(await q.reap()).toEqual([]);
    expect(await seqOf(q, id)).toBe(expected);
  });

  test('an INVALID_TRANSITION extend leaves the seq', async () => {
    const q = await t.queue();
    await q.hydrate(queued(oid(1), 'ADD', { seq: 3 }));
    const j = await claimOne(q);
    expect(j.seq).toBe(4);
    expect(await q.extend(oid(1), j.token, { status: 'QUEUED', allowedFrom: ['QUEUED'] })).toEqual({ ok: false, code: 'INVALID_TRANSITION', status: 'INITIATED' });
    expect(await seqOf(q, oid(1))).toBe(4);
  });

  test('hydrate never overwrites a known job, in any state, an ended tombstone included', async () => {
    const q = await t.queue();
    const known: Array<[HydrateInput, string]> = [
      [queued(oid(1)), 'ready'],
      [queued(oid(2), 'ADD', { runAt: t.clock.now + 60_000 }), 'delayed'],
      [{ ...queued(oid(3)), state: 'leased', status: 'VALIDATING', lease: { token: '42', workerId: 'w9', leaseExpiresAt: t.clock.now + 5_000, leasedAt: t.clock.now } }, 'leased'],
      [{ ...queued(oid(4)), state: 'ended', status: 'COMPLETED' }, 'ended'],
    ];
    for (const [input, state] of known) expect(await q.hydrate(input)).toEqual({ code: 'OK', state });
    const before = await Promise.all(known.map(([input]) => t.redis.hgetall(q.keys.job(input.id))));

    // Every field differs from the first hydrate's; none may win.
    const lease = { token: '99', workerId: 'other', leaseExpiresAt: t.clock.now + 99_000, leasedAt: t.clock.now };
    const stale = (id: string): HydrateInput[] => [
      { id, state: 'ready', status: 'QUEUED', seq: 500, operation: 'CHANGE', priority: 7, runAt: t.clock.now, maxAttempts: 9, attempt: 4 },
      { id, state: 'leased', status: 'IMPORTING', seq: 500, operation: 'REMOVE', maxAttempts: 9, cancelRequested: true, progress: 0.7, lease },
      { id, state: 'ended', status: 'FAILED', seq: 500, operation: 'ADD', maxAttempts: 9, retriedBy: oid(50) },
    ];
    for (const [input, state] of known) {
      for (const s of stale(input.id)) expect(await q.hydrate(s)).toEqual({ code: 'ALREADY_QUEUED', state });
    }
    expect(await Promise.all(known.map(([input]) => t.redis.hgetall(q.keys.job(input.id))))).toEqual(before);
    expect(await q.counts()).toMatchObject({ ready: 1, delayed: 1, leased: 1 });
    expect(await q.ids()).toEqual(new Set([oid(1), oid(2), oid(3)]));
  });

  test('a tombstone expires after tombstoneMs; then the id may be hydrated again', async () => {
    const q = await t.queue({ tombstoneMs: 150 });
    await q.hydrate({ ...queued(oid(1)), state: 'ended', status: 'CANCELLED', seq: 4 });
    await q.hydrate(queued(oid(2), 'ADD', { maxAttempts: 2 }));
    const lease = await claimOne(q);
    expect(await q.finish(oid(2), lease.token, { outcome: 'complete' })).toMatchObject({ ok: true, outcome: 'OK', job: { state: 'ended', status: 'COMPLETED' } });
    await q.hydrate(queued(oid(3)));
    expect(await q.change(oid(3), { kind: 'cancel', allowedFrom: ['QUEUED'] })).toMatchObject({ code: 'OK', job: { state: 'ended' } });

    for (const id of [oid(1), oid(2), oid(3)]) {
      const ttl = await t.redis.pttl(q.keys.job(id));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(150);
    }
    // Active jobs never expire.
    await q.hydrate(queued(oid(4)));
    expect(await t.redis.pttl(q.keys.job(oid(4)))).toBe(-1);

    await new Promise((r) => setTimeout(r, 200));
    for (const id of [oid(1), oid(2), oid(3)]) expect(await q.job(id)).toBeNull();
    expect(await q.hydrate(queued(oid(2)))).toEqual({ code: 'OK', state: 'ready' });
  });

  test('after Redis lost the prefix, every deciding script throws QueueResetError until markRestored', async () => {
    const q = await t.queue();
    await q.hydrate(queued(oid(1)));
    const lease = await claimOne(q);
    await flushPrefix(t.redis, t.prefix);
    expect(await q.intact()).toBe(false);

    const deciding: Array<[string, () => Promise<unknown>]> = [
      ['claim', () => q.claim({ workerId: 'w1', operations: ['ADD'] })],
      ['extend', () => q.extend(oid(1), lease.token)],
      ['finish', () => q.finish(oid(1), lease.token, { outcome: 'complete' })],
      ['reap', () => q.reap()],
      ['change', () => q.change(oid(1), { kind: 'cancel', allowedFrom: ['INITIATED'] })],
    ];
    for (const [, run] of deciding) await expect(run()).rejects.toThrow(QueueResetError);

    // Restoring needs hydrate before the marker: it works without it.
    const restored = { token: lease.token, workerId: 'w1', leaseExpiresAt: lease.leaseExpiresAt, leasedAt: lease.leasedAt! };
    expect(await q.hydrate({ ...queued(oid(1)), state: 'leased', status: 'INITIATED', seq: 1_000_002, attempt: 1, lease: restored })).toEqual({ code: 'OK', state: 'leased' });
    await expect(q.claim({ workerId: 'w2', operations: ['ADD'] })).rejects.toThrow(QueueResetError);

    expect(await q.markRestored(0, 'restored')).toBe(true);
    expect(await q.markRestored(0, 'again')).toBe(false);
    expect(await t.redis.get(q.keys.epoch)).toBe('restored');
    expect(await q.intact()).toBe(true);
    for (const [name, run] of deciding) {
      await expect(run().then(() => name)).resolves.toBe(name);
    }
  });

  test('markRestored raises the token counter to the floor, never lowers it', async () => {
    const q = await t.queue();
    await q.hydrate(queued(oid(1)));
    await q.hydrate(queued(oid(2)));
    const before = Number((await claimOne(q)).token);
    await flushPrefix(t.redis, t.prefix);
    expect(await q.markRestored(5_000_000, 'restored')).toBe(true);
    await q.hydrate(queued(oid(3)));
    expect(Number((await claimOne(q)).token)).toBe(5_000_001);
    expect(before).toBeLessThan(5_000_000);
    // A lower floor later leaves the counter where it is.
    await q.markRestored(10, 'restored');
    await q.hydrate(queued(oid(4)));
    expect(Number((await claimOne(q)).token)).toBe(5_000_002);
  });

  test('hydrate of a leased job restores its lease: the same token works, no other worker gets it, later tokens are higher', async () => {
    const q = await t.queue();
    const now = t.clock.now;
    const lease = { token: '777', workerId: 'w1', leaseExpiresAt: now + 5_000, leasedAt: now - 1_000 };
    expect(await q.hydrate({ ...queued(oid(1), 'ADD', { maxAttempts: 2 }), state: 'leased', status: 'TRANSFORMING', seq: 40, attempt: 1, progress: 0.4, lease })).toEqual({ code: 'OK', state: 'leased' });
    expect(await q.job(oid(1))).toMatchObject({ state: 'leased', status: 'TRANSFORMING', token: '777', workerId: 'w1', leaseExpiresAt: now + 5_000, leasedAt: now - 1_000, attempt: 1, progress: 0.4, seq: 40 });
    expect(await q.counts()).toMatchObject({ ready: 0, leased: 1 });
    expect(await q.claim({ workerId: 'w2', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'EMPTY' });
    expect(await q.extend(oid(1), '777', { progress: 0.5 })).toMatchObject({ ok: true, job: { token: '777', seq: 41 } });

    await q.hydrate(queued(oid(2), 'ADD', { maxAttempts: 2 }));
    expect(Number((await claimOne(q, 'w2')).token)).toBeGreaterThan(777);

    // A lease that expired while Redis was away is restored as is; the reaper then requeues it.
    t.clock.advance(10_001);
    const reaped = await q.reap();
    expect(reaped.map((r) => [r.id, r.outcome, r.workerId])).toEqual([[oid(1), 'REQUEUED', 'w1'], [oid(2), 'REQUEUED', 'w2']]);
  });
});
