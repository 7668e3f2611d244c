/**
 * Exponential backoff with jitter for retries and requeues after an expired
 * lease. The delay itself is computed inside the scripts that requeue
 * (lua/lib/job.lua `backoff`): base * 2^(attempt-1), capped at maxMs, then
 * scaled by a factor in [1 - jitter, 1 + jitter) so that jobs failing together
 * do not come back together.
 */
export interface BackoffOptions {
  /** Delay after the first failed attempt, in ms. Default 1000. */
  baseMs: number;
  /** Cap on the exponential part, in ms (jitter applies after the cap). Default 300000 (5 min). */
  maxMs: number;
  /** Spread as a fraction of the delay: 0.2 gives ±20%. Default 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 300_000, jitter: 0.2 };
