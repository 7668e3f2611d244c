import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisQueue, type RedisQueueOptions } from '../../src/queue/index.js';

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

/** A queue on `redis` under `prefix`, reading `clock`; extra options pass through. */
export function makeQueue(
  redis: Redis,
  prefix: string,
  clock: FakeClock,
  extra: Partial<RedisQueueOptions> = {},
): RedisQueue {
  return new RedisQueue({ redis, prefix, clock: clock.fn, leaseMs: 10_000, ...extra });
}
