import http from 'node:http';
import autocannon from 'autocannon';

/**
 * Load generators, all bounded in time and count, all on loopback, all in this
 * process (the load generator). What a pass cost the process it measured (the
 * service's or the reference's) comes from that process's own counters, read
 * over IPC before and after the pass (measure).
 */

/** What one operation cost the measured process: its CPU and, for the service, its MongoDB commands and Redis traffic. */
export interface Cost {
  cpuUs: number;
  /** CPU of the database server (FerretDB) and of redis-server over the same window, per operation (NaN for external backends). */
  dbCpuUs: number;
  redisServerCpuUs: number;
  mongo: number;
  mongoByName: Record<string, number>;
  redisRoundTrips: number;
  redisCommands: number;
}

/** One pass. With no operation finished (ops 0) the rate, latencies and costs are NaN: no sample, never 0. */
export interface Sample {
  /**
   * Units done (jobs), and calls the measured process handled (requests; a batch of 100 jobs is one
   * call). autocannon's calls include requests still in flight when the pass ended: the server did them.
   */
  ops: number;
  calls: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Per operation, in the measured process (absent when the pass measured no process). */
  cost?: Cost;
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
  errors: number;
  cost: Cost;
  /** Passes that finished no operation, and the length asked of a pass. */
  emptyPasses: number;
  passSeconds: number;
}

const NO_COST: Cost = { cpuUs: NaN, dbCpuUs: NaN, redisServerCpuUs: NaN, mongo: NaN, mongoByName: {}, redisRoundTrips: NaN, redisCommands: NaN };

export function summarize(samples: Sample[], passSeconds: number): Summary {
  const emptyPasses = samples.filter((s) => s.ops === 0).length;
  const med = (values: number[]) => (emptyPasses > 0 || values.length === 0 ? NaN : median(values));
  const costs = samples.map((s) => s.cost ?? NO_COST);
  const names = [...new Set(costs.flatMap((c) => Object.keys(c.mongoByName)))].sort();
  return {
    perSecond: med(samples.map((s) => s.perSecond)),
    p50Ms: med(samples.map((s) => s.p50Ms)),
    p99Ms: med(samples.map((s) => s.p99Ms)),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    cost: {
      cpuUs: med(costs.map((c) => c.cpuUs)),
      dbCpuUs: med(costs.map((c) => c.dbCpuUs)),
      redisServerCpuUs: med(costs.map((c) => c.redisServerCpuUs)),
      mongo: med(costs.map((c) => c.mongo)),
      mongoByName: Object.fromEntries(names.map((n) => [n, med(costs.map((c) => c.mongoByName[n] ?? 0))])),
      redisRoundTrips: med(costs.map((c) => c.redisRoundTrips)),
      redisCommands: med(costs.map((c) => c.redisCommands)),
    },
    emptyPasses,
    passSeconds,
  };
}

/** A measured process's counters (the service's; the reference reports CPU only). */
export interface ProcStats {
  cpuUs: number;
  dbCpuUs?: number;
  redisServerCpuUs?: number;
  mongo?: number;
  mongoByName?: Record<string, number>;
  redisRoundTrips?: number;
  redisCommands?: number;
}

/** How long after a pass its trailing work (a queue-stats publish waits up to 250 ms) is still counted. */
export const TRAIL_MS = 300;

/**
 * Runs one pass and charges what the measured process did meanwhile (read
 * before the pass and TRAIL_MS after it) to the pass's units (`per` 'op') or
 * calls ('call'): CPU, MongoDB commands (by name), Redis round trips and commands.
 */
export async function measure<S extends Sample>(stats: () => Promise<ProcStats>, pass: () => Promise<S>, per: 'op' | 'call' = 'op'): Promise<S> {
  const before = await stats();
  const sample = await pass();
  await sleep(TRAIL_MS);
  const after = await stats();
  return { ...sample, cost: costBetween(before, after, sample.ops > 0 ? (per === 'op' ? sample.ops : sample.calls) : 0) };
}

/** What happened between two readings of a process's counters, per one of `n` operations (NaN without operations). */
export function costBetween(before: ProcStats, after: ProcStats, n: number): Cost {
  const per = (a: number | undefined, b: number | undefined) => (n > 0 && a !== undefined && b !== undefined ? (a - b) / n : NaN);
  const names = new Set([...Object.keys(after.mongoByName ?? {}), ...Object.keys(before.mongoByName ?? {})]);
  return {
    cpuUs: per(after.cpuUs, before.cpuUs),
    dbCpuUs: per(after.dbCpuUs, before.dbCpuUs),
    redisServerCpuUs: per(after.redisServerCpuUs, before.redisServerCpuUs),
    mongo: per(after.mongo, before.mongo),
    mongoByName: Object.fromEntries([...names].map((k) => [k, per(after.mongoByName?.[k] ?? 0, before.mongoByName?.[k] ?? 0)]).filter(([, v]) => v !== 0)),
    redisRoundTrips: per(after.redisRoundTrips, before.redisRoundTrips),
    redisCommands: per(after.redisCommands, before.redisCommands),
  };
}

/** Closed-loop HTTP load with autocannon: `connections` keep-alive sockets for `seconds`. */
export async function httpLoad(opts: { url: string; body: string; headers: Record<string, string>; connections: number; seconds: number }): Promise<Sample> {
  const r = await autocannon({
    url: opts.url,
    method: 'POST',
    body: opts.body,
    headers: { 'content-type': 'application/json', ...opts.headers },
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
  });
  const ok = r.requests.total - r.non2xx;
  // autocannon reports latency 0 when nothing finished: that is no sample.
  return {
    ops: ok,
    calls: r.requests.sent,
    seconds: r.duration,
    perSecond: ok > 0 ? ok / r.duration : NaN,
    p50Ms: ok > 0 ? r.latency.p50 : NaN,
    p99Ms: ok > 0 ? r.latency.p99 : NaN,
    errors: r.errors + r.timeouts + r.non2xx,
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
  latencies.sort((a, b) => a - b);
  return {
    ops: units,
    calls: latencies.length,
    seconds,
    perSecond: units > 0 ? units / seconds : NaN,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
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

// node:http with keep-alive rather than fetch: the load generator shares the 2 cores with what it measures, and costs less this way.
const agent = new http.Agent({ keepAlive: true });

/** POSTs one GraphQL operation (30 s bound); throws on transport or GraphQL errors. */
export function gql<T>(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const body = JSON.stringify({ query, variables });
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      { method: 'POST', agent, timeout: 30_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: Array<{ message: string }> };
            if (parsed.errors?.length || !parsed.data) reject(new Error(`GraphQL: ${parsed.errors?.[0]?.message ?? res.statusCode}`));
            else resolve(parsed.data);
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
