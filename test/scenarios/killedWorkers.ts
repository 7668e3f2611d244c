import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { App } from '../../src/app.js';
import { JobWorker, type JobHandler } from '../../src/worker-client/index.js';
import { createJobs, gql } from '../harness/app.js';
import type { RoleTokens } from '../harness/jwks.js';
import { until } from '../harness/until.js';

const CLI = path.resolve('dist/src/worker-client/cli.js');

/**
 * `doomed` worker processes (the built worker CLI, hanging on every job) claim `held` jobs each and are
 * killed with SIGKILL; their leases expire in real time (the app's LEASE_SECONDS), the reaper requeues the
 * jobs and `rescuers` workers run every one of the `jobs` once: none lost, never two holders at once,
 * attempts counted, the killed workers' late calls get LEASE_LOST. The quick suite kills one worker holding
 * 50 jobs (recovery.test.ts); `npm run soak` kills several holding hundreds (recovery.soak.test.ts).
 */
export async function killedWorkersRun(
  app: App,
  tokens: RoleTokens,
  o: { jobs: number; doomed: number; held: number; rescuers: number; holdTimeoutMs: number; rescueTimeoutMs: number },
): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  const prefix = `KILL${o.jobs}`;
  const ids = await createJobs(app.url, tokens.submitter, Array.from({ length: o.jobs }, (_, i) => ({ target: `${prefix}_${i}`, operation: 'ADD' })));

  const leaseTokens = new Map<string, string>();
  const claims = new Map<string, number>();
  const batches: number[] = [];
  const children = Array.from({ length: o.doomed }, (_, d) => {
    const child = spawn(
      process.execPath,
      [CLI, '--url', app.url, '--worker-id', `doomed-${d}`, '--operations', 'ADD', '--concurrency', String(o.held), '--mode', 'hang', '--wait-seconds', '1', '--progress-every-ms', '500'],
      { env: { PATH: process.env.PATH, WORKER_TOKEN: tokens.worker }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; id?: string; token?: string; via?: string; batch?: number };
      if (event.event === 'claimed') {
        leaseTokens.set(event.id!, event.token!);
        claims.set(event.id!, (claims.get(event.id!) ?? 0) + 1);
        if (event.via === 'claim') batches.push(event.batch!);
      }
    });
    return child;
  });
  const heldTotal = Math.min(o.jobs, o.doomed * o.held);
  try {
    await until(`the doomed workers hold ${heldTotal} jobs`, () => leaseTokens.size >= heldTotal, o.holdTimeoutMs);
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
  await Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)))));
  // The doomed workers took their jobs in claims of several (maxJobs = their free slots).
  expect(Math.max(...batches)).toBeGreaterThan(1);

  const handled: string[] = [];
  const inFlight = new Set<string>();
  let overlaps = 0;
  const handler: JobHandler = async (job) => {
    if (inFlight.has(job.id)) overlaps++;
    inFlight.add(job.id);
    handled.push(job.id);
    await new Promise((r) => setImmediate(r));
    inFlight.delete(job.id);
  };
  // 4 jobs in flight each: claims of several jobs, and the next job with each complete.
  const rescuers = Array.from({ length: o.rescuers }, (_, i) => new JobWorker({ url: app.url, token: tokens.worker, workerId: `rescuer-${i}`, operations: ['ADD'], handler, waitSeconds: 1, concurrency: 4 }));
  rescuers.forEach((w) => w.start());
  try {
    await until(`the rescuers completed all ${o.jobs}`, () => rescuers.reduce((n, w) => n + w.stats.completed, 0) === o.jobs, o.rescueTimeoutMs);
  } finally {
    await Promise.all(rescuers.map((w) => w.stop()));
  }
  expect(overlaps).toBe(0);
  expect(handled.length).toBe(o.jobs); // each job run once by the rescuers
  expect(new Set(handled)).toEqual(new Set(ids));
  expect(rescuers.reduce((n, w) => n + w.stats.claimedNext, 0)).toBeGreaterThan(0);
  let reapLogged = 0;
  for (const id of ids) {
    const job = (await app.services.jobs.byId(id))!;
    expect(job.status).toBe('COMPLETED');
    // One attempt per claim a killed worker made (a lease can lapse under load before the kill), plus the rescue.
    expect(job.attempts).toBe((claims.get(id) ?? 0) + 1);
    const [log] = await app.services.jobLogs.linesOf([job]);
    if (log!.some((l) => /lease expired \(worker doomed/.test(l.message))) reapLogged++;
  }
  // The reaper logs the expiry unless a rescuer finished the job before the reaper's own write (terminal jobs are immutable).
  expect(reapLogged).toBeGreaterThan(0);
  // The killed workers' tokens are dead: a late call changes nothing.
  const [someId, staleToken] = [...leaseTokens.entries()][0]!;
  const late = await gql<{ jobComplete: { job: { status: string }; userErrors: Array<{ code: string }> } }>(
    app.url,
    'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }',
    { i: { id: someId, leaseToken: staleToken } },
    tokens.worker,
  );
  expect(late.body.data!.jobComplete.userErrors[0]!.code).toBe('LEASE_LOST');
  const lateProgress = await gql<{ jobReportProgress: { userErrors: Array<{ code: string }> } }>(
    app.url,
    'mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { userErrors { code } } }',
    { i: { id: someId, leaseToken: staleToken, progress: 0.5 } },
    tokens.worker,
  );
  expect(lateProgress.body.data!.jobReportProgress.userErrors[0]!.code).toBe('LEASE_LOST');
}
