import { Types } from 'mongoose';
import { RedisQueue } from '../../src/queue/index.js';
import { WorkerClient } from '../../src/worker-client/index.js';
import { seedJobs, type BenchEnv } from '../setup.js';
import { closedLoop, summarize, type Sample, type Summary } from '../load.js';

/**
 * Scenario 3: claim + complete over GraphQL (WorkerClient: jobClaim, then
 * jobComplete) with N concurrent worker loops, against a raw ceiling: the same
 * Redis claim and complete scripts driven directly through RedisQueue on a
 * separate key prefix, at the same concurrency, alternating passes.
 */
export interface ClaimCase {
  workers: number;
  svc: Summary;
  raw: Summary;
  passes: { svc: Sample[]; raw: Sample[] };
}

export function readyCount(env: BenchEnv, op = 'ADD'): Promise<number> {
  return env.app.redis.zcard(env.app.queue.keys.ready(op));
}

/** One worker's claim + complete; -1 when the queue is empty. */
export function claimAndComplete(client: WorkerClient, workerId: string): () => Promise<number> {
  return async () => {
    const claimed = await client.claim({ workerId, operations: ['ADD'], waitSeconds: 0 });
    if (!claimed.lease) return -1;
    const done = await client.complete({ id: claimed.lease.job.id, leaseToken: claimed.lease.token });
    if (done.userErrors.length) throw new Error(`complete: ${done.userErrors[0]!.code}`);
    return 1;
  };
}

export async function runClaim(env: BenchEnv, opts: { passes: number; seconds: number; workers: number; rawJobs: number; needBacklog: number }): Promise<ClaimCase> {
  const client = new WorkerClient({ url: env.app.url, token: env.tokens.worker });
  const raw = new RedisQueue({ redis: env.rawRedis, prefix: `benchraw${Date.now().toString(36)}:` });
  const svcPass = async (seconds: number) => {
    const backlog = await readyCount(env);
    if (backlog < opts.needBacklog) await seedJobs(env, `CLAIM${Date.now().toString(36).toUpperCase()}`, opts.needBacklog - backlog);
    const ops = Array.from({ length: opts.workers }, (_, w) => claimAndComplete(client, `bench-w${w}`));
    return closedLoop({ concurrency: opts.workers, seconds, maxOps: 1_000_000, op: (i) => ops[i % opts.workers]!() });
  };
  const rawPass = async () => {
    const ids = Array.from({ length: opts.rawJobs }, () => new Types.ObjectId().toHexString());
    for (let i = 0; i < ids.length; i += 1000) {
      await Promise.all(ids.slice(i, i + 1000).map((id) => raw.enqueue({ id, operation: 'ADD', maxAttempts: 3, runAt: 0 })));
    }
    return closedLoop({
      concurrency: opts.workers, seconds: opts.seconds, maxOps: opts.rawJobs,
      op: async (i) => {
        const c = await raw.claim({ workerId: `raw-w${i % opts.workers}`, operations: ['ADD'] });
        if (!c.job) return -1;
        const done = await raw.complete(c.job.id, c.job.token);
        if (!done.ok) throw new Error('raw complete refused');
        return 1;
      },
    });
  };
  try {
    await svcPass(1); // warm-up
    const passes = { svc: [] as Sample[], raw: [] as Sample[] };
    for (let p = 0; p < opts.passes; p++) {
      passes.raw.push(await rawPass());
      passes.svc.push(await svcPass(opts.seconds));
    }
    return { workers: opts.workers, svc: summarize(passes.svc, opts.seconds), raw: summarize(passes.raw, opts.seconds), passes };
  } finally {
    await raw.clear().catch(() => undefined);
    await raw.close();
  }
}
