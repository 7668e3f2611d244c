import type { RedisClient as Redis } from '../db/redis.js';
import type { JobOperation } from '../generated/graphql.js';
import type { Logger } from '../logger.js';
import type { Models } from '../models/index.js';
import type { JobRecord } from '../models/job.js';
import { OPERATIONS } from '../queue/keys.js';
import type { JobEventView } from '../services/events.js';
import { badInput } from '../services/pagination.js';
import { jobFacts, type JobFacts } from './jobEvents.js';

/**
 * Per-minute job counters in Redis behind the `jobStats(window, bucket)` query and the dashboard.
 *
 * One hash per minute, `<prefix>stats:m:<minute>` (minute = ms since the epoch / 60000), with fields
 * `<OP>:<counter>` (c created, s started, ok completed, f failed, x cancelled, rt retried) and
 * `<OP>:w<i>` / `<OP>:r<i>` (enqueue→start wait and run time, counts per LATENCY_BUCKETS bucket), plus
 * `q:ready`, `q:delayed`, `q:running`, `q:workers` sampled every SAMPLE_EVERY_MS (10 s) by each instance.
 * Hashes expire after a day and an hour. Every instance adds what it publishes, so the counts are
 * the whole service's.
 *
 * Cost on the hot path: the HINCRBYs of one publish step are issued in the same tick as its PUBLISH,
 * so ioredis's auto-pipelining sends them in the same write: no extra round trip, a few more commands.
 *
 * After a Redis flush: `<prefix>stats:since` (set when counting starts in an empty Redis) is missing
 * or recent; the minutes of the last day before it are rebuilt from MongoDB (what the job documents
 * still tell: created, the last attempt's start, the end) by one instance, then the marker says so.
 */

/** Upper bounds (seconds) of the latency buckets; the last is open. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, Infinity];
/** Windows and buckets jobStats accepts, in seconds. */
export const STATS_WINDOWS = [3600, 6 * 3600, 24 * 3600] as const;
export const STATS_BUCKETS = [60, 300, 900, 3600] as const;
const MINUTE = 60_000;
const TTL_SECONDS = 25 * 3600;
const SAMPLE_EVERY_MS = 10_000;
/** A read is served from memory this long (the dashboard polls). */
const READ_CACHE_MS = 1_000;
/** Most job documents one rebuild reads. */
const REBUILD_MAX_DOCS = 200_000;

const COUNTERS = { created: 'c', started: 's', completed: 'ok', failed: 'f', cancelled: 'x', retried: 'rt' } as const;
type CounterName = keyof typeof COUNTERS;

export interface StatsBucketView {
  start: Date;
  created: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  ready: number | null;
  delayed: number | null;
  running: number | null;
  workersAlive: number | null;
}

export interface OperationStatsView {
  operation: JobOperation;
  created: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  failureRate: number | null;
  waitP50Seconds: number | null;
  waitP95Seconds: number | null;
  runP50Seconds: number | null;
  runP95Seconds: number | null;
}

export interface JobStatsView {
  window: number;
  bucket: number;
  from: Date;
  to: Date;
  buckets: StatsBucketView[];
  operations: OperationStatsView[];
  /** Minutes before this moment were rebuilt from MongoDB after Redis lost the counters; null when none were. */
  rebuiltBefore: Date | null;
}

export interface StatsSample {
  ready: number;
  delayed: number;
  running: number;
  workersAlive: number;
}

export class JobStatsService {
  private sampler: NodeJS.Timeout | undefined;
  private cache = new Map<string, { at: number; value: Promise<JobStatsView> }>();
  /** The minute this instance last made sure the counting-start marker exists. */
  private markerMinute = -1;

  constructor(
    private readonly d: {
      redis: Redis;
      prefix: string;
      models: Models;
      logger: Logger;
      clock: () => Date;
      /** The shared state sampled into each minute (queue depth, workers alive). */
      sample: () => Promise<StatsSample>;
    },
  ) {}

  private key(minute: number): string {
    return `${this.d.prefix}stats:m:${minute}`;
  }

  private get sinceKey(): string {
    return `${this.d.prefix}stats:since`;
  }

  /**
   * Adds published events to their minute. Synchronous on purpose: the commands leave in the same write
   * as the publish of the same events (auto-pipelining). Failures are logged, never thrown at the caller.
   */
  record(events: readonly JobEventView[]): void {
    let adds: Map<number, Map<string, number>> | undefined;
    for (const e of events) {
      const f = jobFacts(e);
      if (!f) continue;
      adds ??= new Map();
      const minute = Math.floor(new Date(e.at).getTime() / MINUTE);
      const fields = adds.get(minute) ?? new Map<string, number>();
      adds.set(minute, fields);
      for (const [field, n] of factFields(f)) fields.set(field, (fields.get(field) ?? 0) + n);
    }
    if (!adds) return;
    const redis = this.d.redis;
    const fail = (err: unknown) => this.d.logger.warn({ err }, 'job stats not recorded');
    const nowMs = this.d.clock().getTime();
    if (Math.floor(nowMs / MINUTE) !== this.markerMinute) {
      // Once a minute: counting starts now if this Redis has no marker (first start, or it was flushed).
      this.markerMinute = Math.floor(nowMs / MINUTE);
      redis.set(this.sinceKey, String(nowMs), 'NX').catch(fail);
    }
    for (const [minute, fields] of adds) {
      const key = this.key(minute);
      for (const [field, n] of fields) redis.hincrby(key, field, n).catch(fail);
      redis.expire(key, TTL_SECONDS).catch(fail);
    }
  }

  /** Starts sampling the queue depth and workers alive into the current minute. */
  start(): void {
    const tick = () => {
      this.d
        .sample()
        .then((s) => {
          const key = this.key(Math.floor(this.d.clock().getTime() / MINUTE));
          return this.d.redis.multi().hset(key, 'q:ready', s.ready, 'q:delayed', s.delayed, 'q:running', s.running, 'q:workers', s.workersAlive).expire(key, TTL_SECONDS).exec();
        })
        .catch((err: unknown) => this.d.logger.warn({ err }, 'queue depth not sampled'));
    };
    tick();
    this.sampler = setInterval(tick, SAMPLE_EVERY_MS);
    this.sampler.unref();
  }

  stop(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /** jobStats(window, bucket): validated here (BAD_USER_INPUT), served from a one-second cache. */
  read(window: number, bucket: number): Promise<JobStatsView> {
    if (!(STATS_WINDOWS as readonly number[]).includes(window)) throw badInput(`window must be one of ${STATS_WINDOWS.join(', ')} (seconds)`);
    if (!(STATS_BUCKETS as readonly number[]).includes(bucket) || bucket >= window) {
      throw badInput(`bucket must be one of ${STATS_BUCKETS.filter((b) => b < window).join(', ')} (seconds) for a window of ${window}`);
    }
    const cacheKey = `${window}:${bucket}`;
    const hit = this.cache.get(cacheKey);
    const now = Date.now();
    if (hit && now - hit.at < READ_CACHE_MS) return hit.value;
    const value = this.compute(window, bucket);
    this.cache.set(cacheKey, { at: now, value });
    value.catch(() => this.cache.delete(cacheKey));
    return value;
  }

  private async compute(window: number, bucket: number): Promise<JobStatsView> {
    const nowMs = this.d.clock().getTime();
    const perBucket = bucket / 60;
    // Buckets aligned to their size; the last one holds the current minute.
    const lastBucketStart = Math.floor(nowMs / (bucket * 1000)) * bucket * 1000;
    const count = window / bucket;
    const firstMinute = (lastBucketStart - (count - 1) * bucket * 1000) / MINUTE;
    const minutes = Array.from({ length: count * perBucket }, (_, i) => firstMinute + i);

    const rebuiltBefore = await this.rebuildIfLost(nowMs);
    const hashes = await Promise.all(minutes.map((m) => this.d.redis.hgetall(this.key(m))));

    const buckets: StatsBucketView[] = [];
    const totals = new Map<string, number>();
    for (let b = 0; b < count; b++) {
      const view: StatsBucketView = { start: new Date((firstMinute + b * perBucket) * MINUTE), created: 0, started: 0, completed: 0, failed: 0, cancelled: 0, retried: 0, ready: null, delayed: null, running: null, workersAlive: null };
      for (let i = 0; i < perBucket; i++) {
        const h = hashes[b * perBucket + i]!;
        for (const [field, raw] of Object.entries(h)) {
          const n = Number(raw);
          if (field.startsWith('q:')) {
            // The bucket shows the last sample taken in it.
            const name = ({ 'q:ready': 'ready', 'q:delayed': 'delayed', 'q:running': 'running', 'q:workers': 'workersAlive' } as const)[field as 'q:ready'];
            if (name) view[name] = n;
            continue;
          }
          totals.set(field, (totals.get(field) ?? 0) + n);
          const counter = COUNTER_OF.get(field.slice(field.indexOf(':') + 1));
          if (counter) view[counter] += n;
        }
      }
      buckets.push(view);
    }
    const operations = OPERATIONS.map((operation) => operationView(operation, totals)).filter((o) => o.created + o.started + o.completed + o.failed + o.cancelled + o.retried > 0);
    return { window, bucket, from: buckets[0]!.start, to: new Date(lastBucketStart + bucket * 1000), buckets, operations, rebuiltBefore };
  }

  /**
   * When the counters started after the day the dashboard can show (Redis was flushed, or this is a
   * first start on old data), the minutes before are rebuilt from MongoDB, once: the marker then holds
   * "rebuilt:<time>". Returns the time before which minutes come from MongoDB, or null.
   */
  private async rebuildIfLost(nowMs: number): Promise<Date | null> {
    const redis = this.d.redis;
    let marker = await redis.get(this.sinceKey);
    if (marker === null) {
      await redis.set(this.sinceKey, String(nowMs), 'NX');
      marker = (await redis.get(this.sinceKey)) ?? String(nowMs);
    }
    if (marker.startsWith('rebuilt:')) return new Date(Number(marker.slice('rebuilt:'.length)));
    const since = Number(marker);
    const sinceMinute = Math.floor(since / MINUTE);
    const fromMinute = Math.floor(nowMs / MINUTE) - 24 * 60;
    if (sinceMinute <= fromMinute) return null; // counting covers the whole day
    // One instance rebuilds; the others show what Redis holds meanwhile.
    const lock = `${this.d.prefix}stats:rebuilding`;
    if ((await redis.set(lock, '1', 'PX', 60_000, 'NX')) !== 'OK') return null;
    try {
      const minutes = await this.fromMongo(fromMinute * MINUTE, sinceMinute * MINUTE);
      if (minutes.size === 0) {
        // Nothing happened before counting started (a first start): the counters cover the whole day.
        await redis.set(this.sinceKey, '0');
        return null;
      }
      const tx = redis.multi();
      for (const [minute, fields] of minutes) {
        const key = this.key(minute);
        // Replaces what a minute holds: nothing was counted live before the marker.
        tx.hset(key, Object.fromEntries(fields)).expire(key, TTL_SECONDS);
      }
      tx.set(this.sinceKey, `rebuilt:${sinceMinute * MINUTE}`);
      await tx.exec();
      this.d.logger.info({ minutes: minutes.size }, 'job stats rebuilt from MongoDB after Redis lost them');
      return new Date(sinceMinute * MINUTE);
    } finally {
      await redis.del(lock);
    }
  }

  /** Counts per minute in [from, to) from the job documents: created, last start (with its wait) and end (with its run time). */
  private async fromMongo(from: number, to: number): Promise<Map<number, Map<string, number>>> {
    const range = { $gte: new Date(from), $lt: new Date(to) };
    const docs = await this.d.models.Job.find({ $or: [{ createdAt: range }, { startedAt: range }, { finishedAt: range }] }, { operation: 1, status: 1, createdAt: 1, runAt: 1, startedAt: 1, finishedAt: 1, retryOf: 1 })
      .sort({ _id: 1 })
      .limit(REBUILD_MAX_DOCS)
      .lean<Array<Pick<JobRecord, '_id' | 'operation' | 'status' | 'createdAt' | 'runAt' | 'startedAt' | 'finishedAt' | 'retryOf'>>>();
    const out = new Map<number, Map<string, number>>();
    const add = (at: Date | null | undefined, facts: Partial<JobFacts> & { operation: JobOperation }) => {
      const t = at ? new Date(at).getTime() : NaN;
      if (!(t >= from && t < to)) return;
      const minute = Math.floor(t / MINUTE);
      const fields = out.get(minute) ?? new Map<string, number>();
      out.set(minute, fields);
      const full: JobFacts = { created: false, started: false, waitSeconds: null, ended: null, retried: null, runSeconds: null, ...facts };
      for (const [field, n] of factFields(full)) fields.set(field, (fields.get(field) ?? 0) + n);
    };
    for (const j of docs) {
      const operation = j.operation;
      add(j.createdAt, { operation, created: true, retried: j.retryOf ? 'manual' : null });
      if (j.startedAt) {
        const due = Math.max(new Date(j.createdAt).getTime(), j.runAt ? new Date(j.runAt).getTime() : 0);
        add(j.startedAt, { operation, started: true, waitSeconds: Math.max(0, new Date(j.startedAt).getTime() - due) / 1000 });
      }
      const ended = j.status === 'COMPLETED' ? 'completed' : j.status === 'FAILED' ? 'failed' : j.status === 'CANCELLED' ? 'cancelled' : null;
      if (ended && j.finishedAt) {
        const run = j.startedAt ? Math.max(0, new Date(j.finishedAt).getTime() - new Date(j.startedAt).getTime()) / 1000 : null;
        add(j.finishedAt, { operation, ended, runSeconds: run });
      }
    }
    return out;
  }

  /** Forgets cached reads (tests that flush Redis). */
  forget(): void {
    this.cache.clear();
    this.markerMinute = -1;
  }
}

const COUNTER_OF = new Map<string, CounterName>(Object.entries(COUNTERS).map(([name, code]) => [code, name as CounterName]));

/** The hash fields one event adds to. */
function factFields(f: JobFacts): Array<[string, number]> {
  const op = f.operation;
  const out: Array<[string, number]> = [];
  if (f.created) out.push([`${op}:${COUNTERS.created}`, 1]);
  if (f.started) out.push([`${op}:${COUNTERS.started}`, 1]);
  if (f.retried) out.push([`${op}:${COUNTERS.retried}`, 1]);
  if (f.ended) out.push([`${op}:${COUNTERS[f.ended]}`, 1]);
  if (f.waitSeconds !== null) out.push([`${op}:w${latencyBucket(f.waitSeconds)}`, 1]);
  if (f.runSeconds !== null) out.push([`${op}:r${latencyBucket(f.runSeconds)}`, 1]);
  return out;
}

function latencyBucket(seconds: number): number {
  return LATENCY_BUCKETS.findIndex((le) => seconds <= le);
}

function operationView(operation: JobOperation, totals: Map<string, number>): OperationStatsView {
  const n = (code: string) => totals.get(`${operation}:${code}`) ?? 0;
  const hist = (kind: 'w' | 'r') => LATENCY_BUCKETS.map((_, i) => n(`${kind}${i}`));
  const completed = n(COUNTERS.completed);
  const failed = n(COUNTERS.failed);
  const wait = hist('w');
  const run = hist('r');
  return {
    operation,
    created: n(COUNTERS.created),
    started: n(COUNTERS.started),
    completed,
    failed,
    cancelled: n(COUNTERS.cancelled),
    retried: n(COUNTERS.retried),
    failureRate: completed + failed > 0 ? failed / (completed + failed) : null,
    waitP50Seconds: quantile(wait, 0.5),
    waitP95Seconds: quantile(wait, 0.95),
    runP50Seconds: quantile(run, 0.5),
    runP95Seconds: quantile(run, 0.95),
  };
}

/** A quantile from bucket counts, interpolated linearly inside its bucket (as Prometheus's histogram_quantile). */
export function quantile(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const upper = LATENCY_BUCKETS[i]!;
      if (!Number.isFinite(upper)) return lower; // the open bucket: its lower bound
      return lower + (upper - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 2]!;
}
