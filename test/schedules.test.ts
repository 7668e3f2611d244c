import { gql, startAppWithIssuer, startTestApp, type UserErr } from './harness/app.js';
import { until } from './harness/until.js';
import type { JobRecord } from '../src/models/job.js';

/**
 * Cron schedules (schema/schedules.graphql) on a real service with FerretDB and redis-server. Two instances
 * share one database and Redis in every test: each scheduled time must fire exactly once across them.
 * Most tests move an injected clock and run the scheduler step by hand; one runs the real background loops
 * for 5 s with a schedule every second (the 30 s version belongs in the soak).
 */
const SCHEDULE = `id name cron timeZone operation target overlap missedRuns maintenance paused nextRunAt deferredAt nextRuns(count: 3)
  lastRuns { scheduledAt outcome message job { id status } }`;
const CREATE = `mutation($i: ScheduleCreateInput!) { scheduleCreate(input: $i) { schedule { ${SCHEDULE} } userErrors { code message field } } }`;

interface Run {
  scheduledAt: string;
  outcome: string;
  message: string | null;
  job: { id: string; status: string } | null;
}
interface ScheduleView {
  id: string;
  name: string;
  paused: boolean;
  nextRunAt: string | null;
  deferredAt: string | null;
  nextRuns: string[];
  lastRuns: Run[];
}

async function setup(opts: { clock?: { now: number }; background?: boolean } = {}) {
  const appOptions = { clock: opts.clock ? { now: () => opts.clock!.now } : undefined, background: opts.background ?? false };
  const started = await startAppWithIssuer({ file: import.meta.url, appOptions });
  const a = started.app;
  const b = await startTestApp({ file: import.meta.url, jwksUrl: started.jwks.url, name: a.name, appOptions });
  const t = {
    admin: await started.token(['ADMIN'], 'ada'),
    operator: await started.token(['OPERATOR'], 'olga'),
    worker: await started.token(['WORKER'], 'bot'),
    viewer: await started.token(['VIEWER'], 'vic'),
  };
  const call = async <T>(query: string, variables: Record<string, unknown>, token = t.admin, url = a.url): Promise<T> => {
    const res = await gql<Record<string, T>>(url, query, variables, token);
    expect(res.body.errors).toBeUndefined();
    return Object.values(res.body.data!)[0]!;
  };
  const create = (i: Record<string, unknown>) => call<{ schedule: ScheduleView | null; userErrors: UserErr[] }>(CREATE, { i });
  const view = (id: string) => call<ScheduleView>(`query($id: ID!) { schedule(id: $id) { ${SCHEDULE} } }`, { id }, t.viewer);
  /** The scheduler step on both instances at once. */
  const tick = () => Promise.all([a.services.schedules.fireDue(), b.services.schedules.fireDue()]);
  /** The jobs a schedule created, oldest first, each with its log as Job.log shows it. */
  const jobsOf = async (name: string) => {
    const jobs = await a.mongo.collection<JobRecord>('jobs').find({ createdBy: `schedule:${name}` }).sort({ _id: 1 }).toArray();
    const logs = await a.services.jobLogs.linesOf(jobs);
    return jobs.map((j, i) => ({ ...j, log: logs[i]! }));
  };
  const finishAll = async (operation: string) => {
    for (;;) {
      const c = await call<{ lease: { token: string; job: { id: string } } | null }>(
        `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } } }`,
        { i: { workerId: 'sched-w', operations: [operation] } },
        t.worker,
      );
      if (!c.lease) return;
      await call(`mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id } } }`, { i: { id: c.lease.job.id, leaseToken: c.lease.token } }, t.worker);
    }
  };
  const maintenance = (paused: boolean) => call(`mutation($i: MaintenanceSetInput!) { maintenanceSet(input: $i) { userErrors { code } } }`, { i: { paused, message: 'deploy' } });
  return { a, b, t, call, create, view, tick, jobsOf, finishAll, maintenance };
}

test('bad input is refused with the field and creates nothing; the next times are shown in the time zone; ADMIN only', async () => {
  const s = await setup({ clock: { now: Date.UTC(2031, 0, 15, 6, 0) } });
  const job = { target: 'SCHED_BAD', operation: 'ADD' };
  const bad: Array<[Record<string, unknown>, string, string[]]> = [
    [{ name: 'x', cron: '61 * * * *', job }, 'INVALID_CRON', ['input', 'cron']],
    [{ name: 'x', cron: 'every day', job }, 'INVALID_CRON', ['input', 'cron']],
    [{ name: 'x', cron: '0 9 * * *', timeZone: 'Mars/Olympus', job }, 'INVALID_TIME_ZONE', ['input', 'timeZone']],
    [{ name: 'x', cron: '0 9 * * *', job: { target: 'bad name', operation: 'ADD' } }, 'INVALID_TARGET', ['input', 'job', 'target']],
    [{ name: 'x', cron: '0 9 * * *', job: { ...job, runAt: '2031-01-01T00:00:00Z' } }, 'INVALID_PARAMETERS', ['input', 'job', 'runAt']],
    [{ name: ' ', cron: '0 9 * * *', job }, 'INVALID_PARAMETERS', ['input', 'name']],
  ];
  for (const [input, code, field] of bad) {
    const r = await s.create(input);
    expect(r.schedule).toBeNull();
    expect(r.userErrors.map((e) => [e.code, e.field])).toContainEqual([code, field]);
  }
  const forbidden = await gql(s.a.url, CREATE, { i: { name: 'nightly', cron: '0 2 * * *', job } }, s.t.operator);
  expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await s.call<{ totalCount: number }>(`{ schedules { totalCount } }`, {}, s.t.viewer)).totalCount).toBe(0);

  const preview = await s.call<{ times: string[]; userErrors: UserErr[] }>(`{ scheduleTimesPreview(cron: "0 9 * * 1-5", timeZone: "Europe/Oslo", count: 3) { times userErrors { code field } } }`, {}, s.t.viewer);
  // 2031-01-15 is a Wednesday; 09:00 in Oslo is 08:00 UTC in winter.
  expect(preview).toEqual({ times: ['2031-01-15T08:00:00.000Z', '2031-01-16T08:00:00.000Z', '2031-01-17T08:00:00.000Z'], userErrors: [] });
  const badPreview = await s.call<{ times: string[]; userErrors: UserErr[] }>(`{ scheduleTimesPreview(cron: "* * *", count: 3) { times userErrors { code field } } }`, {}, s.t.viewer);
  expect(badPreview).toEqual({ times: [], userErrors: [{ code: 'INVALID_CRON', field: ['cron'] }] });

  const ok = await s.create({ name: 'nightly metadata', cron: '0 2 * * *', timeZone: 'Europe/Oslo', job: { target: 'SCHED_META', operation: 'PATCH_METADATA' } });
  expect(ok.userErrors).toEqual([]);
  expect(ok.schedule).toMatchObject({ name: 'nightly metadata', overlap: 'SKIP', missedRuns: 'SKIP', maintenance: 'SKIP', paused: false, nextRunAt: '2031-01-16T01:00:00.000Z' });
  expect(ok.schedule!.nextRuns).toEqual(['2031-01-16T01:00:00.000Z', '2031-01-17T01:00:00.000Z', '2031-01-18T01:00:00.000Z']);
  const dup = await s.create({ name: 'nightly metadata', cron: '0 3 * * *', job });
  expect(dup.userErrors).toEqual([{ code: 'DUPLICATE_NAME', message: expect.any(String), field: ['input', 'name'] }]);
  const upd = await s.call<{ schedule: ScheduleView | null; userErrors: UserErr[] }>(
    `mutation($i: ScheduleUpdateInput!) { scheduleUpdate(input: $i) { schedule { ${SCHEDULE} } userErrors { code field } } }`,
    { i: { id: ok.schedule!.id, cron: 'bad' } },
  );
  expect(upd.userErrors).toEqual([{ code: 'INVALID_CRON', field: ['input', 'cron'] }]);
  expect((await s.view(ok.schedule!.id)).nextRunAt).toBe('2031-01-16T01:00:00.000Z');
  const del = await s.call<{ removed: boolean }>(`mutation($i: ScheduleIdInput!) { scheduleDelete(input: $i) { removed userErrors { code } } }`, { i: { id: ok.schedule!.id } });
  expect(del.removed).toBe(true);
}, 60_000);

test('every scheduled time fires exactly once across two instances (injected clock); overlap SKIP; pause and resume', async () => {
  const clock = { now: Date.UTC(2031, 2, 1, 12, 0, 0) };
  const s = await setup({ clock });
  const created = await s.create({ name: 'minutely', cron: '* * * * *', job: { target: 'SCHED_MIN', operation: 'CHANGE' } });
  const id = created.schedule!.id;
  for (let m = 1; m <= 5; m++) {
    clock.now += 60_000;
    await Promise.all([s.tick(), s.tick()]); // four scheduler passes race for the same time
    await s.finishAll('CHANGE');
  }
  const jobs = await s.jobsOf('minutely');
  expect(jobs.map((j) => j.log[0]!.message)).toEqual([1, 2, 3, 4, 5].map((m) => `created by schedule minutely for 2031-03-01T12:0${m}:00.000Z`));
  // A job still running at the next time: that time is skipped and recorded.
  clock.now += 60_000;
  await s.tick();
  clock.now += 60_000;
  await s.tick();
  let v = await s.view(id);
  expect(v.lastRuns.slice(0, 2).map((r) => r.outcome)).toEqual(['SKIPPED_OVERLAP', 'CREATED']);
  expect(v.lastRuns[0]!.job!.id).toBe(v.lastRuns[1]!.job!.id);
  expect(v.lastRuns).toHaveLength(7);
  expect(v.nextRunAt).toBe('2031-03-01T12:08:00.000Z');
  await s.finishAll('CHANGE');

  await s.call(`mutation($i: ScheduleIdInput!) { schedulePause(input: $i) { userErrors { code } } }`, { i: { id } });
  clock.now += 10 * 60_000;
  await s.tick();
  v = await s.view(id);
  expect(v).toMatchObject({ paused: true, nextRunAt: null });
  expect(v.lastRuns).toHaveLength(7);
  await s.call(`mutation($i: ScheduleIdInput!) { scheduleResume(input: $i) { userErrors { code } } }`, { i: { id } });
  expect((await s.view(id)).nextRunAt).toBe('2031-03-01T12:18:00.000Z'); // from now: the paused times are not fired
  clock.now += 60_000;
  await s.tick();
  expect((await s.jobsOf('minutely')).length).toBe(7);
}, 60_000);

test('times missed while the service was down: SKIP records them, RUN_ONCE runs the last once; maintenance SKIP and DEFER are recorded', async () => {
  const clock = { now: Date.UTC(2031, 4, 1, 0, 0, 0) };
  const s = await setup({ clock });
  const skip = (await s.create({ name: 'hourly skip', cron: '0 * * * *', job: { target: 'SCHED_SKIP', operation: 'DELETE_DRAFT' } })).schedule!;
  const once = (await s.create({ name: 'hourly once', cron: '0 * * * *', missedRuns: 'RUN_ONCE', job: { target: 'SCHED_ONCE', operation: 'DELETE_DRAFT' } })).schedule!;
  clock.now += 3 * 3_600_000 + 30 * 60_000; // down from 00:00 to 03:30: 01:00, 02:00, 03:00 missed
  await s.tick();
  const vs = await s.view(skip.id);
  expect(vs.lastRuns.map((r) => [r.outcome, r.scheduledAt])).toEqual([['SKIPPED_MISSED', '2031-05-01T01:00:00.000Z']]);
  expect(vs.lastRuns[0]!.message).toContain('3 missed run(s)');
  expect(vs.nextRunAt).toBe('2031-05-01T04:00:00.000Z');
  const vo = await s.view(once.id);
  expect(vo.lastRuns.map((r) => r.outcome)).toEqual(['CREATED', 'SKIPPED_MISSED']);
  expect(vo.lastRuns[0]!.scheduledAt).toBe('2031-05-01T03:00:00.000Z');
  expect(await s.jobsOf('hourly skip')).toHaveLength(0);
  expect(await s.jobsOf('hourly once')).toHaveLength(1);
  await s.finishAll('DELETE_DRAFT');

  // Maintenance: SKIP records the skip; DEFER fires once when maintenance is off, later times merged into it.
  const deferred = (await s.create({ name: 'hourly defer', cron: '0 * * * *', maintenance: 'DEFER', job: { target: 'SCHED_DEFER', operation: 'DELETE_ARCHIVE' } })).schedule!;
  await s.maintenance(true);
  clock.now = Date.UTC(2031, 4, 1, 4, 0, 1);
  await s.tick();
  clock.now = Date.UTC(2031, 4, 1, 5, 0, 1);
  await s.tick();
  expect((await s.view(skip.id)).lastRuns.slice(0, 2).map((r) => r.outcome)).toEqual(['SKIPPED_MAINTENANCE', 'SKIPPED_MAINTENANCE']);
  let vd = await s.view(deferred.id);
  expect(vd.lastRuns.map((r) => r.outcome)).toEqual(['SKIPPED_MAINTENANCE', 'DEFERRED']);
  expect(vd.deferredAt).toBe('2031-05-01T04:00:00.000Z');
  expect(await s.jobsOf('hourly defer')).toHaveLength(0);
  await s.maintenance(false);
  clock.now += 10_000;
  await Promise.all([s.tick(), s.tick()]);
  vd = await s.view(deferred.id);
  expect(vd.deferredAt).toBeNull();
  expect(vd.lastRuns[0]).toMatchObject({ outcome: 'CREATED', scheduledAt: '2031-05-01T04:00:00.000Z' });
  expect(await s.jobsOf('hourly defer')).toHaveLength(1);
}, 60_000);

test('a winner that dies after creating the job: the time is taken over and no second job is created', async () => {
  const clock = { now: Date.UTC(2031, 6, 1, 0, 0, 30) };
  const s = await setup({ clock });
  const sched = (await s.create({ name: 'takeover', cron: '* * * * *', job: { target: 'SCHED_TAKEOVER', operation: 'ROLLBACK_REMOVE' } })).schedule!;
  clock.now += 60_000;
  // Instance A won the time and created its job, then died before recording the run (simulated: the job is
  // created under the time's id, the claim in Redis is left to run out).
  const { timeJobId } = await import('../src/services/schedules.js');
  const { Types } = await import('mongoose');
  const at = Date.UTC(2031, 6, 1, 0, 1, 0);
  const jobId = timeJobId(new Types.ObjectId(sched.id), at);
  await s.a.services.lifecycle.create([{ target: 'SCHED_TAKEOVER', operation: 'ROLLBACK_REMOVE' }], 'schedule:takeover', { ids: [jobId] });
  expect(await s.a.queue.claimTick(sched.id, at, 30_000)).toBe(true);
  await s.tick();
  expect((await s.view(sched.id)).lastRuns).toEqual([]); // held by the dead winner
  await s.a.redis.del(s.a.queue.keys.scheduleTick(sched.id, at)); // its hold ran out
  await s.tick();
  const v = await s.view(sched.id);
  expect(v.lastRuns).toMatchObject([{ outcome: 'CREATED', job: { id: jobId.toHexString() } }]);
  expect(await s.jobsOf('takeover')).toHaveLength(1);
}, 60_000);

/** The real-time run's length: 5 s in the quick suite; the soak runs it longer (SCHEDULE_REALTIME_SECONDS=30). */
const REALTIME_SECONDS = Number(process.env.SCHEDULE_REALTIME_SECONDS ?? 5);

test(`real time, two instances with their background loops: a schedule every second fires once per second for ${REALTIME_SECONDS} s`, async () => {
  const s = await setup({ background: true });
  // A worker completes each job at once (long poll), so the target is free for the next second.
  let stop = false;
  const worker = (async () => {
    while (!stop) {
      const c = await s.call<{ lease: { token: string; job: { id: string } } | null }>(
        `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } } }`,
        { i: { workerId: 'sched-rt', operations: ['SET_STATUS'], waitSeconds: 1 } },
        s.t.worker,
      );
      if (c.lease) await s.call(`mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id } } }`, { i: { id: c.lease.job.id, leaseToken: c.lease.token } }, s.t.worker);
    }
  })();
  const sched = (await s.create({ name: 'every second', cron: '* * * * * *', overlap: 'ALLOW', job: { target: 'SCHED_RT', operation: 'SET_STATUS', releaseStatus: 'DRAFT' } })).schedule!;
  const started = Date.now();
  await until(`${REALTIME_SECONDS} s of runs`, async () => (await s.view(sched.id)).lastRuns.some((r) => Date.parse(r.scheduledAt) >= started + REALTIME_SECONDS * 1000), (REALTIME_SECONDS + 25) * 1000, 100);
  await s.call(`mutation($i: ScheduleIdInput!) { schedulePause(input: $i) { userErrors { code } } }`, { i: { id: sched.id } });
  stop = true;
  await worker;
  // Every job says which second it was created for: no second has two.
  const jobs = await s.jobsOf('every second');
  const jobTimes = jobs.map((j) => Date.parse(/ for (\S+)$/.exec(String(j.log[0]!.message))![1]!));
  expect(new Set(jobTimes).size).toBe(jobs.length);
  expect(jobTimes.every((t) => t % 1000 === 0)).toBe(true);
  expect(jobs.length).toBeGreaterThan(0);
  // The runs kept (the latest 20): one per second, none twice, none left out.
  const runs = (await s.view(sched.id)).lastRuns.slice().reverse();
  const times = runs.map((r) => Date.parse(r.scheduledAt));
  expect(times.length).toBeGreaterThanOrEqual(Math.min(REALTIME_SECONDS, 20));
  expect(new Set(times).size).toBe(times.length);
  times.slice(1).forEach((t, i) => expect(t - times[i]!).toBe(1_000));
  // Over those seconds, every created run has its own job and every job its run (a second whose previous job
  // was still running is recorded as skipped).
  const created = runs.filter((r) => r.outcome === 'CREATED');
  expect(jobs.filter((_, i) => jobTimes[i]! >= times[0]!).map((j) => j._id.toHexString()).sort()).toEqual(created.map((r) => r.job!.id).sort());
  expect(runs.filter((r) => r.outcome !== 'CREATED').every((r) => r.outcome === 'SKIPPED_OVERLAP')).toBe(true);
  console.log(`[schedules] every second for ${REALTIME_SECONDS} s on two instances: ${jobs.length} jobs, one per second (${new Set(jobTimes).size} distinct seconds); of the last ${runs.length} seconds ${runs.length - created.length} skipped as overlapping`);
}, (REALTIME_SECONDS + 60) * 1000);
