import autocannon from 'autocannon';

/**
 * Load generators, all bounded in time and count, all on loopback. CPU figures
 * are process.cpuUsage() deltas of this process, which hosts the server under
 * test and the load generator alike.
 */

/** One pass. With no operation finished (ops 0) the rate and latencies are NaN: no sample, never 0. */
export interface Sample {
  ops: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Process CPU (user + system) per operation, µs. */
  cpuUsPerOp: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Medians over passes; a figure is NaN (no sample) when any pass finished nothing. */
export interface Summary {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOp: number;
  errors: number;
  /** Passes that finished no operation, and the length asked of a pass. */
  emptyPasses: number;
  passSeconds: number;
}

export function summarize(samples: Sample[], passSeconds: number): Summary {
  const emptyPasses = samples.filter((s) => s.ops === 0).length;
  const med = (values: number[]) => (emptyPasses > 0 || values.length === 0 ? NaN : median(values));
  return {
    perSecond: med(samples.map((s) => s.perSecond)),
    p50Ms: med(samples.map((s) => s.p50Ms)),
    p99Ms: med(samples.map((s) => s.p99Ms)),
    cpuUsPerOp: med(samples.map((s) => s.cpuUsPerOp)),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    emptyPasses,
    passSeconds,
  };
}

export function cpuMicros(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

/** Closed-loop HTTP load with autocannon: `connections` keep-alive sockets for `seconds`. */
export async function httpLoad(opts: { url: string; body: string; headers: Record<string, string>; connections: number; seconds: number }): Promise<Sample> {
  const cpu = process.cpuUsage();
  const r = await autocannon({
    url: opts.url,
    method: 'POST',
    body: opts.body,
    headers: { 'content-type': 'application/json', ...opts.headers },
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
  });
  const used = cpuMicros(cpu);
  const ok = r.requests.total - r.non2xx;
  // autocannon reports latency 0 when nothing finished: that is no sample.
  return {
    ops: ok,
    seconds: r.duration,
    perSecond: ok > 0 ? ok / r.duration : NaN,
    p50Ms: ok > 0 ? r.latency.p50 : NaN,
    p99Ms: ok > 0 ? r.latency.p99 : NaN,
    errors: r.errors + r.timeouts + r.non2xx,
    cpuUsPerOp: ok > 0 ? used / ok : NaN,
  };
}

/**
 * Runs `op` in `concurrency` loops until `seconds` pass or `maxOps` operations
 * started. `op` returns how many units it did (e.g. jobs in a batch), or -1 when
 * there is no more work (that loop ends); latencies are per call. A thrown
 * error counts and the loop goes on.
 */
export async function closedLoop(opts: { concurrency: number; seconds: number; maxOps: number; op: (i: number) => Promise<number> }): Promise<Sample> {
  const latencies: number[] = [];
  let started = 0;
  let units = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.seconds * 1000;
  const cpu = process.cpuUsage();
  const loop = async () => {
    while (performance.now() < deadline && started < opts.maxOps) {
      const i = started++;
      const s = performance.now();
      try {
        const done = await opts.op(i);
        if (done < 0) return;
        units += done;
        latencies.push(performance.now() - s);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  const seconds = (performance.now() - t0) / 1000;
  const used = cpuMicros(cpu);
  latencies.sort((a, b) => a - b);
  return {
    ops: units,
    seconds,
    perSecond: units > 0 ? units / seconds : NaN,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    cpuUsPerOp: units > 0 ? used / units : NaN,
  };
}

/** Calls `fn` about `perSecond` times a second until `stop` is set (a paced, open-loop producer); not at all without a positive rate. */
export async function paced(perSecond: number, stop: { done: boolean }, fn: () => Promise<unknown>): Promise<number> {
  if (!(perSecond > 0)) return 0;
  const interval = 1000 / perSecond;
  const t0 = performance.now();
  let n = 0;
  while (!stop.done) {
    const due = t0 + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stop.done) break;
    n++;
    await fn().catch(() => undefined);
  }
  return n;
}

/** POSTs one GraphQL operation; throws on transport or GraphQL errors. */
export async function gql<T>(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${body.errors?.[0]?.message ?? res.status}`);
  return body.data;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
