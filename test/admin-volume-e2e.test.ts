/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import type { App } from '../src/app.js';
import { WorkerClient } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer } from './harness/app.js';
import { openTab } from './harness/browser.js';

/**
 * The admin app's volume flows in headless Chromium against a real service (FerretDB, redis-server):
 * every job matching the jobs page's filter cancelled after a dry-run count and a confirmation (and
 * refused when the filter grew in between), the Failed page grouped by reason with a bulk re-run, and
 * the retention settings and last pass on the queue page. Each fails on a console error or warning.
 */
let app: App;
let token: (roles: string[], sub?: string) => Promise<string>;
let operator: string;
let workerToken: string;

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, env: { RETENTION_COMPLETED_HOURS: '24', RETENTION_FAILED_HOURS: '168', RETENTION_MAX_TERMINAL_JOBS: '5000' }, appOptions: { background: false } });
  app = started.app;
  token = started.token;
  operator = await token(['OPERATOR'], 'olga');
  workerToken = await token(['WORKER'], 'worker-bot');
});

async function statuses(ids: string[]): Promise<string[]> {
  const res = await gql<{ jobs: { nodes: Array<{ id: string; status: string }> } }>(app.url, 'query($f: JobFilter) { jobs(filter: $f, first: 100) { nodes { id status } } }', { f: {} }, operator);
  const byId = new Map(res.body.data!.jobs.nodes.map((j) => [j.id, j.status]));
  return ids.map((id) => byId.get(id) ?? 'missing');
}

async function waitForText(page: Page, selector: string, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(([s, t]) => document.querySelector(s!)?.textContent?.includes(t!) ?? false, [selector, text], { timeout });
}

test('jobs page: cancel every job matching the filter after the dry-run count and a confirmation; a filter that grew meanwhile is refused', async () => {
  const submitter = await token(['SUBMITTER'], 'bulk-ui');
  const ids = await createJobs(app.url, submitter, Array.from({ length: 12 }, (_, i) => ({ target: `UI_BULK_${i}`, operation: 'DELETE_DRAFT' })));
  const { page, problems, context } = await openTab({ token: operator });
  await page.goto(`${app.url}/admin/jobs?createdBy=bulk-ui`);
  await waitForText(page, '[data-testid="jobs-count"]', '12 jobs match');

  // The filter grows between the count and the confirmation: refused, nothing changes.
  await page.getByRole('button', { name: 'Cancel all matching jobs…' }).click();
  await waitForText(page, '[data-testid="bulk-count"]', '12');
  const [extra] = await createJobs(app.url, submitter, [{ target: 'UI_BULK_EXTRA', operation: 'DELETE_DRAFT' }]);
  await page.getByRole('button', { name: 'Cancel 12 jobs' }).click();
  await waitForText(page, '[data-testid="bulk-actions"]', 'COUNT_ABOVE_EXPECTED');
  expect(new Set(await statuses([...ids, extra!]))).toEqual(new Set(['QUEUED']));

  // Counted again: 13, confirmed with a reason, done.
  await page.getByRole('button', { name: 'Cancel all matching jobs…' }).click();
  await waitForText(page, '[data-testid="bulk-count"]', '13');
  await page.getByLabel("Reason (written to each job's log)").fill('wrong upload');
  await page.getByRole('button', { name: 'Cancel 13 jobs' }).click();
  await page.waitForSelector('[data-testid="bulk-progress"][data-state="DONE"]', { timeout: 30_000 });
  expect(await page.textContent('[data-testid="bulk-progress"]')).toContain('13 of 13 handled, 13 cancelled, 0 not');
  expect(new Set(await statuses([...ids, extra!]))).toEqual(new Set(['CANCELLED']));
  expect(problems).toEqual([]);
  await context.close();
});

test('Failed page: dead-letter jobs grouped by reason; one reason re-run in bulk', async () => {
  const submitter = await token(['SUBMITTER'], 'failed-ui');
  const ids = await createJobs(app.url, submitter, Array.from({ length: 5 }, (_, i) => ({ target: `UI_FAIL_${i}`, operation: 'REMOVE', description: 'gone' })));
  const worker = new WorkerClient({ url: app.url, token: workerToken });
  const { leases } = await worker.claim({ workerId: 'ui-fail', operations: ['REMOVE'], maxJobs: 10 });
  expect(leases).toHaveLength(5);
  for (const [i, l] of leases.entries()) {
    expect((await worker.fail({ id: l.job.id, leaseToken: l.token, reason: i < 3 ? 'checksum mismatch' : 'source gone', retryable: false })).userErrors).toEqual([]);
  }
  const { page, problems, context } = await openTab({ token: operator });
  await page.goto(`${app.url}/admin/failed`);
  await waitForText(page, '[data-testid="failed-total"]', '5');
  const row = page.locator('tr[data-reason="checksum mismatch"]');
  expect(await row.textContent()).toContain('3');
  await row.getByRole('button', { name: 'Retry these…' }).click();
  await waitForText(page, 'tr[data-reason="checksum mismatch"] [data-testid="bulk-count"]', '3');
  await row.getByRole('button', { name: 'Retry 3 jobs' }).click();
  await page.waitForSelector('tr[data-reason="checksum mismatch"] [data-testid="bulk-progress"][data-state="DONE"]', { timeout: 30_000 });
  const res = await gql<{ jobs: { nodes: Array<{ id: string; retriedBy: { id: string } | null; failureReason: string }> } }>(
    app.url,
    'query($f: JobFilter) { jobs(filter: $f) { nodes { id failureReason retriedBy { id } } } }',
    { f: { createdBy: 'failed-ui' } },
    operator,
  );
  const nodes = res.body.data!.jobs.nodes.filter((j) => ids.includes(j.id));
  expect(nodes.filter((j) => j.retriedBy).map((j) => j.failureReason)).toEqual(['checksum mismatch', 'checksum mismatch', 'checksum mismatch']);
  expect(nodes.filter((j) => !j.retriedBy).map((j) => j.failureReason)).toEqual(['source gone', 'source gone']);
  // The reason's link opens the jobs page with the dead-letter filter.
  await page.reload();
  await waitForText(page, '[data-testid="failed-total"]', '2');
  await page.getByRole('link', { name: 'source gone' }).click();
  await waitForText(page, '[data-testid="jobs-count"]', '2 jobs match');
  expect(page.url()).toContain('deadLetter=true');
  expect(problems).toEqual([]);
  await context.close();
});

test('queue page: the retention settings and the last pass', async () => {
  const pass = await app.services.retention.runOnce();
  expect(pass).not.toBeNull();
  const { page, problems, context } = await openTab({ token: await token(['VIEWER'], 'vera') });
  await page.goto(`${app.url}/admin/queue`);
  await waitForText(page, '[data-testid="retention-completed"]', '1 day');
  expect(await page.textContent('[data-testid="retention-failed"]')).toBe('7 days');
  await waitForText(page, '[data-testid="retention-last"]', 'removed 0 completed, 0 failed, 0 cancelled');
  expect(problems).toEqual([]);
  await context.close();
});
