import { gql, percentile, sleep, type Cost } from '../load.js';
import type { BenchEnv } from '../setup.js';
import { BenchWorker } from '../worker.js';

/**
 * Scenario 4: enqueue-to-start latency. One worker long-polls jobClaim
 * (waitSeconds 5) on an empty CHANGE queue; each sample enqueues one CHANGE job
 * and measures until that worker holds the lease, then completes it. Two clocks:
 * from sending jobsCreate (this process's monotonic clock), and from the job's
 * createdAt (the service's wall clock, set before its insert; compared with
 * this process's wall clock, same machine, ms resolution).
 */
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id createdAt } } } }';

export interface LatencyResult {
  samples: number;
  missed: number;
  fromSend: { p50Ms: number; p99Ms: number };
  fromCreatedAt: { p50Ms: number; p99Ms: number };
  /** Per sample (jobsCreate, the long-polled claim, the complete), in the service's process. */
  cost: Cost;
}

export async function runLatency(env: BenchEnv, opts: { samples: number; maxSeconds: number }): Promise<LatencyResult> {
  const worker = new BenchWorker(env.svc.url, env.tokens.worker, 'bench-latency', ['CHANGE']);
  const fromSend: number[] = [];
  const fromCreated: number[] = [];
  let missed = 0;
  const prefix = `LAT${Date.now().toString(36).toUpperCase()}`;
  const deadline = Date.now() + opts.maxSeconds * 1000;
  const before = await env.svc.stats();
  let i = 0;
  for (; i < opts.samples && Date.now() < deadline; i++) {
    const claim = worker.claim(5).then((r) => ({ lease: r.lease, wall: Date.now(), mono: performance.now() }));
    await sleep(15); // let the long poll park on the wake channel
    const sent = performance.now();
    const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string; createdAt: string } | null }> } }>(env.svc.url, env.tokens.submitter, CREATE, {
      i: { items: [{ target: `${prefix}_${i}`, operation: 'CHANGE' }] },
    }).catch(() => null);
    const job = created?.jobsCreate.results[0]?.job;
    const got = await claim.catch(() => ({ lease: null, wall: NaN, mono: NaN }));
    if (!job || !got.lease || got.lease.job.id !== job.id) {
      missed++;
      continue;
    }
    fromSend.push(got.mono - sent);
    fromCreated.push(got.wall - Date.parse(job.createdAt));
    await worker.complete(got.lease, false).catch(() => undefined);
  }
  await sleep(300);
  const after = await env.svc.stats();
  fromSend.sort((a, b) => a - b);
  fromCreated.sort((a, b) => a - b);
  const per = (a: number, b: number) => (i > 0 ? (a - b) / i : NaN);
  return {
    samples: fromSend.length,
    missed,
    fromSend: { p50Ms: percentile(fromSend, 50), p99Ms: percentile(fromSend, 99) },
    fromCreatedAt: { p50Ms: percentile(fromCreated, 50), p99Ms: percentile(fromCreated, 99) },
    cost: {
      cpuUs: per(after.cpuUs, before.cpuUs),
      dbCpuUs: per(after.dbCpuUs, before.dbCpuUs),
      redisServerCpuUs: per(after.redisServerCpuUs, before.redisServerCpuUs),
      mongo: per(after.mongo, before.mongo),
      mongoByName: Object.fromEntries(Object.entries(after.mongoByName).map(([k, v]) => [k, per(v, before.mongoByName[k] ?? 0)])),
      redisRoundTrips: per(after.redisRoundTrips, before.redisRoundTrips),
      redisCommands: per(after.redisCommands, before.redisCommands),
    },
  };
}
