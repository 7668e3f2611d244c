import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from '../../src/db/redis.js';
import { RedisQueue, type HydrateInput, type QueueJob, type RedisQueueOptions } from '../../src/queue/index.js';
import { backends } from '../harness/backends.js';

/** Start of the fake time every queue test begins at (2024-01-01). */
export const T0 = Date.UTC(2024, 0, 1);

/** A fresh key prefix per test, so tests never see each other's keys. */
export function testPrefix(): string {
  return `t_queue_${randomBytes(4).toString('hex')}:`;
}

/** An ObjectId-shaped id created `secondsAfterT0` seconds after T0; `n` orders ids created in the same second. */
export function oid(secondsAfterT0: number, n = 0): string {
  const seconds = Math.floor(T0 / 1000) + secondsAfterT0;
  return seconds.toString(16).padStart(8, '0') + n.toString(16).padStart(16, '0');
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public now = T0) {}
  advance(ms: number): void {
    this.now += ms;
  }
  readonly fn = (): number => this.now;
}

/**
 * A queue on `redis` under `prefix`, reading `clock`; extra options pass through.
 * Its epoch marker is set (every deciding script refuses until it is), with no token floor.
 */
export async function makeQueue(redis: Redis, prefix: string, clock: FakeClock, extra: Partial<RedisQueueOptions> = {}): Promise<RedisQueue> {
  const queue = new RedisQueue({ redis, prefix, clock: clock.fn, leaseMs: 10_000, ...extra });
  await queue.markRestored(0, 'test');
  return queue;
}

/** What hydrate needs for a new QUEUED job (what the lifecycle's enqueue gives it). */
export function queued(id: string, operation = 'ADD', extra: Partial<HydrateInput> = {}): HydrateInput {
  return { id, state: 'ready', status: 'QUEUED', seq: 1, operation, maxAttempts: 1, ...extra };
}

export type Leased = QueueJob & { token: string; leaseExpiresAt: number };

/** Claims one job; fails the test when the claim is refused. */
export async function claimOne(queue: RedisQueue, workerId = 'w1', operations: string[] = ['ADD']): Promise<Leased> {
  const r = await queue.claim({ workerId, operations });
  const job = r.jobs[0];
  if (!job) throw new Error(`expected a job, got ${r.reason}`);
  if (r.jobs.length !== 1) throw new Error(`expected one job, got ${r.jobs.length}`);
  return job as Leased;
}

export interface QueueTest {
  /** The first connection. */
  redis: Redis;
  /** `connections` connections to the file's redis-server. */
  connections: Redis[];
  clock: FakeClock;
  /** This test's key prefix. */
  prefix: string;
  /** A queue under this test's prefix (closed after the test); on the first connection unless given. */
  queue(extra?: Partial<RedisQueueOptions>, redis?: Redis): Promise<RedisQueue>;
}

/**
 * Jest hooks of a queue test file against the file's real redis-server: its
 * connections, and per test a fresh prefix, a fake clock at T0 + 1 h and the
 * queues it made (closed after it).
 */
export function useQueueTest(name: string, connections = 1): QueueTest {
  const made: RedisQueue[] = [];
  const ctx = { connections: [] as Redis[] } as unknown as QueueTest;
  beforeAll(async () => {
    const { redisUrl } = await backends();
    for (let i = 0; i < connections; i++) ctx.connections.push(await connectRedis(redisUrl, `${name}-${i}`));
    ctx.redis = ctx.connections[0]!;
  });
  afterAll(async () => {
    for (const c of ctx.connections) await closeRedis(c);
  });
  beforeEach(() => {
    ctx.clock = new FakeClock(T0 + 3_600_000);
    ctx.prefix = testPrefix();
    ctx.queue = async (extra = {}, redis = ctx.redis) => {
      const q = await makeQueue(redis, ctx.prefix, ctx.clock, extra);
      made.push(q);
      return q;
    };
  });
  afterEach(async () => {
    for (const q of made.splice(0)) await q.close();
  });
  return ctx;
}

/** Deletes every key of a prefix, as FLUSHALL would (other files' keys stay). */
export async function flushPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}
