import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Types } from 'mongoose';
import type { App } from '../src/app.js';
import { ConfigError, loadConfig, RETENTION_DEFAULTS } from '../src/config.js';
import { createModels } from '../src/models/index.js';
import { RedisLease } from '../src/services/lease.js';
import { RetentionService } from '../src/services/retention.js';
import { createLogger } from '../src/logger.js';
import { WorkerClient } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, startTestApp } from './harness/app.js';

/**
 * Retention against real FerretDB + redis-server, on an injected clock (hours pass when the test says so):
 * two instances sharing one database and Redis run passes at the same moment; only terminal jobs past
 * their age go (with their logs), never a target's last job, never an active one; maintenance history is
 * untouched; the cap on terminal jobs; the last pass through the API; bad settings stop start-up.
 */
const HOUR = 3_600_000;
let now = Date.UTC(2026, 5, 1, 12);
let a: App & { name: string };
let b: App & { name: string };
let submitter: string;
let viewer: string;
let workerToken: string;
let token: (roles: string[], sub?: string) => Promise<string>;

const ENV = { RETENTION_COMPLETED_HOURS: '1', RETENTION_FAILED_HOURS: '3', RETENTION_MAX_TERMINAL_JOBS: '0', RETENTION_BATCH: '7' };

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, env: ENV, appOptions: { background: false, clock: { now: () => now } } });
  a = started.app;
  token = started.token;
  b = await startTestApp({ file: import.meta.url, jwksUrl: started.jwks.url, name: a.name, env: ENV, appOptions: { background: false, clock: { now: () => now } } });
  submitter = await started.token(['SUBMITTER'], 'sue');
  viewer = await started.token(['VIEWER'], 'vera');
  workerToken = await started.token(['WORKER'], 'bot');
});

type End = 'complete' | 'fail' | 'cancel' | 'leave';

/** Creates one job per target for each round (so earlier rounds are no target's last action), ending each as `end` says. */
async function history(prefix: string, targets: number, rounds: End[][]): Promise<Map<string, End>> {
  const worker = new WorkerClient({ url: a.url, token: workerToken });
  const ends = new Map<string, End>();
  for (const round of rounds) {
    const ids = await createJobs(a.url, submitter, Array.from({ length: targets }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'CHANGE', maxAttempts: 1 })));
    ids.forEach((id, i) => ends.set(id, round[i % round.length]!));
    for (const id of ids.filter((id) => ends.get(id) === 'cancel')) {
      const r = await gql<{ jobCancel: { userErrors: unknown[] } }>(a.url, `mutation($i: JobCancelInput!) { jobCancel(input: $i) { userErrors { code } } }`, { i: { id } }, await operatorToken());
      expect(r.body.data!.jobCancel.userErrors).toEqual([]);
    }
    const { leases } = await worker.claim({ workerId: 'ret', operations: ['CHANGE'], maxJobs: 100 });
    for (const l of leases) {
      const end = ends.get(l.job.id);
      if (end === 'complete') await worker.complete({ id: l.job.id, leaseToken: l.token });
      else if (end === 'fail') await worker.fail({ id: l.job.id, leaseToken: l.token, reason: 'broken', retryable: false });
    }
    // 'leave' jobs stay INITIATED (active) under a lease that never lapses on this clock
  }
  return ends;
}

let opToken: string | undefined;
async function operatorToken(): Promise<string> {
  return (opToken ??= await token(['OPERATOR'], 'olga'));
}

/** Terminal jobs in the database, by status. */
async function terminalCounts(): Promise<Record<'COMPLETED' | 'CANCELLED' | 'FAILED', number>> {
  const jobs = a.mongo.db!.collection('jobs');
  const [COMPLETED, CANCELLED, FAILED] = await Promise.all((['COMPLETED', 'CANCELLED', 'FAILED'] as const).map((status) => jobs.countDocuments({ status })));
  return { COMPLETED: COMPLETED!, CANCELLED: CANCELLED!, FAILED: FAILED! };
}

async function exists(ids: string[]): Promise<Set<string>> {
  const found = await a.mongo.db!.collection('jobs').find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { projection: { _id: 1 } }).toArray();
  return new Set(found.map((d) => d._id.toHexString()));
}

async function logsOf(ids: string[]): Promise<Set<string>> {
  const found = await a.mongo.db!.collection('joblogs').find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { projection: { _id: 1 } }).toArray();
  return new Set(found.map((d) => d._id.toHexString()));
}

test('two instances at once: one pass removes exactly the old terminal jobs and their logs, keeping active jobs and targets\' last jobs', async () => {
  // 4 targets x 3 rounds; round 3's jobs are the targets' last actions.
  const ends = await history('RET', 4, [
    ['complete', 'fail', 'cancel', 'complete'],
    ['complete', 'fail', 'complete', 'cancel'],
    ['complete', 'complete', 'complete', 'complete'],
  ]);
  // And one job that stays active (claimed, under a lease that never lapses on this clock).
  const live = await history('RET_LIVE', 1, [['leave']]);
  ends.set([...live.keys()][0]!, 'leave');
  const all = [...ends.keys()];
  const last = all.slice(8, 12);
  const maintenanceBefore = await a.mongo.db!.collection('maintenanceevents').countDocuments();

  // 30 minutes on: nothing is old enough.
  now += HOUR / 2;
  const early = await Promise.all([a.services.retention.runOnce(), b.services.retention.runOnce()]);
  expect(early.reduce((n, p) => n + (p ? p.removedCompleted + p.removedFailed + p.removedCancelled : 0), 0)).toBe(0);
  expect((await exists(all)).size).toBe(13);

  // 2 hours on: completed and cancelled jobs of the first two rounds go; failed ones (3 h) stay.
  now += HOUR * 1.5;
  const terminalBefore = await terminalCounts();
  const passes = await Promise.all([a.services.retention.runOnce(), b.services.retention.runOnce()]);
  const ran = passes.filter((p) => p !== null);
  expect(ran.length).toBeGreaterThanOrEqual(1);
  const removed = (k: 'removedCompleted' | 'removedFailed' | 'removedCancelled') => passes.reduce((n, p) => n + (p?.[k] ?? 0), 0);
  const expectedGone = all.slice(0, 8).filter((id) => ends.get(id) === 'complete' || ends.get(id) === 'cancel');
  expect(expectedGone).toHaveLength(6);
  // No double work: the removals of both passes add up to exactly the jobs removed from the database (which
  // may hold old terminal jobs of the file's other tests too, run in any order), and this test's go.
  const terminalAfter = await terminalCounts();
  expect([removed('removedCompleted'), removed('removedCancelled'), removed('removedFailed')]).toEqual(
    (['COMPLETED', 'CANCELLED', 'FAILED'] as const).map((st) => terminalBefore[st] - terminalAfter[st]),
  );
  expect(removed('removedCompleted')).toBeGreaterThanOrEqual(4);
  expect(removed('removedCancelled')).toBeGreaterThanOrEqual(2);
  expect(removed('removedFailed')).toBe(0);
  const left = await exists(all);
  for (const id of all) expect({ id, end: ends.get(id), kept: left.has(id) }).toEqual({ id, end: ends.get(id), kept: !expectedGone.includes(id) });
  const logsLeft = await logsOf(all);
  expect(expectedGone.filter((id) => logsLeft.has(id))).toEqual([]);
  // A kept job keeps its log: in the log collection, or still in its own document (an active job, or one the mover has not reached yet).
  const kept = all.filter((id) => left.has(id));
  const keptLogs = await a.services.jobLogs.linesOf(kept.map((id) => ({ _id: new Types.ObjectId(id) })));
  expect(kept.filter((_, i) => keptLogs[i]!.length === 0)).toEqual([]);
  // Round 3's completed jobs at least (the active one is not terminal; other tests' targets may add theirs).
  expect(Math.max(...ran.map((p) => p.keptForTargets))).toBeGreaterThanOrEqual(4);

  // 4 hours on: the failed ones go too; the active job and the targets' last jobs stay, and their logs.
  now += HOUR * 2;
  await Promise.all([a.services.retention.runOnce(), b.services.retention.runOnce()]);
  const finalLeft = await exists(all);
  const active = all.filter((id) => ends.get(id) === 'leave');
  expect(new Set(finalLeft)).toEqual(new Set([...active, ...last]));
  expect([...(await logsOf(all))].filter((id) => !finalLeft.has(id))).toEqual([]);
  const finalLogs = await a.services.jobLogs.linesOf([...finalLeft].map((id) => ({ _id: new Types.ObjectId(id) })));
  expect(finalLogs.map((lines) => lines.length > 0)).toEqual([...finalLeft].map(() => true));
  expect(await a.mongo.db!.collection('maintenanceevents').countDocuments()).toBe(maintenanceBefore);

  // The targets still show their last job.
  const t = await gql<{ target: { status: string; lastAction: { job: { id: string } } } }>(a.url, `{ target(name: "RET_0") { status lastAction { job { id } } } }`, {}, viewer);
  expect(t.body.data!.target.lastAction.job.id).toBe(last[0]);

  // The last pass and the settings, through the API.
  const view = await gql<{ retention: { settings: Record<string, number>; lastPass: { removedFailed: number; instance: string; finishedAt: string } } }>(
    b.url,
    `{ retention { settings { completedMaxAgeHours failedMaxAgeHours maxTerminalJobs intervalSeconds } lastPass { removedFailed instance finishedAt } } }`,
    {},
    viewer,
  );
  expect(view.body.data!.retention.settings).toEqual({ completedMaxAgeHours: 1, failedMaxAgeHours: 3, maxTerminalJobs: 0, intervalSeconds: 60 });
  expect(view.body.data!.retention.lastPass).toMatchObject({ finishedAt: new Date(now).toISOString() });
});

test('while one instance holds the lease, the other does not run a pass; the holder\'s pass releases it', async () => {
  const lease = new RedisLease(a.redis, `${a.name}:retention:lease`, 30_000);
  expect(await lease.acquire()).toBe(true);
  expect(await b.services.retention.runOnce()).toBeNull();
  expect(await a.services.retention.runOnce()).toBeNull();
  await lease.release();
  expect(await b.services.retention.runOnce()).not.toBeNull();
});

test('the cap on terminal jobs removes the oldest beyond it, whatever their age', async () => {
  const ends = await history('CAP', 3, [['complete'], ['fail'], ['complete'], ['complete']]);
  const ids = [...ends.keys()];
  const models = createModels(a.mongo);
  const terminal = await models.Job.countDocuments({ status: { $in: ['COMPLETED', 'FAILED', 'CANCELLED'] } });
  const cfg = { completedMaxAgeMs: 0, failedMaxAgeMs: 0, maxTerminalJobs: terminal - 5, intervalMs: 60_000, batch: 2 };
  const capped = new RetentionService(models, a.services.jobLogs, new RedisLease(a.redis, `${a.name}:retention:lease`, 30_000), cfg, createLogger('silent', 'cap'), () => new Date(now), 'cap-test');
  const pass = (await capped.runOnce())!;
  expect(pass.removedOverCap).toBe(5);
  expect(await models.Job.countDocuments({ status: { $in: ['COMPLETED', 'FAILED', 'CANCELLED'] } })).toBe(terminal - 5);
  // The oldest go first: of this test's jobs, the first round's three and two of the second round.
  const left = await exists(ids);
  expect(ids.slice(0, 3).some((id) => left.has(id))).toBe(false);
});

test('a negative or non-numeric age stops start-up with a message; 0 keeps forever; dev and production defaults differ', async () => {
  for (const [key, value] of [['RETENTION_COMPLETED_HOURS', '-1'], ['RETENTION_FAILED_HOURS', 'ten'], ['RETENTION_MAX_TERMINAL_JOBS', ''], ['RETENTION_FAILED_HOURS', '1.5']]) {
    let error: unknown;
    try {
      loadConfig({ [key!]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(new RegExp(`${key}: must be a whole number`));
  }
  const zero = loadConfig({ RETENTION_COMPLETED_HOURS: '0', RETENTION_FAILED_HOURS: '0', RETENTION_MAX_TERMINAL_JOBS: '0' }).retention;
  expect(zero).toMatchObject({ completedMaxAgeMs: 0, failedMaxAgeMs: 0, maxTerminalJobs: 0 });
  expect(loadConfig({}).retention).toMatchObject({ completedMaxAgeMs: RETENTION_DEFAULTS.development.completedHours * HOUR, maxTerminalJobs: RETENTION_DEFAULTS.development.maxTerminalJobs });
  expect(RETENTION_DEFAULTS.production.failedHours).toBeGreaterThan(RETENTION_DEFAULTS.production.completedHours);

  const main = path.resolve('dist/src/main.js');
  const err = await promisify(execFile)(process.execPath, [main], { env: { PATH: process.env.PATH, RETENTION_FAILED_HOURS: '-3', PORT: '0' } }).catch((e: { code: number; stderr: string }) => e);
  expect((err as { code: number }).code).toBe(1);
  expect((err as { stderr: string }).stderr).toMatch(/RETENTION_FAILED_HOURS: must be a whole number of hours, 0 or more/);
});
