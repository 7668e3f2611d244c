import type { JobStatus } from '../../src/generated/graphql.js';
import type { HydrateInput } from '../../src/queue/index.js';
import { ACTIVE_STATUSES, ALL_STATUSES, allowedFrom, checkTransition, isTerminal, RUNNING_STATUSES } from '../../src/services/jobRules.js';
import { claimOne, oid, queued, useQueueTest } from './helpers.js';

/** Changes that are not the lease holder's (change.lua), the reaper, and the agreement of the scripts with jobRules. */
describe('RedisQueue change and reap', () => {
  const t = useQueueTest('queue-change-test', 4);

  /** A job hydrated in `status`, as the reconciler would give it from MongoDB. */
  function inStatus(id: string, status: JobStatus): HydrateInput {
    const lease = { token: '5', workerId: 'w1', leaseExpiresAt: t.clock.now + 10_000, leasedAt: t.clock.now };
    if (status === 'QUEUED') return queued(id);
    if (isTerminal(status)) return { ...queued(id), state: 'ended', status };
    return { ...queued(id), state: 'leased', status, attempt: 1, lease };
  }

  describe('reap', () => {
    test('concurrent reapers take each expired lease once', async () => {
      const reapers = await Promise.all(t.connections.map((c) => t.queue({}, c)));
      const q = reapers[0]!;
      const ids = Array.from({ length: 60 }, (_, i) => oid(i));
      for (const id of ids) await q.hydrate(queued(id, 'ADD', { maxAttempts: 2 }));
      await q.claim({ workerId: 'w1', operations: ['ADD'], max: 60 });
      t.clock.advance(10_000);
      const rounds = await Promise.all(reapers.flatMap((r) => [r.reap(7), r.reap(7), r.reap(100)]));
      const all = rounds.flat();
      expect(all.map((r) => r.id).sort()).toEqual(ids);
      expect(all.every((r) => r.outcome === 'REQUEUED' && r.job.seq === 3 && r.previousStatus === 'INITIATED')).toBe(true);
      expect(await q.counts()).toMatchObject({ leased: 0, delayed: 60 });
    });

    test('a job whose cancellation was requested ends CANCELLED when its lease expires', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1), 'ADD', { maxAttempts: 3 }));
      const lease = await claimOne(q);
      await q.extend(oid(1), lease.token, { status: 'VALIDATING', allowedFrom: allowedFrom('VALIDATING') });
      expect((await q.change(oid(1), { kind: 'cancel', allowedFrom: ACTIVE_STATUSES })).code).toBe('CANCEL_REQUESTED');
      t.clock.advance(10_000);
      expect(await q.reap()).toEqual([
        { id: oid(1), outcome: 'CANCELLED', workerId: 'w1', runAt: null, previousStatus: 'VALIDATING', job: expect.objectContaining({ state: 'ended', status: 'CANCELLED', attempt: 1 }) },
      ]);
      expect(await q.ids()).toEqual(new Set());
      expect(await q.finish(oid(1), lease.token, { outcome: 'fail', retryable: true })).toEqual({ ok: false, code: 'LEASE_LOST' });
    });

    test('an extended lease is not reaped; a lease entry without its job is dropped', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1)));
      const lease = await claimOne(q);
      t.clock.advance(9_999);
      await q.extend(oid(1), lease.token);
      t.clock.advance(1);
      expect(await q.reap()).toEqual([]);
      await t.redis.zadd(q.keys.leases, 0, oid(9));
      expect(await q.reap()).toEqual([]);
      expect(await t.redis.zrange(q.keys.leases, 0, -1)).toEqual([oid(1)]);
    });
  });

  describe('change', () => {
    test('cancel: a waiting job ends CANCELLED; a leased one is flagged and its holder hears of it', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1)));
      await q.hydrate(queued(oid(2), 'ADD', { runAt: t.clock.now + 5_000 }));
      expect(await q.change(oid(1), { kind: 'cancel', allowedFrom: ACTIVE_STATUSES })).toMatchObject({ code: 'OK', previousStatus: 'QUEUED', job: { state: 'ended', status: 'CANCELLED', seq: 2 } });
      expect(await q.change(oid(2), { kind: 'cancel', allowedFrom: ACTIVE_STATUSES })).toMatchObject({ code: 'OK', job: { state: 'ended', status: 'CANCELLED' } });
      expect(await q.counts()).toMatchObject({ ready: 0, delayed: 0 });

      await q.hydrate(queued(oid(3)));
      const lease = await claimOne(q);
      expect(await q.change(oid(3), { kind: 'cancel', allowedFrom: ACTIVE_STATUSES })).toMatchObject({
        code: 'CANCEL_REQUESTED', previousStatus: 'INITIATED', job: { state: 'leased', status: 'INITIATED', cancelRequested: true, token: lease.token },
      });
      expect(await q.extend(oid(3), lease.token, { progress: 0.1 })).toMatchObject({ ok: true, job: { cancelRequested: true } });
      // An ended job cannot be cancelled.
      expect(await q.change(oid(1), { kind: 'cancel', allowedFrom: ACTIVE_STATUSES })).toMatchObject({ code: 'INVALID_TRANSITION', previousStatus: 'CANCELLED' });
    });

    test('status: checked against allowedFrom; a terminal one ends the job and its lease', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1)));
      const lease = await claimOne(q);
      const to = (status: JobStatus) => ({ kind: 'status' as const, status, terminal: isTerminal(status), allowedFrom: allowedFrom(status) });
      expect(await q.change(oid(1), to('QUEUED'))).toMatchObject({ code: 'INVALID_TRANSITION', previousStatus: 'INITIATED', job: { status: 'INITIATED', seq: 2 } });
      expect(await q.change(oid(1), to('ENRICHING'))).toMatchObject({ code: 'OK', previousStatus: 'INITIATED', job: { state: 'leased', status: 'ENRICHING', seq: 3 } });
      expect(await q.change(oid(1), to('VALIDATING'))).toMatchObject({ code: 'INVALID_TRANSITION', job: { status: 'ENRICHING' } });
      expect(await q.change(oid(1), to('FAILED'))).toMatchObject({ code: 'OK', previousStatus: 'ENRICHING', job: { state: 'ended', status: 'FAILED', token: null } });
      expect(await q.counts()).toMatchObject({ leased: 0 });
      expect(await q.extend(oid(1), lease.token)).toEqual({ ok: false, code: 'LEASE_LOST' });
      expect(await q.change(oid(1), to('CANCELLED'))).toMatchObject({ code: 'INVALID_TRANSITION', previousStatus: 'FAILED' });
      expect(await q.change(oid(99), to('FAILED'))).toEqual({ code: 'NOT_FOUND' });
    });

    test('retriedBy: only on an ended job, and only once', async () => {
      const q = await t.queue();
      const retry = (id: string, by: string) => q.change(id, { kind: 'retriedBy', retriedBy: by, allowedFrom: ['FAILED', 'CANCELLED'] });
      await q.hydrate(queued(oid(1)));
      expect(await retry(oid(1), oid(10))).toMatchObject({ code: 'INVALID_TRANSITION', previousStatus: 'QUEUED', job: { retriedBy: null } });
      await q.change(oid(1), { kind: 'status', status: 'FAILED', terminal: true, allowedFrom: ['QUEUED'] });
      expect(await retry(oid(1), oid(10))).toMatchObject({ code: 'OK', previousStatus: 'FAILED', job: { retriedBy: oid(10), state: 'ended', status: 'FAILED' } });
      expect(await retry(oid(1), oid(11))).toMatchObject({ code: 'ALREADY_RETRIED', job: { retriedBy: oid(10) } });
      // A retry whose job could not be created is forgotten, and may be tried again.
      await q.unmarkRetried(oid(1));
      expect(await retry(oid(1), oid(12))).toMatchObject({ code: 'OK', job: { retriedBy: oid(12) } });
      // A tombstone hydrated with its retry keeps it.
      await q.hydrate({ ...inStatus(oid(2), 'CANCELLED'), retriedBy: oid(20) });
      expect(await retry(oid(2), oid(21))).toMatchObject({ code: 'ALREADY_RETRIED', job: { retriedBy: oid(20) } });
    });

    test('note: any active job, not an ended one', async () => {
      const q = await t.queue();
      await q.hydrate(queued(oid(1)));
      await q.hydrate(inStatus(oid(2), 'COMPLETED'));
      expect(await q.change(oid(1), { kind: 'note', allowedFrom: ACTIVE_STATUSES })).toMatchObject({ code: 'OK', previousStatus: 'QUEUED', job: { state: 'ready', seq: 2 } });
      expect(await q.change(oid(2), { kind: 'note', allowedFrom: ACTIVE_STATUSES })).toMatchObject({ code: 'INVALID_TRANSITION', previousStatus: 'COMPLETED' });
    });
  });

  test('Lua agrees with jobRules: for every (from, to), change(status) succeeds exactly when checkTransition(from, to) is null', async () => {
    const q = await t.queue();
    const disagreements: string[] = [];
    let n = 0;
    for (const from of ALL_STATUSES) {
      for (const to of ALL_STATUSES) {
        const id = oid(++n);
        expect((await q.hydrate(inStatus(id, from))).code).toBe('OK');
        const r = await q.change(id, { kind: 'status', status: to, terminal: isTerminal(to), allowedFrom: allowedFrom(to) });
        if (r.code === 'NOT_FOUND') throw new Error(`${id} not found`);
        const lua = r.code === 'OK';
        const rules = checkTransition(from, to) === null;
        if (lua !== rules) disagreements.push(`${from} → ${to}: Lua ${r.code}, jobRules ${rules ? 'allowed' : 'refused'}`);
        if (lua) expect(r.job).toMatchObject({ status: to, state: isTerminal(to) ? 'ended' : inStatus(id, from).state });
        else expect(r.job.status).toBe(from);
      }
    }
    expect(disagreements).toEqual([]);
    expect(n).toBe(ALL_STATUSES.length ** 2);
    expect(RUNNING_STATUSES.length + 5).toBe(ALL_STATUSES.length); // and WAITING, QUEUED and the three terminal ones
  });
});
