import { WorkerClient } from '../../src/worker-client/index.js';
import type { BenchEnv } from '../setup.js';
import { gql, percentile, sleep } from '../load.js';

/**
 * Scenario 4: enqueue-to-start latency. One worker long-polls jobClaim
 * (waitSeconds 5) on an empty CHANGE queue; each sample enqueues one CHANGE job
 * and measures until that worker holds the lease. Two clocks: from sending
 * jobsCreate, and from the job's createdAt (set by the service before its insert).
 */
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id createdAt } } } }';

export interface LatencyResult {
  samples: number;
  missed: number;
  fromSend: { p50Ms: number; p99Ms: number };
  fromCreatedAt: { p50Ms: number; p99Ms: number };
}

const wallNow = () => performance.timeOrigin + performance.now();

export async function runLatency(env: BenchEnv, opts: { samples: number; maxSeconds: number }): Promise<LatencyResult> {
  const client = new WorkerClient({ url: env.app.url, token: env.tokens.worker });
  const fromSend: number[] = [];
  const fromCreated: number[] = [];
  let missed = 0;
  const prefix = `LAT${Date.now().toString(36).toUpperCase()}`;
  const deadline = Date.now() + opts.maxSeconds * 1000;
  for (let i = 0; i < opts.samples && Date.now() < deadline; i++) {
    const claim = client.claim({ workerId: 'bench-latency', operations: ['CHANGE'], waitSeconds: 5 }).then((r) => ({ r, at: wallNow() }));
    await sleep(15); // let the long poll park on the wake channel
    const sent = wallNow();
    const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string; createdAt: string } | null }> } }>(env.app.url, env.tokens.submitter, CREATE, {
      i: { items: [{ target: `${prefix}_${i}`, operation: 'CHANGE' }] },
    }).catch(() => null);
    const job = created?.jobsCreate.results[0]?.job;
    const { r, at } = await claim.catch(() => ({ r: { lease: null }, at: NaN }));
    if (!job || !r.lease || r.lease.job.id !== job.id) {
      missed++;
      continue;
    }
    fromSend.push(at - sent);
    fromCreated.push(at - Date.parse(job.createdAt));
    await client.complete({ id: r.lease.job.id, leaseToken: r.lease.token }).catch(() => undefined);
  }
  fromSend.sort((a, b) => a - b);
  fromCreated.sort((a, b) => a - b);
  return {
    samples: fromSend.length,
    missed,
    fromSend: { p50Ms: percentile(fromSend, 50), p99Ms: percentile(fromSend, 99) },
    fromCreatedAt: { p50Ms: percentile(fromCreated, 50), p99Ms: percentile(fromCreated, 99) },
  };
}
