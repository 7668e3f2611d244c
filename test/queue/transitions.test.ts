import type { JobStatus } from '../../src/generated/graphql.js';
import type { RedisQueue } from '../../src/queue/index.js';
import { allowedFrom } from '../../src/services/jobRules.js';
import { claimOne, oid, queued, useQueueTest } from './helpers.js';

/** The lease holder's scripts: claim of N, extend (progress reports), finish and its backoff computed in Lua. */
describe('RedisQueue claim, extend and finish', () => {
  const t = useQueueTest('queue-transitions-test');
  const from = (to: JobStatus) => ({ status: to, allowedFrom: allowedFrom(to) });

  describe('claim of N', () => {
    test('distinct jobs in claim order, each with its own lease; fewer when fewer wait', async () => {
      const q = await t.queue();
      for (let i = 1; i <= 5; i++) await q.hydrate(queued(oid(i), i % 2 ? 'ADD' : 'CHANGE', { priority: i === 4 ? 3 : 0 }));
      const order = (await q.peek({ limit: 10 })).map((j) => j.id);
      expect(order).toEqual([oid(4), oid(1), oid(2), oid(3), oid(5)]);

      const r = await q.claim({ workerId: 'w1', operations: ['ADD', 'CHANGE'], max: 3 });
      expect(r.reason).toBeNull();
      expect(r.jobs.map((j) => j.id)).toEqual(order.slice(0, 3));
      expect(new Set(r.jobs.map((j) => j.token)).size).toBe(3);
      for (const j of r.jobs) expect(j).toMatchObject({ state: 'leased', status: 'INITIATED', workerId: 'w1', attempt: 1, seq: 2, leaseExpiresAt: t.clock.now + 10_000 });
      expect(await q.counts()).toMatchObject({ ready: 2, leased: 3 });

      const rest = await q.claim({ workerId: 'w2', operations: ['ADD', 'CHANGE'], max: 10, leaseMs: 500 });
      expect(rest.jobs.map((j) => j.id)).toEqual(order.slice(3));
      expect(rest.jobs.every((j) => j.leaseExpiresAt === t.clock.now + 500 && j.workerId === 'w2')).toBe(true);
      expect(await q.claim({ workerId: 'w3', operations: ['ADD', 'CHANGE'], max: 10 })).toEqual({ jobs: [], reason: 'EMPTY' });
    });

    test('maintenance, pause and a disabled worker refuse a claim of N: nothing is taken', async () => {
      const q = await t.queue();
      for (let i = 1; i <= 3; i++) await q.hydrate(queued(oid(i)));
      const claim = () => q.claim({ workerId: 'w1', operations: ['ADD'], max: 3 });
      await q.setMaintenance(true);
      expect(await claim()).toEqual({ jobs: [], reason: 'MAINTENANCE' });
      await q.setMaintenance(false);
      await q.setPaused(true);
      expect(await claim()).toEqual({ jobs: [], reason: 'PAUSED' });
      await q.setPaused(false);
      await q.setWorkerDisabled('w1', true);
      expect(await claim()).toEqual({ jobs: [], reason: 'WORKER_DISABLED' });
      expect(await q.counts()).toMatchObject({ ready: 3, leased: 0 });
      await q.setWorkerDisabled('w1', false);
      expect((await claim()).jobs).toHaveLength(3);
    });

    test('avoidWorkers is honoured inside one claim of N', async () => {
      const q = await t.queue({ backoff: { baseMs: 1_000, jitter: 0 } });
      for (let i = 1; i <= 4; i++) await q.hydrate(queued(oid(i), 'ADD', { maxAttempts: 3, avoidWorkers: i <= 2, priority: i <= 2 ? 5 : 0 }));
      const first = await q.claim({ workerId: 'w1', operations: ['ADD'], max: 2 });
      expect(first.jobs.map((j) => j.id)).toEqual([oid(1), oid(2)]);
      for (const j of first.jobs) await q.finish(j.id, j.token!, { outcome: 'fail', retryable: true });
      t.clock.advance(1_000);

      // w1 tried oid(1) and oid(2): it gets only the two others, though it asked for four.
      const again = await q.claim({ workerId: 'w1', operations: ['ADD'], max: 4 });
      expect(again.jobs.map((j) => j.id)).toEqual([oid(3), oid(4)]);
      expect(await q.claim({ workerId: 'w1', operations: ['ADD'], max: 4 })).toEqual({ jobs: [], reason: 'EMPTY' });
      expect((await q.claim({ workerId: 'w2', operations: ['ADD'], max: 4 })).jobs.map((j) => [j.id, j.attempt])).toEqual([[oid(1), 2], [oid(2), 2]]);
    });
  });

  describe('extend', () => {
    async function leased(q: RedisQueue) {
      await q.hydrate(queued(oid(1), 'ADD', { maxAttempts: 2 }));
      return claimOne(q);
    }

    test('a stage may only follow the statuses allowedFrom gives; a refusal changes nothing', async () => {
      const q = await t.queue();
      const j = await leased(q);
      expect(await q.extend(oid(1), j.token, from('TRANSFORMING'))).toMatchObject({ ok: true, previousStatus: 'INITIATED', job: { status: 'TRANSFORMING' } });
      const before = await q.job(oid(1));
      t.clock.advance(1_000);
      expect(await q.extend(oid(1), j.token, from('VALIDATING'))).toEqual({ ok: false, code: 'INVALID_TRANSITION', status: 'TRANSFORMING' });
      expect(await q.extend(oid(1), j.token, from('QUEUED'))).toEqual({ ok: false, code: 'INVALID_TRANSITION', status: 'TRANSFORMING' });
      // Refused before the lease moves.
      expect(await q.job(oid(1))).toEqual(before);
      // The same stage again is no move (nothing to check).
      expect(await q.extend(oid(1), j.token, from('TRANSFORMING'))).toMatchObject({ ok: true, previousStatus: 'TRANSFORMING', job: { status: 'TRANSFORMING' } });
      expect(await q.extend(oid(1), j.token, from('IMPORTING'))).toMatchObject({ ok: true, write: true, job: { status: 'IMPORTING', leaseExpiresAt: t.clock.now + 10_000 } });
    });

    test('write: always for a stage change or a message, otherwise (a fraction, a bare extension) once per progressWriteMs', async () => {
      const q = await t.queue({ progressWriteMs: 1_000 });
      const j = await leased(q);
      const report = async (input: Parameters<RedisQueue['extend']>[2]) => {
        const r = await q.extend(oid(1), j.token, input);
        if (!r.ok) throw new Error(r.code);
        return r;
      };
      // The claim itself was written: the first fraction right after it waits.
      expect((await report({ progress: 0.1 })).write).toBe(false);
      t.clock.advance(999);
      expect((await report({ progress: 0.2 })).write).toBe(false);
      t.clock.advance(1);
      expect(await report({ progress: 0.3 })).toMatchObject({ write: true, job: { progress: 0.3 } });
      expect((await report({ progress: 0.4 })).write).toBe(false);
      expect((await report({})).write).toBe(false); // a bare lease extension
      expect(await report({ progress: 0.5, ...from('VALIDATING') })).toMatchObject({ write: true, keepMessage: false });
      expect(await report({ message: true })).toMatchObject({ write: true, keepMessage: true });
      // A written report restarts the interval.
      t.clock.advance(999);
      expect((await report({ progress: 0.6 })).write).toBe(false);
      t.clock.advance(1);
      expect((await report({ progress: 0.7 })).write).toBe(true);
      // The fraction not written is still the queue's latest.
      expect((await report({ progress: 0.8 })).write).toBe(false);
      expect((await q.job(oid(1)))!.progress).toBe(0.8);
      // A bare lease extension is written once per interval too (MongoDB's record of the lease stays current for a restore).
      expect((await report({})).write).toBe(false);
      t.clock.advance(1_000);
      expect(await report({})).toMatchObject({ write: true, job: { progress: 0.8, leaseExpiresAt: t.clock.now + 10_000 } });
      expect((await report({})).write).toBe(false);
    });

    test('messages beyond maxLogMessages are not kept (and alone do not write)', async () => {
      const q = await t.queue({ maxLogMessages: 3, progressWriteMs: 60_000 });
      const j = await leased(q);
      const kept: boolean[] = [];
      const written: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await q.extend(oid(1), j.token, { message: true });
        if (!r.ok) throw new Error(r.code);
        kept.push(r.keepMessage);
        written.push(r.write);
      }
      expect(kept).toEqual([true, true, true, false, false]);
      expect(written).toEqual([true, true, true, false, false]);
      // Beyond the cap a stage change still writes; its message is still dropped.
      expect(await q.extend(oid(1), j.token, { message: true, ...from('VALIDATING') })).toMatchObject({ ok: true, write: true, keepMessage: false });
    });

    test('a cancellation request reaches the holder through extend', async () => {
      const q = await t.queue();
      const j = await leased(q);
      expect(await q.extend(oid(1), j.token)).toMatchObject({ ok: true, job: { cancelRequested: false } });
      expect((await q.change(oid(1), { kind: 'cancel', allowedFrom: ['INITIATED'] })).code).toBe('CANCEL_REQUESTED');
      expect(await q.extend(oid(1), j.token, { progress: 0.9 })).toMatchObject({ ok: true, job: { cancelRequested: true, state: 'leased' } });
    });
  });

  describe('finish', () => {
    test('complete ends the job with a tombstone and tells maintenance and the leases left', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1)));
      await q.hydrate(queued(oid(2)));
      const [a, b] = (await q.claim({ workerId: 'w1', operations: ['ADD'], max: 2 })).jobs;
      await q.extend(oid(1), a!.token!, from('IMPORTING'));
      await q.setMaintenance(true);
      expect(await q.finish(oid(1), a!.token!, { outcome: 'complete' })).toEqual({
        ok: true, outcome: 'OK', runAt: null, maintenance: true, leasesLeft: 1, previousStatus: 'IMPORTING', epoch: 'test',
        job: expect.objectContaining({ state: 'ended', status: 'COMPLETED', progress: 1, token: null, leaseExpiresAt: null, workerId: 'w1' }),
      });
      await q.setMaintenance(false);
      expect(await q.finish(oid(2), b!.token!, { outcome: 'complete' })).toMatchObject({ maintenance: false, leasesLeft: 0 });
      expect(await t.redis.pttl(q.keys.job(oid(1)))).toBeGreaterThan(0);
      expect(await q.ids()).toEqual(new Set());
      expect(await q.counts()).toMatchObject({ ready: 0, delayed: 0, leased: 0 });
    });

    test('a failure: retried with backoff, exhausted, not retryable, or cancelled', async () => {
      const q = await t.queue({ backoff: { baseMs: 1_000, maxMs: 10_000, jitter: 0 } });
      await q.hydrate(queued(oid(1), 'ADD', { maxAttempts: 2 }));
      const first = await claimOne(q);
      expect(await q.finish(oid(1), first.token, { outcome: 'fail', retryable: true })).toMatchObject({
        ok: true, outcome: 'RETRY_SCHEDULED', runAt: t.clock.now + 1_000, previousStatus: 'INITIATED', job: { state: 'delayed', status: 'QUEUED', token: null },
      });
      t.clock.advance(1_000);
      const second = await claimOne(q);
      expect(await q.finish(oid(1), second.token, { outcome: 'fail', retryable: true })).toMatchObject({ outcome: 'EXHAUSTED', runAt: null, job: { state: 'ended', status: 'FAILED', attempt: 2 } });

      await q.hydrate(queued(oid(2), 'ADD', { maxAttempts: 5 }));
      const c = await claimOne(q);
      expect(await q.finish(oid(2), c.token, { outcome: 'fail', retryable: false })).toMatchObject({ outcome: 'NOT_RETRYABLE', job: { state: 'ended', status: 'FAILED', attempt: 1 } });

      await q.hydrate(queued(oid(3), 'ADD', { maxAttempts: 5 }));
      const d = await claimOne(q);
      await q.change(oid(3), { kind: 'cancel', allowedFrom: ['INITIATED'] });
      expect(await q.finish(oid(3), d.token, { outcome: 'fail', retryable: true })).toMatchObject({ outcome: 'CANCELLED', job: { state: 'ended', status: 'CANCELLED' } });
      // A cancelled job that completes anyway is recorded COMPLETED: the work was done.
      await q.hydrate(queued(oid(4), 'ADD', { maxAttempts: 5 }));
      const e = await claimOne(q);
      await q.change(oid(4), { kind: 'cancel', allowedFrom: ['INITIATED'] });
      expect(await q.finish(oid(4), e.token, { outcome: 'complete' })).toMatchObject({ outcome: 'OK', job: { status: 'COMPLETED' } });
    });

    /** The delay a retry after attempt `attempt` gets, with the jitter draw fixed at `r`. */
    async function delayAfter(attempt: number, r: number, backoff: { baseMs: number; maxMs: number; jitter: number }): Promise<number> {
      const q = await t.queue({ random: () => r, backoff });
      const id = oid(attempt, Math.round(r * 1e6) + Math.round(backoff.jitter * 100) * 1e7);
      await q.hydrate(queued(id, 'ADD', { attempt: attempt - 1, maxAttempts: attempt + 1 }));
      const lease = await claimOne(q);
      expect(lease.attempt).toBe(attempt);
      const res = await q.finish(id, lease.token, { outcome: 'fail', retryable: true });
      if (!res.ok || res.runAt === null) throw new Error(`no retry: ${JSON.stringify(res)}`);
      await q.change(id, { kind: 'cancel', allowedFrom: ['QUEUED'] }); // out of the way of the next claim
      return res.runAt - t.clock.now;
    }

    test('backoff in Lua: base * 2^(attempt-1), capped, then ±jitter', async () => {
      const opts = { baseMs: 100, maxMs: 1_000, jitter: 0.1 };
      const delays: number[] = [];
      for (const n of [1, 2, 3, 4, 5, 60]) delays.push(await delayAfter(n, 0.5, opts));
      expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
      expect(await delayAfter(3, 0, opts)).toBe(360);
      expect(await delayAfter(3, 0.999999, opts)).toBe(440);
      expect(await delayAfter(2_000, 0.5, opts)).toBe(1_000);

      // ±20%: the bounds are 0.8 and 1.2 times the capped delay.
      const wide = { ...opts, jitter: 0.2 };
      expect(await delayAfter(3, 0, wide)).toBe(320);
      expect(await delayAfter(3, 0.999999, wide)).toBe(480);
      expect(await delayAfter(60, 0, wide)).toBe(800);
      expect(await delayAfter(60, 0.999999, wide)).toBe(1_200);
    });
  });
});
