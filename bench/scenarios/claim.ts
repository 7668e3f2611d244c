import { mongo, type Types } from 'mongoose';
import { mongoCommandCount, mongoCommandCounts } from '../../src/db/mongo.js';
import { createLogger } from '../../src/logger.js';
import type { JobModel } from '../../src/models/job.js';
import type { JobLogModel } from '../../src/models/jobLog.js';
import { JobLogStore } from '../../src/services/jobLogs.js';
import { LEASE_FIELDS } from '../../src/services/jobRules.js';
import { JobWriter, type JobWrite } from '../../src/services/jobWriter.js';
import { insertRawJobs, RAW_COLLECTION, rawCount } from '../raw.js';
import { jobCount, readyCount, seedJobs, type BenchEnv } from '../setup.js';
import { costBetween, percentile, sleep, summarize, TRAIL_MS, type Cost, type ProcStats, type Sample, type Summary } from '../load.js';
import { BenchWorker, type Lease } from '../worker.js';

/**
 * Scenario 3, the hot path: per job a claim, one progress report (a stage
 * change, so it is recorded) and a complete that claims the next job in the
 * same call (jobComplete claimNext), in N worker loops over GraphQL.
 *
 * Measured in steady state (steadyPass): every loop takes its first job before
 * the window opens and ends the job it holds after the window closed, so each
 * job counted in the window cost exactly one progress report and one complete
 * that claimed its successor, the claim of a job being paid by its predecessor.
 *
 * Against two same-run ceilings of the job's minimal writes on the same
 * database, at the same concurrency and in the same pattern (progress; then
 * complete this job while claiming the next): the three updates by `_id` as
 * raw findOneAndUpdate commands, and as raw bulkWrite batches made by the
 * service's own JobWriter (src/services/jobWriter.ts: its batching, its
 * sequence guard), writing the raw collection through the driver.
 * Passes alternate service, findOneAndUpdate, bulkWrite; each on new jobs.
 */
export interface ClaimCase {
  workers: number;
  /** At 1 worker: what each call costs, measured call by call with pauses between (see callBreakdown). */
  perCall?: CallBreakdown;
  svc: Summary;
  findOneAndUpdate: Summary;
  bulkWrite: Summary;
  /** Loops that found nothing to take before their pass ended (the backlog ran dry), over all passes. */
  dry: { svc: number; findOneAndUpdate: number; bulkWrite: number };
  /** Jobs in the service's collection at the start and the end, and in the raw collection at the end. */
  sizes: { jobsBefore: number; jobsAfter: number; raw: number };
  passes: { svc: Sample[]; findOneAndUpdate: Sample[]; bulkWrite: Sample[] };
}

type Pass = Sample & { dry: number };

/** A worker loop's steps: take its first job; do one job (progress, then complete while taking the next; null when there is none); end the job it holds. */
interface Steps<J> {
  first(loop: number): Promise<J | null>;
  job(loop: number, current: J): Promise<J | null>;
  last(loop: number, current: J): Promise<unknown>;
}

/**
 * One pass of `loops` loops in steady state: each loop takes its first job, then
 * the window opens (`stats` read) and loops do jobs until `seconds` pass or
 * `maxJobs` started; the window closes TRAIL_MS after the last loop stopped
 * (`stats` read again), and only then are the jobs still held ended. A loop whose
 * job fails takes a new one.
 */
export async function steadyPass<J>(loops: number, seconds: number, maxJobs: number, steps: Steps<J>, stats?: () => Promise<ProcStats>): Promise<Pass> {
  const held = await Promise.all(Array.from({ length: loops }, (_, k) => steps.first(k).catch(() => null)));
  let dry = held.filter((h) => !h).length;
  const before = stats ? await stats() : undefined;
  const latencies: number[] = [];
  let started = 0;
  let jobs = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const loop = async (k: number) => {
    while (held[k] && performance.now() < deadline && started < maxJobs) {
      started++;
      const s = performance.now();
      try {
        held[k] = await steps.job(k, held[k]!);
        jobs++;
        latencies.push(performance.now() - s);
        if (!held[k]) dry++;
      } catch {
        errors++;
        held[k] = await steps.first(k).catch(() => null);
      }
    }
  };
  await Promise.all(held.map((_, k) => loop(k)));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pass: Pass = { ops: jobs, calls: jobs, seconds: elapsed, perSecond: jobs > 0 ? jobs / elapsed : NaN, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, dry };
  if (stats && before) {
    await sleep(TRAIL_MS);
    pass.cost = costBetween(before, await stats(), jobs);
  }
  await Promise.all(held.map((h, k) => (h ? steps.last(k, h).catch(() => undefined) : null)));
  return pass;
}

/** The service's steps: GraphQL worker calls. */
export function serviceSteps(env: BenchEnv, loops: number): Steps<Lease> {
  const workers = Array.from({ length: loops }, (_, k) => new BenchWorker(env.svc.url, env.tokens.worker, `bench-w${k}`));
  return {
    first: async (k) => (await workers[k]!.claim(0)).lease,
    job: async (k, lease) => {
      await workers[k]!.progress(lease, 'VALIDATING', 0.5);
      return (await workers[k]!.complete(lease, true)).next;
    },
    last: (k, lease) => workers[k]!.complete(lease, false),
  };
}

type RawJob = Record<'claim' | 'progress' | 'complete', JobWrite>;

/** A ceiling's steps over `ids`: the same three writes, complete and the next claim together. The job a loop holds at the end needs no ending. */
function rawSteps(ids: Types.ObjectId[], write: (w: JobWrite) => Promise<unknown>): Steps<RawJob> {
  let next = 0;
  const take = (k: number) => (next < ids.length ? jobWrites(ids[next++]!, `raw-w${k}`) : null);
  return {
    first: async (k) => {
      const job = take(k);
      if (job) await write(job.claim);
      return job;
    },
    job: async (k, job) => {
      await write(job.progress);
      const after = take(k);
      await Promise.all([write(job.complete), after ? write(after.claim) : null]);
      return after;
    },
    last: async () => undefined,
  };
}

/** The three writes of a job, as the lifecycle records them (hot fields at the queue's sequence number, a log line each). */
function jobWrites(id: Types.ObjectId, workerId: string): RawJob {
  const at = new Date();
  const lease = { workerId, leaseToken: '1', leaseExpiresAt: new Date(at.getTime() + 30_000), startedAt: at, runAt: null };
  const hot = { attempts: 1, cancelRequested: false, updatedAt: at };
  return {
    claim: { id, seq: 2, set: { status: 'INITIATED', ...hot, ...lease }, unset: [], log: [{ at, actor: workerId, message: 'claimed (attempt 1 of 3)', status: 'INITIATED' }] },
    progress: { id, seq: 3, set: { status: 'VALIDATING', ...hot, ...lease, progress: 0.5 }, unset: [], log: [{ at, actor: workerId, message: 'status INITIATED → VALIDATING', status: 'VALIDATING' }] },
    complete: { id, seq: 4, set: { status: 'COMPLETED', ...hot, workerId, progress: 0.5, finishedAt: at }, unset: [...LEASE_FIELDS, 'activeTarget'], log: [{ at, actor: workerId, message: 'completed', status: 'COMPLETED' }] },
  } as unknown as RawJob;
}

/** The update document of a write, as JobWriter builds it. */
function updateOf(write: JobWrite): Record<string, unknown> {
  const update: Record<string, unknown> = { $set: { ...write.set, seq: write.seq } };
  if (write.unset?.length) update.$unset = Object.fromEntries(write.unset.map((f) => [f, 1]));
  if (write.log?.length) update.$push = { log: { $each: write.log } };
  return update;
}

/** How many jobs a pass may need: 1.5× the rate seen so far, at least 500, at most 30,000. */
const need = (perSecond: number, seconds: number) => Math.min(30_000, Math.max(500, Math.ceil((Number.isFinite(perSecond) ? perSecond : 200) * seconds * 1.5)));

/** One worker count. The raw collection must exist (prepareRawCollection): it grows from case to case, as the jobs collection does. */
export async function runClaim(env: BenchEnv, opts: { passes: number; seconds: number; workers: number }): Promise<ClaimCase> {
  const coll = env.db.db!.collection(RAW_COLLECTION);
  const tag = () => `CL${opts.workers}_${Date.now().toString(36).toUpperCase()}`;
  // The ceilings' own commands are counted on this process's connection; its CPU is the load generator's, so left out.
  const rawStats = async (): Promise<ProcStats> => ({ cpuUs: NaN, mongo: mongoCommandCount(env.db), mongoByName: mongoCommandCounts(env.db), ...env.backendCpu() });

  const svc = async (seconds: number, expect: number) => {
    const want = need(expect, seconds);
    const ready = await readyCount(env);
    if (ready < want) await seedJobs(env, tag(), want - ready);
    return steadyPass(opts.workers, seconds, want, serviceSteps(env, opts.workers), () => env.svc.stats());
  };
  const foau = async (seconds: number, expect: number) => {
    const ids = await insertRawJobs(env, tag(), need(expect, seconds));
    return steadyPass(opts.workers, seconds, ids.length, rawSteps(ids, (w) => coll.findOneAndUpdate({ _id: w.id }, updateOf(w), { returnDocument: 'after' })), rawStats);
  };
  const bulk = async (seconds: number, expect: number) => {
    const ids = await insertRawJobs(env, tag(), need(expect, seconds));
    // The service's own batching, on the raw collection through the driver.
    // Log lines go into the raw jobs' documents; ended jobs' lines are moved to a raw log collection of their own by the service's log mover.
    const logs = new JobLogStore({ collection: env.db.db!.collection(`${RAW_COLLECTION}_log`) } as unknown as JobLogModel, { collection: coll } as unknown as JobModel, 1000, createLogger('warn', 'bench-raw'));
    const writer = new JobWriter({ bulkWrite: (ops: mongo.AnyBulkWriteOperation[], o: mongo.BulkWriteOptions) => coll.bulkWrite(ops, o) } as unknown as JobModel, { logger: createLogger('warn', 'bench-raw'), logs });
    try {
      return await steadyPass(opts.workers, seconds, ids.length, rawSteps(ids, (w) => writer.write(w)), rawStats);
    } finally {
      await writer.drain();
      await logs.drain();
    }
  };

  const jobsBefore = await jobCount(env);
  // Warm-up (JIT, pools) and a first rate for sizing the passes.
  const warm = { svc: await svc(1, NaN), findOneAndUpdate: await foau(1, NaN), bulkWrite: await bulk(1, NaN) };
  const passes = { svc: [] as Pass[], findOneAndUpdate: [] as Pass[], bulkWrite: [] as Pass[] };
  const rate = (list: Pass[], w: Pass) => Math.max(w.perSecond || 0, ...list.map((p) => p.perSecond || 0));
  for (let p = 0; p < opts.passes; p++) {
    passes.svc.push(await svc(opts.seconds, rate(passes.svc, warm.svc)));
    passes.findOneAndUpdate.push(await foau(opts.seconds, rate(passes.findOneAndUpdate, warm.findOneAndUpdate)));
    passes.bulkWrite.push(await bulk(opts.seconds, rate(passes.bulkWrite, warm.bulkWrite)));
  }
  const perCall = opts.workers === 1 ? await callBreakdown(env, 8) : undefined;
  const dry = (list: Pass[]) => list.reduce((n, p) => n + p.dry, 0);
  return {
    workers: opts.workers,
    perCall,
    svc: summarize(passes.svc, opts.seconds),
    findOneAndUpdate: summarize(passes.findOneAndUpdate, opts.seconds),
    bulkWrite: summarize(passes.bulkWrite, opts.seconds),
    dry: { svc: dry(passes.svc), findOneAndUpdate: dry(passes.findOneAndUpdate), bulkWrite: dry(passes.bulkWrite) },
    sizes: { jobsBefore, jobsAfter: await jobCount(env), raw: await rawCount(env) },
    passes,
  };
}

export interface CallBreakdown {
  jobs: number;
  /** Counted when the call's answer arrived. */
  progress: Cost;
  completeClaimNext: Cost;
  /** Counted in the 300 ms after each pair of calls: work the calls set off for later (the queue-stats publish, at most every 250 ms). */
  deferred: Cost;
}

/**
 * One worker, `jobs` jobs, call by call: the service's counters are read when
 * each answer arrives and again after a pause of 300 ms, so each call's own
 * MongoDB commands and Redis round trips are told apart from what it sets off
 * for later. CPU is left out: the pauses would be charged to it.
 */
async function callBreakdown(env: BenchEnv, jobs: number): Promise<CallBreakdown> {
  if ((await readyCount(env)) < jobs + 1) await seedJobs(env, `CLB${Date.now().toString(36).toUpperCase()}`, jobs + 1);
  const w = new BenchWorker(env.svc.url, env.tokens.worker, 'bench-breakdown');
  const zero = (): Cost => ({ cpuUs: NaN, dbCpuUs: NaN, redisServerCpuUs: NaN, mongo: 0, mongoByName: {}, redisRoundTrips: 0, redisCommands: 0 });
  const sum = { progress: zero(), completeClaimNext: zero(), deferred: zero() };
  type Stats = Awaited<ReturnType<BenchEnv['svc']['stats']>>;
  const add = (into: Cost, a: Stats, b: Stats) => {
    into.mongo += (b.mongo - a.mongo) / jobs;
    into.redisRoundTrips += (b.redisRoundTrips - a.redisRoundTrips) / jobs;
    into.redisCommands += (b.redisCommands - a.redisCommands) / jobs;
    for (const [k, v] of Object.entries(b.mongoByName)) {
      const d = (v - (a.mongoByName[k] ?? 0)) / jobs;
      if (d) into.mongoByName[k] = (into.mongoByName[k] ?? 0) + d;
    }
  };
  let lease = (await w.claim(0)).lease;
  await sleep(300);
  for (let k = 0; k < jobs && lease; k++) {
    const s0 = await env.svc.stats();
    await w.progress(lease, 'VALIDATING', 0.5);
    const s1 = await env.svc.stats();
    const r = await w.complete(lease, true);
    const s2 = await env.svc.stats();
    await sleep(300);
    const s3 = await env.svc.stats();
    add(sum.progress, s0, s1);
    add(sum.completeClaimNext, s1, s2);
    add(sum.deferred, s2, s3);
    lease = r.next;
  }
  if (lease) await w.complete(lease, false);
  return { jobs, ...sum };
}
