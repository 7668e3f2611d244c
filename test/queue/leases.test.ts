import { codeMessage, type QueueJob } from '../../src/queue/index.js';
import { claimOne, oid, queued, useQueueTest } from './helpers.js';

/** Leases, fencing, switches, retries and the reaper against a real redis-server. */
describe('RedisQueue leases', () => {
  const t = useQueueTest('queue-leases-test', 5);

  test('20 concurrent claimers over 500 jobs: each job is claimed exactly once', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => oid(i % 60, i));
    const producer = await t.queue();
    await Promise.all(ids.map((id, i) => producer.hydrate(queued(id, i % 3 ? 'ADD' : 'CHANGE', { priority: i % 4 }))));
    expect((await producer.counts()).ready).toBe(500);

    const claimers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.queue({}, t.connections[i % t.connections.length])));
    const claimed = await Promise.all(
      claimers.map(async (q, i) => {
        const mine: QueueJob[] = [];
        for (;;) {
          const r = await q.claim({ workerId: `w${i}`, operations: ['ADD', 'CHANGE'] });
          if (r.jobs.length === 0) {
            expect(r.reason).toBe('EMPTY');
            return mine;
          }
          mine.push(...r.jobs);
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(500);
    expect(new Set(all.map((j) => j.id)).size).toBe(500);
    expect(new Set(all.map((j) => j.token)).size).toBe(500);
    expect(claimed.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);
    expect(await producer.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 500 });

    const results = await Promise.all(claimed.flatMap((mine, i) => mine.map((j) => claimers[i]!.finish(j.id, j.token!, { outcome: 'complete' }))));
    expect(results.every((r) => r.ok && r.outcome === 'OK')).toBe(true);
    expect(await producer.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 0 });
    expect(await producer.ids()).toEqual(new Set());
  });

  test('a reaped lease: its old token gets LEASE_LOST everywhere and changes nothing; tokens strictly increase', async () => {
    const q = await t.queue({ random: () => 0.5, backoff: { baseMs: 1_000, jitter: 0.2 } });
    await q.hydrate(queued(oid(1), 'ADD', { maxAttempts: 3 }));
    const first = await claimOne(q);
    expect(first).toMatchObject({ attempt: 1, leaseExpiresAt: t.clock.now + 10_000, workerId: 'w1', status: 'INITIATED' });

    // The holder extends: the lease moves and an early reaper takes nothing.
    t.clock.advance(9_000);
    expect(await q.extend(oid(1), first.token)).toMatchObject({ ok: true, job: { leaseExpiresAt: t.clock.now + 10_000, cancelRequested: false } });
    t.clock.advance(9_999);
    expect(await q.reap(10)).toEqual([]);

    // Expired but not yet reaped: the holder may no longer extend.
    t.clock.advance(1);
    expect(await q.extend(oid(1), first.token)).toEqual({ ok: false, code: 'LEASE_LOST' });
    const reaped = await q.reap(10);
    expect(reaped).toEqual([
      { id: oid(1), outcome: 'REQUEUED', workerId: 'w1', runAt: t.clock.now + 1_000, previousStatus: 'INITIATED', job: expect.objectContaining({ attempt: 1 }) },
    ]);
    const afterReap = await q.job(oid(1));
    expect(afterReap).toMatchObject({ state: 'delayed', status: 'QUEUED', attempt: 1, runAt: t.clock.now + 1_000, token: null });

    for (const late of [
      q.extend(oid(1), first.token, { progress: 0.5, message: true }),
      q.finish(oid(1), first.token, { outcome: 'complete' }),
      q.finish(oid(1), first.token, { outcome: 'fail', retryable: true }),
      q.finish(oid(1), first.token, { outcome: 'fail', retryable: false }),
    ]) {
      expect(await late).toEqual({ ok: false, code: 'LEASE_LOST' });
    }
    expect(codeMessage('LEASE_LOST')).toContain('no longer held');
    expect(await q.job(oid(1))).toEqual(afterReap);

    t.clock.advance(1_000);
    const second = await claimOne(q, 'w2');
    expect(second.attempt).toBe(2);
    expect(Number(second.token)).toBeGreaterThan(Number(first.token));
    expect(await q.finish(oid(1), first.token, { outcome: 'complete' })).toMatchObject({ code: 'LEASE_LOST' });
    expect(await q.job(oid(1))).toMatchObject({ state: 'leased', token: second.token, workerId: 'w2' });
    expect(await q.finish(oid(1), second.token, { outcome: 'complete' })).toMatchObject({ ok: true, outcome: 'OK', job: { attempt: 2, status: 'COMPLETED' } });
    expect(await q.finish(oid(1), second.token, { outcome: 'complete' })).toMatchObject({ code: 'LEASE_LOST' });

    // Fencing tokens keep increasing across jobs and workers.
    const tokens = [Number(first.token), Number(second.token)];
    for (let i = 2; i < 6; i++) {
      await q.hydrate(queued(oid(i)));
      tokens.push(Number((await claimOne(q, `w${i}`)).token));
    }
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  test('the reaper: exhausted jobs are reported, limit is honoured, concurrent reapers never take a lease twice', async () => {
    const q = await t.queue();
    const other = await t.queue({}, t.connections[1]);
    for (let i = 0; i < 30; i++) await q.hydrate(queued(oid(i), 'ADD', { maxAttempts: i < 10 ? 1 : 2 }));
    for (let i = 0; i < 30; i++) await claimOne(q, `w${i}`);
    t.clock.advance(10_000);

    const firstBatch = await q.reap(4);
    expect(firstBatch).toHaveLength(4);
    const [a, b] = await Promise.all([q.reap(100), other.reap(100)]);
    expect(a.length + b.length).toBe(26);
    const all = [...firstBatch, ...a, ...b];
    expect(new Set(all.map((r) => r.id)).size).toBe(30);
    expect(await q.counts()).toMatchObject({ leased: 0, delayed: 20 });
    expect((await q.ids()).size).toBe(20);
    const exhausted = all.filter((r) => r.outcome === 'EXHAUSTED');
    expect(exhausted.map((r) => r.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => oid(i)));
    expect(exhausted.every((r) => r.runAt === null && r.job.attempt === 1 && r.job.state === 'ended' && r.job.status === 'FAILED')).toBe(true);
    expect(all.filter((r) => r.outcome === 'REQUEUED').every((r) => r.runAt !== null && r.runAt > t.clock.now && r.job.state === 'delayed')).toBe(true);
    expect(await q.reap(100)).toEqual([]);
  });

  test('maintenance, pause and disabled workers refuse claims atomically; the job stays ready', async () => {
    const q = await t.queue();
    await q.hydrate(queued(oid(1)));

    const cases: Array<[string, () => Promise<void>, () => Promise<void>, string]> = [
      ['MAINTENANCE', () => q.setMaintenance(true), () => q.setMaintenance(false), 'Maintenance'],
      ['PAUSED', () => q.setPaused(true), () => q.setPaused(false), 'paused'],
      ['WORKER_DISABLED', () => q.setWorkerDisabled('w1', true), () => q.setWorkerDisabled('w1', false), 'disabled'],
    ];
    for (const [reason, on, off, words] of cases) {
      await on();
      expect(await q.claim({ workerId: 'w1', operations: ['ADD'], max: 5 })).toEqual({ jobs: [], reason });
      expect(codeMessage(reason as 'PAUSED')).toContain(words);
      expect(await q.job(oid(1))).toMatchObject({ state: 'ready', attempt: 0, seq: 1 });
      await off();
    }
    expect(await q.flags()).toEqual({ maintenance: false, paused: false });

    await q.setMaintenance(true);
    await q.setPaused(true);
    expect(await q.flags()).toEqual({ maintenance: true, paused: true });
    await q.setMaintenance(false);
    expect(await q.claim({ workerId: 'w1', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'PAUSED' });
    await q.setPaused(false);

    await q.setWorkerDisabled('w1', true);
    expect(await q.isWorkerDisabled('w1')).toBe(true);
    expect(await q.isWorkerDisabled('w2')).toBe(false);
    expect(await q.disabledWorkers()).toEqual(['w1']);
    expect((await claimOne(q, 'w2')).id).toBe(oid(1));
  });

  test('retries back off exponentially within the jitter bounds until attempts run out', async () => {
    const draws = [0, 0.999999, 0.5, 0.25, 0];
    const random = (): number => draws.shift() ?? 0.5;
    const backoff = { baseMs: 1_000, maxMs: 6_000, jitter: 0.5 };
    const q = await t.queue({ random, backoff });
    await q.hydrate(queued(oid(1), 'ADD', { maxAttempts: 5 }));

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const job = await claimOne(q);
      expect(job.attempt).toBe(attempt);
      const r = await q.finish(oid(1), job.token, { outcome: 'fail', retryable: true });
      if (!r.ok || r.outcome !== 'RETRY_SCHEDULED') throw new Error(`unexpected ${JSON.stringify(r)}`);
      expect(r.job).toMatchObject({ attempt, state: 'delayed', status: 'QUEUED', runAt: r.runAt });
      const delay = r.runAt! - t.clock.now;
      const nominal = Math.min(6_000, 1_000 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(delay).toBeLessThanOrEqual(nominal * 1.5);
      delays.push(delay);
      // Not claimable one ms early.
      t.clock.advance(delay - 1);
      expect(await q.claim({ workerId: 'w1', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'EMPTY' });
      t.clock.advance(1);
    }
    expect(delays).toEqual([500, 3_000, 4_000, 4_500]); // 1000*0.5, 2000*1.5, 4000*1, min(8000,6000)*0.75
    const last = await claimOne(q);
    expect(last.attempt).toBe(5);
    expect(await q.finish(oid(1), last.token, { outcome: 'fail', retryable: true })).toMatchObject({
      ok: true, outcome: 'EXHAUSTED', runAt: null, job: { attempt: 5, state: 'ended', status: 'FAILED' },
    });
    expect((await q.ids()).has(oid(1))).toBe(false);

    await q.hydrate(queued(oid(2), 'ADD', { maxAttempts: 5 }));
    const job = await claimOne(q);
    expect(await q.finish(oid(2), job.token, { outcome: 'fail', retryable: false })).toMatchObject({
      ok: true, outcome: 'NOT_RETRYABLE', runAt: null, job: { attempt: 1, state: 'ended', status: 'FAILED' },
    });
    expect(await q.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 0 });
  });

  test('avoidWorkers: a retry never goes back to a worker that tried it', async () => {
    const q = await t.queue({ backoff: { baseMs: 1_000, jitter: 0 } });
    await q.hydrate(queued(oid(1), 'ADD', { priority: 5, maxAttempts: 3, avoidWorkers: true }));
    await q.hydrate(queued(oid(2), 'ADD', { priority: 0, maxAttempts: 3 }));
    const first = await claimOne(q, 'w1');
    expect(first.id).toBe(oid(1));
    await q.finish(oid(1), first.token, { outcome: 'fail', retryable: true });
    t.clock.advance(1_000);

    // w1 skips the higher-priority job it already tried and gets the other one...
    expect((await claimOne(q, 'w1')).id).toBe(oid(2));
    // ...and, with only the avoided job left, gets nothing rather than a second go at it.
    expect(await q.claim({ workerId: 'w1', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'EMPTY' });
    const second = await claimOne(q, 'w2');
    expect(second).toMatchObject({ id: oid(1), attempt: 2 });

    // The lease of w2 expires: the reaper requeues, and neither w1 nor w2 may take it.
    t.clock.advance(10_000);
    const reaped = await q.reap(10);
    expect(reaped).toHaveLength(2);
    expect(reaped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: oid(2), outcome: 'REQUEUED', workerId: 'w1', job: expect.objectContaining({ attempt: 1 }) }),
        expect.objectContaining({ id: oid(1), outcome: 'REQUEUED', workerId: 'w2', job: expect.objectContaining({ attempt: 2 }) }),
      ]),
    );
    t.clock.advance(2_000);
    expect((await claimOne(q, 'w1')).id).toBe(oid(2)); // oid(2) has no avoidWorkers: w1 may retry it
    expect(await q.claim({ workerId: 'w2', operations: ['ADD'] })).toEqual({ jobs: [], reason: 'EMPTY' });
    expect((await claimOne(q, 'w3')).id).toBe(oid(1));
  });
});
