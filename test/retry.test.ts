import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';

/**
 * Retries, backoff, attempts and lease expiry driven by an injected clock:
 * no test here sleeps. The reaper is run by hand (background loops off).
 */
const START = Date.UTC(2030, 0, 1);

const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token attempt expiresAt job { id status attempts } } reason userErrors { code } } }`;
const FAIL = `mutation($i: JobFailInput!) { jobFail(input: $i) { job { id status attempts failureReason } retryAt userErrors { code message } } }`;
const PROGRESS = `mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { job { status } leaseExpiresAt cancelRequested userErrors { code field } } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } userErrors { code } } }`;
const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } } } }`;

type Lease = { token: string; attempt: number; expiresAt: string; job: { id: string; status: string; attempts: number } };

async function setup(env: Record<string, string> = {}) {
  const clock = { now: START };
  const started = await startAppWithIssuer({
    file: import.meta.url,
    env: { RETRY_BACKOFF_BASE_MS: '1000', RETRY_BACKOFF_MAX_MS: '8000', LEASE_SECONDS: '30', ...env },
    appOptions: { clock: { now: () => clock.now, random: () => 0.5 }, background: false },
  });
  const app: App = started.app;
  const { worker, submitter } = started.tokens;
  const create = async (target: string, maxAttempts: number) => {
    const res = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(app.url, CREATE, { i: { items: [{ target, operation: 'ADD', maxAttempts }] } }, submitter);
    return res.body.data!.jobsCreate.results[0]!.job.id;
  };
  const claim = async (workerId = 'w1') => {
    const res = await gql<{ jobClaim: { lease: Lease | null; reason: string | null } }>(app.url, CLAIM, { i: { workerId, operations: ['ADD'] } }, worker);
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.jobClaim;
  };
  const call = async <T>(query: string, input: Record<string, unknown>) => (await gql<T>(app.url, query, { i: input }, worker)).body.data!;
  return { app, clock, create, claim, call };
}

test('a failed attempt is retried after exponential backoff until maxAttempts, then FAILED with the reason', async () => {
  const { clock, create, claim, call } = await setup();
  const id = await create('RETRY_ME', 3);
  const expectedDelays = [1000, 2000];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const got = await claim();
    expect(got.lease).not.toBeNull();
    expect(got.lease!.job.id).toBe(id);
    expect(got.lease!.attempt).toBe(attempt);
    expect(got.lease!.job).toMatchObject({ status: 'INITIATED', attempts: attempt });
    const failed = await call<{ jobFail: { job: { status: string; attempts: number; failureReason: string }; retryAt: string | null } }>(FAIL, { id, leaseToken: got.lease!.token, reason: `boom ${attempt}` });
    if (attempt < 3) {
      const delay = expectedDelays[attempt - 1]!;
      expect(failed.jobFail.job).toMatchObject({ status: 'QUEUED', attempts: attempt });
      expect(Date.parse(failed.jobFail.retryAt!)).toBe(clock.now + delay);
      // Not claimable a millisecond early; claimable when due.
      clock.now += delay - 1;
      expect(await claim()).toMatchObject({ lease: null, reason: 'EMPTY' });
      clock.now += 1;
    } else {
      expect(failed.jobFail.retryAt).toBeNull();
      expect(failed.jobFail.job).toMatchObject({ status: 'FAILED', attempts: 3 });
      expect(failed.jobFail.job.failureReason).toBe('boom 3 (after 3 attempts)');
    }
  }
  expect(await claim()).toMatchObject({ lease: null, reason: 'EMPTY' });
});

test('a non-retryable failure fails at once', async () => {
  const { create, claim, call } = await setup();
  const id = await create('NO_RETRY', 5);
  const { lease } = await claim();
  const failed = await call<{ jobFail: { job: { status: string; attempts: number }; retryAt: null } }>(FAIL, { id, leaseToken: lease!.token, reason: 'bad input file', retryable: false });
  expect(failed.jobFail).toMatchObject({ job: { status: 'FAILED', attempts: 1 }, retryAt: null });
});

test('an expired lease is reaped: attempt counted, requeued with backoff, stale token gets LEASE_LOST, FAILED after the last attempt', async () => {
  const { app, clock, create, claim, call } = await setup();
  const id = await create('LEASE_ME', 2);
  const first = (await claim()).lease!;
  // Progress extends the lease by LEASE_SECONDS from now.
  clock.now += 20_000;
  const extended = await call<{ jobReportProgress: { leaseExpiresAt: string; userErrors: unknown[] } }>(PROGRESS, { id, leaseToken: first.token, status: 'VALIDATING', progress: 0.25 });
  expect(extended.jobReportProgress.userErrors).toEqual([]);
  expect(Date.parse(extended.jobReportProgress.leaseExpiresAt)).toBe(clock.now + 30_000);
  clock.now += 29_999;
  expect(await app.recovery.reapOnce()).toBe(0);
  clock.now += 1;
  expect(await app.recovery.reapOnce()).toBe(1);
  const requeued = await app.services.jobs.byId(id);
  expect(requeued).toMatchObject({ status: 'QUEUED', attempts: 1 });
  expect(requeued!.runAt!.getTime()).toBe(clock.now + 1000);
  expect((await app.services.jobLogs.linesOf([requeued!]))[0]!.at(-1)!.message).toMatch(/lease expired/);

  // The old holder comes back late: refused, and nothing changes.
  for (const [query, input] of [
    [PROGRESS, { id, leaseToken: first.token, progress: 0.5 }],
    [COMPLETE, { id, leaseToken: first.token }],
    [FAIL, { id, leaseToken: first.token, reason: 'late' }],
  ] as const) {
    const res = (await call<Record<string, { userErrors: Array<{ code: string }> }>>(query, input)) as Record<string, { userErrors: Array<{ code: string }> }>;
    expect(Object.values(res)[0]!.userErrors[0]!.code).toBe('LEASE_LOST');
  }
  expect(await app.services.jobs.byId(id)).toMatchObject({ status: 'QUEUED', attempts: 1 });

  clock.now += 1000;
  const second = (await claim()).lease!;
  expect(second.attempt).toBe(2);
  expect(BigInt(second.token)).toBeGreaterThan(BigInt(first.token));
  clock.now += 30_000;
  expect(await app.recovery.reapOnce()).toBe(1);
  const failed = await app.services.jobs.byId(id);
  expect(failed).toMatchObject({ status: 'FAILED', attempts: 2 });
  expect(failed!.failureReason).toMatch(/lease expired on the last attempt/);
  expect(failed!.activeTarget).toBeUndefined();
});

test('with RETRY_AVOID_SAME_WORKER a retry never goes back to the worker that tried it', async () => {
  const { clock, create, claim, call } = await setup({ RETRY_AVOID_SAME_WORKER: 'true' });
  const id = await create('AVOID_ME', 3);
  const first = (await claim('w1')).lease!;
  await call(FAIL, { id, leaseToken: first.token, reason: 'flaky host' });
  clock.now += 1000;
  expect(await claim('w1')).toMatchObject({ lease: null, reason: 'EMPTY' });
  const other = (await claim('w2')).lease!;
  expect(other.job.id).toBe(id);
  expect(other.attempt).toBe(2);
});

test('bad claim and progress input is a userError with a field path, not a fault', async () => {
  const { create, claim, call } = await setup();
  const bad = await call<{ jobClaim: { lease: null; userErrors: Array<{ code: string; field: string[] }> } }>(
    'mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token } userErrors { code field } } }',
    { workerId: 'no spaces allowed', operations: [], waitSeconds: 999 },
  );
  expect(bad.jobClaim.lease).toBeNull();
  expect(bad.jobClaim.userErrors.map((e) => e.field.join('.'))).toEqual(['input.workerId', 'input.operations', 'input.waitSeconds']);
  const id = await create('BAD_INPUT', 1);
  const { lease } = await claim();
  const progress = await call<{ jobReportProgress: { userErrors: Array<{ code: string; field: string[] }> } }>(PROGRESS, { id, leaseToken: lease!.token, progress: 7 });
  expect(progress.jobReportProgress.userErrors).toEqual([{ code: 'INVALID_PARAMETERS', field: ['input', 'progress'] }]);
  const backwards = await call<{ jobReportProgress: { userErrors: Array<{ code: string }> } }>(PROGRESS, { id, leaseToken: lease!.token, status: 'QUEUED' });
  expect(backwards.jobReportProgress.userErrors[0]!.code).toBe('INVALID_TRANSITION');
});
