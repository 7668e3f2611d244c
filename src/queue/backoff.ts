/** Exponential backoff with jitter for retries and requeues after an expired lease. */
export interface BackoffOptions {
  /** Delay after the first failed attempt, in ms. Default 1000. */
  baseMs: number;
  /** Cap on the exponential part, in ms (jitter applies after the cap). Default 300000 (5 min). */
  maxMs: number;
  /** Spread as a fraction of the delay: 0.2 gives ±20%. Default 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 300_000, jitter: 0.2 };

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based):
 * base * 2^(attempt-1), capped, then scaled by a factor in [1 - jitter, 1 + jitter)
 * drawn from `random` (a [0, 1) source, Math.random by default) so that jobs
 * failing together do not come back together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^exponent overflows to Infinity for large attempts; the cap bounds it anyway.
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 1023));
  const factor = 1 + options.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(raw * factor));
}
