import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Serializes writes to one job across instances. FerretDB v1 does not apply an
 * update's filter atomically (DESIGN.md), so every read-check-write of a job
 * runs under this short Redis lock; the conditional filters stay in the
 * updates for MongoDB's sake. The lock expires by itself if its holder dies.
 */

// KEYS[1] lock key; ARGV[1] holder token. Returns 1 when released, 0 when not ours (expired and taken).
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`could not lock ${key} in time`);
    this.name = 'LockTimeoutError';
  }
}

export interface JobLockOptions {
  /** Lock lifetime; a holder that dies frees it after this long. Default 10 s. */
  ttlMs?: number;
  /** How long to wait for the lock before giving up. Default 5 s. */
  waitMs?: number;
}

export class JobLock {
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: JobLockOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.waitMs = opts.waitMs ?? 5_000;
  }

  async withLock<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}lock:job:${jobId}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.waitMs;
    let delay = 2;
    while ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new LockTimeoutError(key);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token);
    }
  }
}
