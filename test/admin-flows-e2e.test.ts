/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { openTab } from './harness/browser.js';

/**
 * The admin app's flow view, schedules page and queue caps, end to end: the built app (dist/admin) served by a
 * real service on FerretDB and redis-server, in headless Chromium, changes made through the API meanwhile.
 */
let app: App;
let admin: string;
let workerToken: string;

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url });
  app = started.app;
  admin = await started.token(['ADMIN'], 'alice');
  workerToken = await started.token(['WORKER'], 'worker-bot');
});

async function call<T>(query: string, variables: Record<string, unknown>, token = admin): Promise<T> {
  const res = await gql<Record<string, T>>(app.url, query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return Object.values(res.body.data!)[0]!;
}

async function waitForText(page: Page, selector: string, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(([s, t]) => document.querySelector(s!)?.textContent?.includes(t!) ?? false, [selector, text], { timeout });
}

test('the flow view shows the children and the final job, and follows the final job to QUEUED live', async () => {
  const created = await call<{ flow: { id: string }; results: Array<{ job: { id: string } }> }>(
    `mutation($i: FlowCreateInput!) { flowCreate(input: $i) { flow { id } results { job { id } } userErrors { code } } }`,
    { i: { items: [{ target: 'E2E_FLOW_A', operation: 'DELETE_DRAFT' }, { target: 'E2E_FLOW_B', operation: 'DELETE_DRAFT' }], then: { target: 'E2E_FLOW_FINAL', operation: 'DELETE_ARCHIVE' } } },
  );
  const { page, problems } = await openTab({ token: admin });
  await page.goto(`${app.url}/admin/jobs/${created.flow.id}`);
  await waitForText(page, '[data-testid="job-status"]', 'WAITING');
  await waitForText(page, '[data-testid="flow-children"]', 'E2E_FLOW_B');
  expect(await page.locator('[data-testid="flow-children"] tbody tr').count()).toBe(2);
  // The children run and complete through the API; the page follows without a reload.
  const claimed = await call<{ leases: Array<{ token: string; job: { id: string } }> }>(
    `mutation($i: JobClaimInput!) { jobClaim(input: $i) { leases { token job { id } } } }`,
    { i: { workerId: 'e2e-flow', operations: ['DELETE_DRAFT'], maxJobs: 2 } },
    workerToken,
  );
  for (const l of claimed.leases) await call(`mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { id } } }`, { i: { id: l.job.id, leaseToken: l.token } }, workerToken);
  await waitForText(page, '[data-testid="job-status"]', 'QUEUED');
  await waitForText(page, '[data-testid="flow-counts"]', 'COMPLETED');
  // A child's page links to its flow's final job.
  await page.goto(`${app.url}/admin/jobs/${created.results[0]!.job.id}`);
  await waitForText(page, '[data-testid="job-flow"]', created.flow.id);
  expect(problems).toEqual([]);
}, 90_000);

test('the schedules page previews the next runs, refuses a bad expression with its field, creates, pauses and resumes', async () => {
  const { page, problems } = await openTab({ token: admin });
  await page.goto(`${app.url}/admin/schedules`);
  await page.getByLabel('Name').fill('nightly e2e');
  await page.getByLabel('Cron').fill('61 * * * *');
  await waitForText(page, '[data-testid="schedule-preview"]', 'INVALID_CRON');
  await page.getByLabel('Cron').fill('0 3 * * *');
  await page.getByLabel('Time zone').fill('UTC');
  await waitForText(page, '[data-testid="schedule-preview"]', 'Next runs');
  await page.getByLabel('Target').fill('E2E_SCHED');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await waitForText(page, '[data-testid="schedules"]', 'nightly e2e');
  await page.getByRole('button', { name: 'Pause' }).click();
  await waitForText(page, '[data-testid="schedule"]', 'none while paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="schedule"]')?.textContent?.includes('none while paused'), undefined, { timeout: 20_000 });
  const list = await call<{ nodes: Array<{ name: string; paused: boolean; cron: string }> }>(`{ schedules { nodes { name paused cron } } }`, {});
  expect(list.nodes).toEqual([{ name: 'nightly e2e', paused: false, cron: '0 3 * * *' }]);
  expect(problems).toEqual([]);
}, 90_000);

test('the queue page shows the caps and how full they are; an admin sets one', async () => {
  await call(`mutation { concurrencyCapSet(input: { operation: REMOVE, maxRunning: 4 }) { userErrors { code } } }`, {});
  const { page, problems } = await openTab({ token: admin });
  await page.goto(`${app.url}/admin/queue`);
  await waitForText(page, '[data-testid="queue-caps"]', 'REMOVE');
  await waitForText(page, '[data-testid="queue-caps"]', '0 / 4');
  await page.getByLabel('Operation', { exact: true }).selectOption('ROLLBACK_REMOVE');
  await page.getByLabel('Most starts').fill('10');
  await page.getByLabel('per seconds').fill('60');
  await page.getByRole('button', { name: 'Set cap' }).click();
  await waitForText(page, '[data-testid="queue-caps"]', 'per 60 s');
  const caps = await call<{ caps: Array<{ operation: string; maxStarts: number | null }> }>(`{ queue { caps { operation maxStarts } } }`, {});
  expect(caps.caps).toEqual([{ operation: 'REMOVE', maxStarts: null }, { operation: 'ROLLBACK_REMOVE', maxStarts: 10 }]);
  expect(problems).toEqual([]);
}, 90_000);
