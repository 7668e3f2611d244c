/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { App } from '../src/app.js';
import { JobWorker, type JobHandler, type WorkerEvent } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer } from './harness/app.js';
import { openTab as openBrowserTab, type TabOptions } from './harness/browser.js';
import { until } from './harness/until.js';

/**
 * The admin app end to end: the built app (dist/admin, made by `npm run build`)
 * served by a real service on FerretDB and redis-server, driven in Debian's
 * headless Chromium, with a real worker (the project's worker client) running jobs.
 */
let app: App;
let token: (roles: string[], sub?: string) => Promise<string>;
let admin: string;
let viewer: string;
let submitter: string;
let workerToken: string;
/** Screenshots for the README land here (gitignored). */
const SHOTS = path.resolve('.e2e');

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, env: { REAPER_INTERVAL_MS: '200' } });
  app = started.app;
  token = started.token;
  admin = await token(['ADMIN'], 'alice');
  viewer = await token(['VIEWER'], 'vera');
  submitter = await token(['SUBMITTER'], 'sue');
  workerToken = await token(['WORKER'], 'worker-bot');
  mkdirSync(SHOTS, { recursive: true });
});

async function createJob(target: string, operation = 'ADD'): Promise<string> {
  const [id] = await createJobs(app.url, submitter, [{ target, operation }]);
  return id!;
}

async function jobStatus(id: string): Promise<string> {
  const res = await gql<{ job: { status: string } }>(app.url, 'query($id: ID!) { job(id: $id) { status } }', { id }, admin);
  return res.body.data!.job.status;
}

/** A gate a test opens when it has seen what it waits for; the worker's handler waits on it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** A real worker; each test gives its own operation, so no test's worker can take another test's job. */
function startWorker(workerId: string, operation: 'ADD' | 'CHANGE', handler: JobHandler, onEvent?: (e: WorkerEvent) => void): JobWorker {
  const w = new JobWorker({ url: app.url, token: workerToken, workerId, operations: [operation], handler, waitSeconds: 1, progressEveryMs: 60_000, onEvent });
  void w.start();
  return w;
}

const TABLE_OR_EMPTY = '[data-testid="jobs-table"], [data-testid="jobs-empty"]';
const statusCell = (page: Page, id: string) => page.locator(`tr[data-job-id="${id}"] [data-testid="job-status"]`);

async function waitForText(page: Page, selector: string, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(([s, t]) => document.querySelector(s!)?.textContent?.includes(t!) ?? false, [selector, text], { timeout });
}

/** Tabs of the running test; closed after it even when it fails, so no test meets another's subscriptions. */
const tabs: Array<{ close(): Promise<void> }> = [];
async function openTab(opts?: TabOptions) {
  const tab = await openBrowserTab(opts);
  tabs.push(tab.context);
  return tab;
}
afterEach(async () => {
  await Promise.all(tabs.splice(0).map((c) => c.close().catch(() => undefined)));
});

describe('admin app in Chromium', () => {
  test('serves the app at /admin with its headers, and signs in with a pasted token kept in session storage', async () => {
    const res = await fetch(`${app.url}/admin/jobs`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");

    const { page, problems, context } = await openTab();
    await page.goto(`${app.url}/admin/`);
    await page.getByLabel('Bearer token').fill(admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The dashboard is the first page after sign-in.
    await page.waitForSelector('[data-testid="chart-throughput"]', { timeout: 20_000 });
    expect(await page.textContent('header')).toContain('alice');
    expect(await page.evaluate(() => sessionStorage.getItem('jobservice.token'))).toBe(admin);
    // Still signed in after a reload; signed out by the button, token gone.
    await page.reload();
    await page.waitForSelector('header >> text=alice');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Bearer token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('jobservice.token'))).toBeNull();

    // The dev start-up link: the token arrives in the fragment and leaves the address bar.
    await page.goto(`${app.url}/admin/maintenance#token=${admin}`);
    await page.waitForSelector('header >> text=alice');
    expect(page.url()).toBe(`${app.url}/admin/maintenance`);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a job created through the API appears without a reload and moves through its statuses as a worker runs it', async () => {
    // A first page of jobs to fill the table (an operation no worker here takes); the time from navigation until it shows is reported.
    await createJobs(app.url, submitter, Array.from({ length: 25 }, (_, i) => ({ target: `E2E_SEED_${i}`, operation: 'PATCH_METADATA' })));
    const { page, problems, context } = await openTab({ token: admin });
    await page.goto(`${app.url}/admin/jobs`);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-job-id]').length >= 25, undefined, { timeout: 20_000 });
    const filledMs = await page.evaluate(() => Math.round(performance.now()));

    const id = await createJob('E2E_LIVE');
    await statusCell(page, id).waitFor({ timeout: 20_000 });
    expect(await statusCell(page, id).textContent()).toContain('QUEUED');

    const validating = gate();
    const transforming = gate();
    const seen: string[] = [];
    const worker = startWorker('e2e-live', 'ADD', async (job, ctx) => {
      seen.push(job.id);
      await ctx.reportProgress({ status: 'VALIDATING', progress: 0.25 });
      await validating.wait;
      await ctx.reportProgress({ status: 'TRANSFORMING', progress: 0.5 });
      await transforming.wait;
    });
    try {
      await waitForText(page, `tr[data-job-id="${id}"] [data-testid="job-status"]`, 'VALIDATING');
      validating.open();
      await waitForText(page, `tr[data-job-id="${id}"] [data-testid="job-status"]`, 'TRANSFORMING');
      await page.screenshot({ path: path.join(SHOTS, 'jobs.png') });
      transforming.open();
      await waitForText(page, `tr[data-job-id="${id}"] [data-testid="job-status"]`, 'COMPLETED');
    } finally {
      validating.open();
      transforming.open();
      await worker.stop({ timeoutMs: 5_000 });
    }
    expect(seen).toEqual([id]);

    // The job page: live status, timeline and log of what the worker did.
    await page.locator(`tr[data-job-id="${id}"] a`).first().click();
    await page.waitForURL(`**/admin/jobs/${id}`);
    await waitForText(page, '[data-testid="job-status"]', 'COMPLETED');
    expect(await page.textContent('main')).toContain('VALIDATING');
    await page.screenshot({ path: path.join(SHOTS, 'job.png'), fullPage: true });
    process.stdout.write(`admin e2e: navigation to a filled jobs table (25 rows) took ${filledMs} ms (new browser context, cold cache)\n`);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('live count: a job that leaves the filter is counted out and stays dimmed; new ones are counted in', async () => {
    const { page, problems, context } = await openTab({ token: admin });
    const count = '[data-testid="jobs-count"]';
    // Earlier tests' tabs are closed; wait until the service has let go of their subscriptions too.
    await until('no job subscriptions left from earlier tabs', () => app.bus.subscriberCount('job') === 0, 20_000, 20);
    // Active DELETE_DRAFT jobs: an operation no worker here takes.
    await page.goto(`${app.url}/admin/jobs?operation=DELETE_DRAFT&active=true`);
    await waitForText(page, count, '0 jobs match');
    await until('the page subscribed', () => app.bus.subscriberCount('job') > 0, 20_000, 20);

    const ids = await createJobs(app.url, submitter, [
      { target: 'E2E_COUNT_1', operation: 'DELETE_DRAFT' },
      { target: 'E2E_COUNT_2', operation: 'DELETE_DRAFT' },
    ]);
    await waitForText(page, count, '2 jobs match');
    const cancelled = await gql(app.url, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } } }', { i: { id: ids[0] } }, admin);
    expect(cancelled.body.data).toEqual({ jobCancel: { job: { status: 'CANCELLED' } } });
    await waitForText(page, count, '1 job matches');
    const row = page.locator(`tr[data-job-id="${ids[0]}"]`);
    expect(await row.getAttribute('class')).toMatch(/\bleft\b/);
    expect(await row.getAttribute('title')).toBe('No longer matches the filter');
    // A reload agrees with the live count.
    await page.reload();
    await waitForText(page, count, '1 job matches');
    expect(await page.locator('tr[data-job-id]').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('maintenance switched on in the UI stops claims; the drained indicator turns on when the running job ends', async () => {
    const { page, problems, context } = await openTab({ token: admin });
    const running = await createJob('E2E_DRAIN_RUNNING', 'CHANGE');
    const hold = gate();
    const claimed: string[] = [];
    const refusals: Array<string | null> = [];
    const worker = startWorker(
      'e2e-drain',
      'CHANGE',
      async (job, ctx) => {
        claimed.push(job.id);
        await ctx.reportProgress({ status: 'VALIDATING' });
        if (job.id === running) await hold.wait;
      },
      (e) => e.event === 'noJob' && refusals.push(e.reason),
    );
    try {
      await page.goto(`${app.url}/admin/maintenance`);
      await page.waitForSelector('[data-testid="maintenance-state"]');
      await until('the worker holds the first job', async () => (await jobStatus(running)) === 'VALIDATING', 20_000);

      await page.getByLabel('Message').fill('deploying v2');
      await page.getByRole('button', { name: 'Pause platform' }).click();
      await waitForText(page, '[data-testid="maintenance-state"]', 'Paused');
      await page.waitForSelector('[data-testid="maintenance-banner"]');
      expect(await page.getAttribute('[data-testid="drained"]', 'data-drained')).toBe('false');

      // No claims while paused: a job created now stays QUEUED, and a direct claim is refused.
      const waiting = await createJob('E2E_DRAIN_WAITING', 'CHANGE');
      const claim = await gql<{ jobClaim: { lease: unknown; reason: string } }>(
        app.url,
        'mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token } reason } }',
        { i: { workerId: 'e2e-probe', operations: ['CHANGE'] } },
        workerToken,
      );
      expect(claim.body.data!.jobClaim).toEqual({ lease: null, reason: 'MAINTENANCE' });

      // The running job ends: drained turns on, live, without a reload.
      hold.open();
      await page.waitForSelector('[data-testid="drained"][data-drained="true"]', { timeout: 20_000 });
      // Its slot free, the worker asked for the waiting job and was refused: the job stays QUEUED.
      await until('the worker refused for MAINTENANCE', () => refusals.includes('MAINTENANCE'), 20_000, 20);
      expect(await jobStatus(waiting)).toBe('QUEUED');
      expect(claimed).toEqual([running]);
      await page.screenshot({ path: path.join(SHOTS, 'maintenance.png'), fullPage: true });
      expect(await page.textContent('[data-testid="maintenance-history"]')).toContain('deploying v2');

      // Resume from the UI: the waiting job is claimed again.
      await page.getByLabel('Message').fill('deployed');
      await page.getByRole('button', { name: 'Resume platform' }).click();
      await waitForText(page, '[data-testid="maintenance-state"]', 'Running');
      await until('the waiting job runs after resume', async () => (await jobStatus(waiting)) === 'COMPLETED', 20_000);
      expect(await page.locator('[data-testid="maintenance-banner"]').count()).toBe(0);
    } finally {
      hold.open();
      await worker.stop({ timeoutMs: 5_000 });
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a VIEWER sees no action buttons, and an action forged from the page is refused by the server', async () => {
    const id = await createJob('E2E_VIEWER', 'PATCH_METADATA'); // no worker here takes it: it stays QUEUED
    const { page, problems, context } = await openTab({ token: viewer });
    await page.goto(`${app.url}/admin/jobs/${id}`);
    await waitForText(page, '[data-testid="job-status"]', 'QUEUED');
    for (const name of ['Cancel job', 'Retry job', 'Save changes']) expect(await page.getByRole('button', { name }).count()).toBe(0);

    await page.goto(`${app.url}/admin/maintenance`);
    await page.waitForSelector('[data-testid="maintenance-state"]');
    expect(await page.getByRole('button', { name: /platform/ }).count()).toBe(0);

    await page.goto(`${app.url}/admin/queue`);
    await page.waitForSelector('[data-testid="queue-paused"]');
    for (const name of [/Pause queue/, /Resume queue/, /Clear queue/, /^Disable$/, /^Remove$/]) expect(await page.getByRole('button', { name }).count()).toBe(0);

    await page.goto(`${app.url}/admin/submit`);
    await page.waitForSelector('main h1');
    expect(await page.getByRole('button', { name: 'Submit' }).count()).toBe(0);

    // The same request the OPERATOR's button sends, forged with the viewer's token from the page.
    const forged = await page.evaluate(async (jobId) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('jobservice.token')}` },
        body: JSON.stringify({ query: 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { job { status } userErrors { code } } }', variables: { i: { id: jobId } } }),
      });
      return (await res.json()) as { data: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    }, id);
    expect(forged.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await jobStatus(id)).toBe('QUEUED');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('an OPERATOR cancels and retries a job from its page; a refused change shows its userError', async () => {
    const operator = await token(['OPERATOR'], 'olga');
    const id = await createJob('E2E_ACTIONS', 'PATCH_METADATA');
    const { page, problems, context } = await openTab({ token: operator });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${app.url}/admin/jobs/${id}`);
    await waitForText(page, '[data-testid="job-status"]', 'QUEUED');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await waitForText(page, '[data-testid="job-status"]', 'CANCELLED');
    expect(await jobStatus(id)).toBe('CANCELLED');

    await page.getByRole('button', { name: 'Retry job' }).click();
    await page.waitForURL((u) => /\/admin\/jobs\/[0-9a-f]{24}$/.test(u.pathname) && !u.pathname.endsWith(id), { timeout: 20_000 });
    const retryId = page.url().split('/').pop()!;
    await waitForText(page, '[data-testid="job-status"]', 'QUEUED');
    expect(await jobStatus(retryId)).toBe('QUEUED');

    // QUEUED → COMPLETED is not a legal transition: the server's userError is shown, nothing changes.
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await waitForText(page, 'main', 'INVALID_TRANSITION');
    expect(await jobStatus(retryId)).toBe('QUEUED');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('keyboard: skip link, then a status filter toggled with the space bar narrows the table and the URL', async () => {
    // A cancelled job for the filter to find (this test needs no other test's jobs).
    const cancelled = await createJob('E2E_KEYS', 'PATCH_METADATA');
    const res = await gql(app.url, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { userErrors { code } } }', { i: { id: cancelled } }, admin);
    expect(res.body.errors).toBeUndefined();
    const { page, problems, context } = await openTab({ token: admin });
    await page.goto(`${app.url}/admin/jobs`);
    await page.waitForSelector(TABLE_OR_EMPTY);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // Tab from the start of main until the CANCELLED status checkbox has the focus.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value === 'CANCELLED')) break;
    }
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('CANCELLED');
    await page.keyboard.press('Space');
    await page.waitForURL(/status=CANCELLED/);
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-job-id] [data-testid="job-status"]')].every((td) => td.textContent?.includes('CANCELLED')));
    await page.locator(`tr[data-job-id="${cancelled}"]`).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  test('phone width: the jobs page fits the window and the job page is readable', async () => {
    await createJob('E2E_PHONE', 'PATCH_METADATA'); // a table to show, whatever ran before
    const { page, problems, context } = await openTab({ token: admin, width: 375 });
    await page.goto(`${app.url}/admin/jobs`);
    await page.waitForSelector('[data-testid="jobs-table"]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
