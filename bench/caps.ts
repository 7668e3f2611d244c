import { fmt, ratio } from './report.js';
import { runCaps } from './scenarios/caps.js';
import { startBenchEnv } from './setup.js';

/**
 * `npm run bench:caps`: scenario 7 of `npm run bench` alone (claims with a cap on ADD against the same
 * traffic without caps, and the Redis round trips of one jobClaim either way), on its own service process.
 * BENCH_SECONDS sets the pass length (default 5), BENCH_PASSES the passes of each kind (default 2).
 */
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 5);
const passes = Number(env.BENCH_PASSES ?? 2);

async function main(): Promise<void> {
  const b = await startBenchEnv(env);
  try {
    await b.fresh('caps');
    const c = await runCaps(b, { passes, seconds, workers: 10, cap: 2 });
    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(JSON.stringify(c, null, 2));
    out(`no caps: ${fmt(c.free.perSecond)} jobs/s (${fmt(c.free.addShare * 100)}% ADD), ${fmt(c.free.cost.redisRoundTrips, 2)} Redis round trips and ${fmt(c.free.cost.mongo, 2)} MongoDB commands per job`);
    out(`ADD capped at ${c.cap}: ${fmt(c.capped.perSecond)} jobs/s (${fmt(c.capped.addShare * 100)}% ADD, at most ${c.capped.maxAddRunning} ADD held), ${fmt(c.capped.cost.redisRoundTrips, 2)} Redis round trips and ${fmt(c.capped.cost.mongo, 2)} MongoDB commands per job; ${fmt(ratio(c.capped.perSecond, c.free.perSecond), 2)}x`);
    out(`one jobClaim: ${fmt(c.claimRoundTrips.free, 2)} Redis round trips without caps, ${fmt(c.claimRoundTrips.capped, 2)} with (median of ${c.claimRoundTrips.calls})`);
  } finally {
    await b.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:caps failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
