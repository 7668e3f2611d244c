import { startAppWithIssuer } from './harness/app.js';
import { killedWorkersRun } from './scenarios/killedWorkers.js';

/**
 * Soak (`npm run soak`): real-time lease expiry at scale. Five worker processes holding 100 jobs each are
 * killed; their 500 leases (10 s) lapse in real time and 8 rescuers run all 2,000 jobs once each. The quick
 * suite kills one worker holding 50 (recovery.test.ts).
 */
test('5 workers killed with SIGKILL while holding 500 of 2,000 jobs: every job completed once, after the leases lapsed in real time', async () => {
  const { app, tokens } = await startAppWithIssuer({
    file: import.meta.url,
    // Leases long enough that none lapses while the doomed workers live (their progress reports extend them),
    // so each holds exactly its 100 and none has a claim on its way when killed: every attempt is accounted for.
    env: { LEASE_SECONDS: '10', REAPER_INTERVAL_MS: '200', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
  });
  await killedWorkersRun(app, tokens, { jobs: 2000, doomed: 5, held: 100, rescuers: 8, holdTimeoutMs: 120_000, rescueTimeoutMs: 420_000 });
}, 600_000);
