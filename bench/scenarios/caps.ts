import { gql, median, sleep, type Cost } from '../load.js';
import { seedJobs, type BenchEnv } from '../setup.js';

/**
 * Scenario 7: claims under a concurrency cap. `workers` loops each claim one job of ADD or CHANGE (a
 * jobClaim), then complete it (a jobComplete without claimNext, so every claim is a call of its own), over
 * one backlog of both operations, large enough that no pass runs dry (sized from a warm-up pass); each job
 * stands for WORK_MS of work between its claim and its complete.
 * Passes alternate: without caps, and with ADD capped at `cap` running
 * (the claim script skips ADD while it is full and takes CHANGE: no head-of-line blocking). Figures per
 * job: jobs/s, and Redis round trips and MongoDB commands in the service; then call by call, the Redis
 * round trips of one jobClaim with and without the cap (the cap is read inside the claim script, so it
 * should cost none).
 */

const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id operation } } userErrors { code } } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { userErrors { code } } }`;

interface Lease {
  token: string;
  job: { id: string; operation: string };
}

/** A worker accepting ADD and CHANGE: one jobClaim, one jobComplete (no claimNext). */
class CapsWorker {
  constructor(
    private readonly env: BenchEnv,
    readonly workerId: string,
  ) {}

  async claim(): Promise<{ lease: Lease | null }> {
    const d = await gql<{ jobClaim: { lease: Lease | null } }>(this.env.svc.url, this.env.tokens.worker, CLAIM, { i: { workerId: this.workerId, operations: ['ADD', 'CHANGE'] } });
    return d.jobClaim;
  }

  async complete(lease: Lease): Promise<void> {
    await gql(this.env.svc.url, this.env.tokens.worker, COMPLETE, { i: { id: lease.job.id, leaseToken: lease.token } });
  }
}

export interface CapsCase {
  workers: number;
  cap: number;
  free: { perSecond: number; cost: Cost; addShare: number };
  capped: { perSecond: number; cost: Cost; addShare: number; maxAddRunning: number };
  /** jobs/s of every pass, in the order run (they alternate). */
  passes: { free: number[]; capped: number[] };
  /** Redis round trips of one jobClaim call (median over `calls`), without and with the cap. */
  claimRoundTrips: { free: number; capped: number; calls: number };
}

/** The work a job stands for, between its claim and its complete (the same for both operations, capped or not). */
const WORK_MS = 5;

const CAP_SET = `mutation($i: ConcurrencyCapSetInput!) { concurrencyCapSet(input: $i) { userErrors { code } } }`;
const CAP_DELETE = `mutation($i: ConcurrencyCapDeleteInput!) { concurrencyCapDelete(input: $i) { userErrors { code } } }`;

export async function runCaps(env: BenchEnv, opts: { passes: number; seconds: number; workers: number; cap: number }): Promise<CapsCase> {
  const setCap = async (on: boolean) => {
    await gql(env.svc.url, env.tokens.admin, on ? CAP_SET : CAP_DELETE, { i: on ? { operation: 'ADD', maxRunning: opts.cap } : { operation: 'ADD' } });
  };
  const workers = Array.from({ length: opts.workers }, (_, k) => new CapsWorker(env, `bench-caps-${k}`));
  let seeded = 0;
  const seed = async (perOp: number) => {
    const tag = `CAP${(seeded++).toString(36).toUpperCase()}${Date.now().toString(36).toUpperCase()}`;
    await Promise.all([seedJobs(env, `${tag}A`, perOp, 'ADD'), seedJobs(env, `${tag}C`, perOp, 'CHANGE')]);
  };

  const pass = async (capped: boolean, seconds = opts.seconds) => {
    await setCap(capped);
    let jobs = 0;
    let adds = 0;
    let maxAdd = 0;
    const before = await env.svc.stats();
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const heldAdds = { n: 0 };
    await Promise.all(
      workers.map(async (w) => {
        while (performance.now() < deadline) {
          const { lease } = await w.claim();
          if (!lease) break;
          const isAdd = lease.job.operation === 'ADD';
          // Held from the claim's answer until the complete is sent: inside the time the queue counts the job,
          // so a number above the cap would show the cap broken.
          if (isAdd) {
            heldAdds.n++;
            maxAdd = Math.max(maxAdd, heldAdds.n);
          }
          await sleep(WORK_MS);
          if (isAdd) {
            heldAdds.n--;
            adds++;
          }
          await w.complete(lease);
          jobs++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    await sleep(300);
    const after = await env.svc.stats();
    const per = (a: number, b: number) => (jobs > 0 ? (a - b) / jobs : NaN);
    const cost: Cost = {
      cpuUs: per(after.cpuUs, before.cpuUs),
      dbCpuUs: per(after.dbCpuUs, before.dbCpuUs),
      redisServerCpuUs: per(after.redisServerCpuUs, before.redisServerCpuUs),
      mongo: per(after.mongo, before.mongo),
      mongoByName: {},
      redisRoundTrips: per(after.redisRoundTrips, before.redisRoundTrips),
      redisCommands: per(after.redisCommands, before.redisCommands),
    };
    await setCap(false);
    return { perSecond: jobs / elapsed, cost, addShare: jobs ? adds / jobs : NaN, maxAdd };
  };

  const free: Array<Awaited<ReturnType<typeof pass>>> = [];
  const capped: Array<Awaited<ReturnType<typeof pass>>> = [];
  // Warm-up, and the rate that sizes the backlog of every pass (each operation: all passes at the full rate, and half again).
  await seed(300);
  const warm = await pass(false, 1);
  await Promise.all(workers.map(drain));
  await seed(Math.max(300, Math.ceil((warm.perSecond || 100) * opts.seconds * opts.passes * 2 * 1.5)));
  for (let p = 0; p < opts.passes; p++) {
    free.push(await pass(false));
    capped.push(await pass(true));
  }
  const claimRoundTrips = { free: await claimCost(env, workers[0]!, false, setCap), capped: await claimCost(env, workers[0]!, true, setCap), calls: 10 };
  const mid = (list: typeof free) => list.slice().sort((a, b) => a.perSecond - b.perSecond)[Math.floor(list.length / 2)]!;
  const f = mid(free);
  const c = mid(capped);
  return {
    workers: opts.workers,
    cap: opts.cap,
    free: { perSecond: f.perSecond, cost: f.cost, addShare: f.addShare },
    capped: { perSecond: c.perSecond, cost: c.cost, addShare: c.addShare, maxAddRunning: Math.max(...capped.map((x) => x.maxAdd)) },
    claimRoundTrips,
    passes: { free: free.map((x) => x.perSecond), capped: capped.map((x) => x.perSecond) },
  };
}

async function drain(w: CapsWorker): Promise<void> {
  for (;;) {
    const { lease } = await w.claim();
    if (!lease) return;
    await w.complete(lease);
  }
}

/** Median Redis round trips of one jobClaim call (then its complete, not counted), with or without the cap. */
async function claimCost(env: BenchEnv, w: CapsWorker, capped: boolean, setCap: (on: boolean) => Promise<void>): Promise<number> {
  await seedJobs(env, `CAPRT${capped ? 'C' : 'F'}${Date.now().toString(36).toUpperCase()}`, 10, 'ADD');
  await setCap(capped);
  await sleep(300);
  const trips: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s0 = await env.svc.stats();
    const { lease } = await w.claim();
    const s1 = await env.svc.stats();
    if (!lease) break;
    trips.push(s1.redisRoundTrips - s0.redisRoundTrips);
    await w.complete(lease);
    await sleep(300);
  }
  await setCap(false);
  return median(trips);
}

