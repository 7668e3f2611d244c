import type { Redis } from 'ioredis';
import { readyScore, type QueueKeys } from './keys.js';
import { runScript } from './scripts.js';

/**
 * What the reconciler needs when Redis lost data (FLUSHALL, failover without
 * persistence): restore live leases that MongoDB recorded, and keep fencing
 * tokens above every token issued before.
 */
export interface RestoreLeaseInput {
  id: string;
  operation: string;
  priority: number;
  runAt: number;
  maxAttempts: number;
  /** The leased attempt, 1-based. */
  attempt: number;
  avoidWorkers: boolean;
  token: string;
  workerId: string;
  leaseExpiresAt: number;
}

/** Restores one lease; false when Redis still knows the job (nothing changed). */
export async function restoreLease(redis: Redis, keys: QueueKeys, input: RestoreLeaseInput, now: number): Promise<boolean> {
  const reply = await runScript(redis, 'restore', [keys.job(input.id), keys.leases, keys.token], [
    input.id,
    input.operation,
    input.priority,
    input.runAt,
    readyScore(input.priority, input.runAt),
    input.maxAttempts,
    input.attempt,
    input.avoidWorkers ? '1' : '0',
    now,
    input.token,
    input.workerId,
    input.leaseExpiresAt,
  ]);
  return reply === 0;
}

/** Raises the token counter to at least `floor`; true when it was lower (Redis lost it). */
export async function raiseTokenFloor(redis: Redis, keys: QueueKeys, floor: number): Promise<boolean> {
  return (await runScript(redis, 'floor', [keys.token], [Math.floor(floor)])) === 1;
}
