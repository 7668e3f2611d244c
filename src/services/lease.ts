import { randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from '../db/redis.js';

/**
 * RENEW — KEYS[1] the lease key; ARGV[1] our token, ARGV[2] new time to live in ms.
 * Returns 1 when the lease is still ours (its expiry moved), 0 when it expired or another holder has it.
 */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/**
 * RELEASE — KEYS[1] the lease key; ARGV[1] our token.
 * Returns 1 when our lease was deleted, 0 when it was not ours (any more).
 */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A named lease in Redis held by one instance at a time (SET NX PX with a random token; renewed and
 * released only by its holder, compared by token in a script). If the holder dies the lease runs out
 * after `ttlMs` and another instance may take it.
 */
export class RedisLease {
  private token: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease if nobody holds it; true when it is now ours. */
  async acquire(): Promise<boolean> {
    const token = randomUUID();
    const ok = await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX');
    this.token = ok === 'OK' ? token : null;
    return this.token !== null;
  }

  /** Extends our lease; false when it is no longer ours (stop the work it guards). */
  async renew(): Promise<boolean> {
    if (!this.token) return false;
    const ok = (await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs))) === 1;
    if (!ok) this.token = null;
    return ok;
  }

  /** Gives the lease up (if still ours). */
  async release(): Promise<void> {
    if (!this.token) return;
    const token = this.token;
    this.token = null;
    await this.redis.eval(RELEASE, 1, this.key, token);
  }
}
