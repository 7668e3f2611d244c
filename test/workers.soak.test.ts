import { startAppWithIssuer } from './harness/app.js';
import { manyWorkersRun } from './scenarios/manyWorkers.js';

/** Soak (`npm run soak`): thousands of jobs through many real workers; the quick suite runs the same check small (workers.test.ts). */
test('20 concurrent workers with 3 jobs in flight each, 5,000 jobs: every job completed exactly once, none lost, never two holders at once', async () => {
  const { app, tokens } = await startAppWithIssuer({ file: import.meta.url, env: { LEASE_SECONDS: '30', REAPER_INTERVAL_MS: '200' } });
  await manyWorkersRun(app, tokens, { jobs: 5000, workers: 20, concurrency: 3, timeoutMs: 540_000 });
}, 600_000);
