/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createJobs, gql, startAppWithIssuer } from './harness/app.js';
import { openTab } from './harness/browser.js';

/**
 * The dashboard in headless Chromium against a real service (built admin app, FerretDB, redis-server):
 * charts drawn, the numbers in its tables equal the jobStats API's, a job finished meanwhile shows up
 * through the poll without a reload, and the page reads at 375 px.
 */
/** The service's clock runs this far behind the real one while the test plays earlier minutes. */
let offsetMs = 0;
let app: Awaited<ReturnType<typeof startAppWithIssuer>>['app'];
let viewer: string;
let submitter: string;
let worker: string;
const SHOTS = path.resolve('.e2e');

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, appOptions: { clock: { now: () => Date.now() - offsetMs }, background: false } });
  app = started.app;
  viewer = await started.token(['VIEWER'], 'vera');
  submitter = await started.token(['SUBMITTER'], 'sue');
  worker = await started.token(['WORKER'], 'bot');
  mkdirSync(SHOTS, { recursive: true });
});

const CLAIM = 'mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } } }';
const COMPLETE = 'mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status } } }';
const FAIL = 'mutation($i: JobFailInput!) { jobFail(input: $i) { job { status } } }';

async function run(operation: string, outcome: 'complete' | 'fail'): Promise<void> {
  const c = await gql<{ jobClaim: { lease: { token: string; job: { id: string } } } }>(app.url, CLAIM, { i: { workerId: 'dash-w', operations: [operation] } }, worker);
  const lease = c.body.data!.jobClaim.lease;
  const input = { id: lease.job.id, leaseToken: lease.token, ...(outcome === 'fail' ? { reason: 'broken input', retryable: false } : {}) };
  const r = await gql(app.url, outcome === 'fail' ? FAIL : COMPLETE, { i: input }, worker);
  expect(r.body.errors).toBeUndefined();
}

async function apiStats(): Promise<{ operations: Array<{ operation: string; created: number; completed: number; failed: number }> }> {
  const res = await gql<{ jobStats: { operations: Array<{ operation: string; created: number; completed: number; failed: number }> } }>(
    app.url,
    'query { jobStats(window: 3600, bucket: 60) { operations { operation created completed failed } } }',
    undefined,
    viewer,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.jobStats;
}

/** Non-blank pixels on the chart's canvas (uPlot draws the series there). */
function inked(page: Page, chart: string): Promise<number> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
    if (!canvas) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  }, chart);
}

const cell = (page: Page, op: string, col: string) => page.textContent(`[data-testid="operations-table"] tr[data-operation="${op}"] td[data-col="${col}"]`);

/** Jobs of an operation no other test here uses, played `minutesAgo` on the service's clock, with a queue depth sample. */
async function playMinute(minutesAgo: number, operation: string, created: number, outcomes: Array<'complete' | 'fail'>): Promise<void> {
  offsetMs = minutesAgo * 60_000;
  await createJobs(app.url, submitter, Array.from({ length: created }, (_, i) => ({ target: `DASH_${operation}_${minutesAgo}_${i}`, operation })));
  for (const o of outcomes) await run(operation, o);
  app.observability.stop();
  app.observability.start(); // a depth sample now
}

test('charts are drawn, the numbers match the API, a finished job arrives live, and the page reads at 375 px', async () => {
  // Earlier minutes of the hour, for the charts to have a shape (ADD and DELETE_DRAFT; CHANGE is checked below).
  for (const [ago, n, done, failed] of [[48, 6, 3, 0], [40, 9, 8, 1], [31, 4, 3, 0], [22, 12, 6, 2], [12, 5, 7, 1], [5, 7, 6, 0]] as const) {
    await playMinute(ago, ago % 2 ? 'ADD' : 'DELETE_DRAFT', n, [...Array<'complete'>(done).fill('complete'), ...Array<'fail'>(failed).fill('fail')]);
  }
  offsetMs = 0;
  await createJobs(app.url, submitter, [
    { target: 'DASH_1', operation: 'CHANGE' },
    { target: 'DASH_2', operation: 'CHANGE' },
    { target: 'DASH_3', operation: 'CHANGE' },
  ]);
  await run('CHANGE', 'complete');
  await run('CHANGE', 'fail');

  const { page, problems, context } = await openTab({ token: viewer });
  await page.goto(`${app.url}/admin/`);
  await page.waitForSelector('[data-testid="operations-table"] tr[data-operation="CHANGE"]', { timeout: 20_000 });
  // Both charts drawn on their canvas.
  for (const chart of ['[data-testid="chart-throughput"]', '[data-testid="chart-depth"]']) {
    await page.waitForFunction((sel) => document.querySelector(`${sel} canvas`) !== null, chart);
  }
  expect(await inked(page, '[data-testid="chart-throughput"]')).toBeGreaterThan(100);
  // The numbers on the page are the API's.
  const api = (await apiStats()).operations.find((o) => o.operation === 'CHANGE')!;
  expect(api).toMatchObject({ created: 3, completed: 1, failed: 1 });
  expect([await cell(page, 'CHANGE', 'created'), await cell(page, 'CHANGE', 'completed'), await cell(page, 'CHANGE', 'failed')]).toEqual(['3', '1', '1']);
  const all = (await apiStats()).operations;
  const sum = (k: 'created' | 'completed' | 'failed') => all.reduce((n, o) => n + o[k], 0);
  expect(await page.textContent('[data-testid="total-created"]')).toBe(String(sum('created')));
  expect(await page.textContent('[data-testid="total-failed"]')).toBe(String(sum('failed')));
  // The numbers behind the throughput chart: keyboard-reachable (a details summary), a row per bucket with data.
  const summary = page.locator('[data-testid="chart-throughput"] summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  const rows = page.locator('[data-testid="table-throughput"] tbody tr[data-start]');
  await rows.first().waitFor();
  const tableCreated = await page.$$eval('[data-testid="table-throughput"] td[data-col="created"]', (tds) => tds.reduce((n, td) => n + Number(td.textContent), 0));
  expect(tableCreated).toBe(sum('created'));
  expect(await page.getAttribute('[data-testid="chart-throughput"] [role="img"]', 'aria-label')).toContain(`Created ${sum('created')}`);
  await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });

  // Live: the third job completes through the API; the poll brings it without a reload.
  await run('CHANGE', 'complete');
  await page.waitForFunction(() => document.querySelector('[data-testid="operations-table"] tr[data-operation="CHANGE"] td[data-col="completed"]')?.textContent === '2', undefined, { timeout: 20_000 });
  expect(await page.textContent('[data-testid="total-completed"]')).toBe(String(sum('completed') + 1));

  // 375 px: nothing wider than the screen but the scrollable tables; the charts fit.
  const narrow = await openTab({ token: viewer, width: 375 });
  await narrow.page.goto(`${app.url}/admin/`);
  await narrow.page.waitForSelector('[data-testid="chart-depth"] canvas', { timeout: 20_000 });
  const widths = await narrow.page.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    chart: document.querySelector('[data-testid="chart-throughput"] canvas')!.getBoundingClientRect().right,
  }));
  expect(widths.doc).toBeLessThanOrEqual(375);
  expect(widths.chart).toBeLessThanOrEqual(375);
  await narrow.page.screenshot({ path: path.join(SHOTS, 'dashboard-375.png'), fullPage: true });
  expect([...problems, ...narrow.problems]).toEqual([]);
  await narrow.context.close();
  await context.close();
});
