import type { Redis } from 'ioredis';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { codeMessage, codeName, QueueError, type QueueCodeName } from './codes.js';
import { jobState, knownIds, oldestWaitingSince, peekJobs, queueCounts } from './inspect.js';
import { objectIdTime, OPERATIONS, PRIORITY_MAX, PRIORITY_MIN, queueKeys, readyScore, RUN_AT_LIMIT, type QueueKeys } from './keys.js';
import { runScript, type ScriptName } from './scripts.js';
import type * as T from './types.js';
import { WakeListener, type WorkHint } from './wake.js';

const LEASE_LOST: T.LeaseLost = { ok: false, code: 'LEASE_LOST', message: codeMessage('LEASE_LOST') };

/**
 * The job queue and its leases in Redis. Mongo stays the source of truth: this
 * holds only what must be decided atomically (who gets which job, whose lease
 * is live) and hands back what the caller must write to Mongo.
 */
export class RedisQueue {
  readonly keys: QueueKeys;
  readonly operations: readonly string[];
  private readonly prefix: string;
  private readonly redis: Redis;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffOptions;
  private readonly promoteLimit: number;
  private readonly avoidScanDepth: number;
  private readonly clearBatch: number;
  private readonly wake: WakeListener;

  constructor(options: T.RedisQueueOptions) {
    if (!options.prefix) throw new QueueError('a key prefix is required');
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.keys = queueKeys(options.prefix);
    this.operations = options.operations ?? OPERATIONS;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.leaseMs = positive(options.leaseMs ?? 30_000, 'leaseMs');
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.promoteLimit = positive(options.promoteLimit ?? 1_000, 'promoteLimit');
    this.avoidScanDepth = positive(options.avoidScanDepth ?? 50, 'avoidScanDepth');
    this.clearBatch = positive(options.clearBatch ?? 1_000, 'clearBatch');
    this.wake = new WakeListener(this.redis, this.keys.wake);
  }

  private run(name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    return runScript(this.redis, name, keys, args);
  }

  private accepted(operations: readonly string[]): string[] {
    for (const op of operations) if (!this.operations.includes(op)) throw new QueueError(`unknown operation ${op}`);
    return [...new Set(operations)];
  }

  /** Queues a job; a no-op (ALREADY_QUEUED / ALREADY_LEASED) when the id is already in the queue. */
  async enqueue(input: T.EnqueueInput): Promise<T.EnqueueResult> {
    const [op] = this.accepted([input.operation]);
    const priority = input.priority ?? 0;
    if (!Number.isInteger(priority) || priority < PRIORITY_MIN || priority > PRIORITY_MAX) {
      throw new QueueError(`priority must be an integer in ${PRIORITY_MIN}..${PRIORITY_MAX}`);
    }
    const now = this.clock();
    const runAt = input.runAt ?? objectIdTime(input.id) ?? now;
    if (!Number.isInteger(runAt) || runAt < 0 || runAt >= RUN_AT_LIMIT) throw new QueueError('runAt must be an integer ms time before 2109');
    const attempt = input.attempt ?? 0;
    positive(input.maxAttempts, 'maxAttempts');
    if (!Number.isInteger(attempt) || attempt < 0 || attempt >= input.maxAttempts) {
      throw new QueueError('attempt must be an integer in 0..maxAttempts-1');
    }
    const k = this.keys;
    const [code, state] = (await this.run('enqueue', [k.job(input.id), k.ready(op!), k.delayed, k.waiting], [
      input.id, op!, priority, runAt, readyScore(priority, runAt), input.maxAttempts, attempt,
      input.avoidWorkers ? '1' : '0', now, k.wake,
    ])) as [number, T.QueueState];
    return { code: codeName(code) as T.EnqueueResult['code'], state };
  }

  /**
   * Leases the best job for this worker: highest priority, then earliest runAt,
   * then lowest id. Refused while maintenance is on, the queue is paused or the
   * worker is disabled. A job enqueued with avoidWorkers is never handed back to
   * a worker that already claimed it, even when nothing else is left: it waits
   * for another worker (only the first avoidScanDepth jobs of each operation are
   * looked at, so a worker may get EMPTY while avoided jobs fill those heads).
   */
  async claim(input: T.ClaimInput): Promise<T.ClaimResult> {
    const ops = this.accepted(input.operations);
    if (ops.length === 0) return { job: null, reason: 'EMPTY', message: codeMessage('EMPTY') };
    const now = this.clock();
    const expires = now + positive(input.leaseMs ?? this.leaseMs, 'leaseMs');
    const k = this.keys;
    const reply = (await this.run(
      'claim',
      [k.flags, k.disabled, k.delayed, k.waiting, k.leases, k.token, ...ops.map((op) => k.ready(op))],
      [now, input.workerId, expires, this.prefix, this.promoteLimit, this.avoidScanDepth],
    )) as [number, string, number, number, number, string];
    const name = codeName(reply[0]);
    if (name !== 'OK') return { job: null, reason: name as T.ClaimRefusal, message: codeMessage(name) };
    const [, id, token, leaseExpiresAt, attempt, operation] = reply;
    return { job: { id, operation, token, leaseExpiresAt, attempt } };
  }

  /** Extends a live lease; also tells the holder whether cancellation was requested. */
  async extend(id: string, token: number | string, leaseMs?: number): Promise<T.ExtendResult> {
    const now = this.clock();
    const expires = now + positive(leaseMs ?? this.leaseMs, 'leaseMs');
    const reply = (await this.run('extend', [this.keys.job(id), this.keys.leases], [id, String(token), now, expires])) as number[];
    if (reply[0] !== 0) return LEASE_LOST;
    return { ok: true, leaseExpiresAt: reply[1]!, cancelRequested: reply[2] === 1 };
  }

  /** Ends the job successfully, for the live lease holder only. */
  async complete(id: string, token: number | string): Promise<T.CompleteResult> {
    const k = this.keys;
    const reply = (await this.run('complete', [k.job(id), k.leases, k.tried(id)], [id, String(token), this.clock()])) as number[];
    return reply[0] === 0 ? { ok: true, attempt: reply[1]! } : LEASE_LOST;
  }

  /**
   * Ends a failed attempt, for the live lease holder only: a retry after
   * exponential backoff when retryable and attempts remain, otherwise FAILED.
   */
  async fail(id: string, token: number | string, input: T.FailInput): Promise<T.FailResult> {
    const k = this.keys;
    // The delay depends on the attempt; only this lease's holder can change it, so reading first is safe (the script re-checks).
    const [attempt, priority] = await this.redis.hmget(k.job(id), 'attempt', 'priority');
    const used = Number(attempt ?? 1);
    const now = this.clock();
    const runAt = now + backoffDelay(used, { ...this.backoff, ...input.backoff }, this.random);
    const reply = (await this.run('fail', [k.job(id), k.leases, k.delayed, k.tried(id)], [
      id, String(token), now, input.retryable ? '1' : '0', attempt ?? '', runAt, readyScore(Number(priority ?? 0), runAt),
    ])) as number[];
    const name = codeName(reply[0]!);
    if (name === 'LEASE_LOST') return LEASE_LOST;
    if (name === 'RETRY_SCHEDULED') return { ok: true, outcome: 'RETRY_SCHEDULED', runAt: reply[2]!, attempt: reply[1]! };
    return { ok: true, outcome: 'FAILED', attempt: reply[1]!, reason: name as 'EXHAUSTED' | 'NOT_RETRYABLE' | 'CANCELLED' };
  }

  /**
   * Takes up to `limit` leases expired at now: each is requeued after backoff
   * while attempts remain, else dropped as EXHAUSTED (or CANCELLED when
   * cancellation was requested). The caller records the outcomes in Mongo.
   */
  async reapExpired(limit = 100): Promise<T.ReapedJob[]> {
    const k = this.keys;
    const now = this.clock();
    const ids = await this.redis.zrangebyscore(k.leases, '-inf', now, 'LIMIT', 0, limit);
    if (ids.length === 0) return [];
    const read = this.redis.multi();
    for (const id of ids) read.hmget(k.job(id), 'token', 'attempt', 'priority');
    const fields = ((await read.exec()) ?? []).map(([, reply]) => reply as Array<string | null>);
    const args: Array<string | number> = [now, this.prefix];
    ids.forEach((id, i) => {
      const [token, attempt, priority] = fields[i] ?? [];
      const runAt = now + backoffDelay(Number(attempt ?? 1), this.backoff, this.random);
      args.push(id, token ?? '', runAt, readyScore(Number(priority ?? 0), runAt));
    });
    const reply = (await this.run('reap', [k.leases, k.delayed], args)) as Array<string | number>;
    const out: T.ReapedJob[] = [];
    for (let i = 0; i + 4 < reply.length; i += 5) {
      const outcome = codeName(Number(reply[i + 1])) as T.ReapedJob['outcome'];
      const job: T.ReapedJob = { id: String(reply[i]), outcome, attempt: Number(reply[i + 2]), workerId: String(reply[i + 3]) };
      if (outcome === 'REQUEUED') job.runAt = Number(reply[i + 4]);
      out.push(job);
    }
    return out;
  }

  /** Removes a queued job; for a leased one, requests cancellation and leaves the lease. */
  async remove(id: string): Promise<{ code: Extract<QueueCodeName, 'REMOVED' | 'CANCEL_REQUESTED' | 'NOT_FOUND'>; state: T.QueueState | 'absent' }> {
    const k = this.keys;
    const [code, state] = (await this.run('remove', [k.job(id), k.delayed, k.waiting, k.tried(id)], [id, this.prefix])) as [number, T.QueueState | 'absent'];
    return { code: codeName(code) as 'REMOVED' | 'CANCEL_REQUESTED' | 'NOT_FOUND', state };
  }

  /** Removes every ready and delayed job (leases stay); returns the ids removed. */
  async clear(): Promise<string[]> {
    const removed: string[] = [];
    for (;;) {
      const batch = (await this.run('clear', [this.keys.delayed, this.keys.waiting], [this.prefix, this.clearBatch])) as string[];
      removed.push(...batch);
      if (batch.length < this.clearBatch) return removed;
    }
  }

  state(id: string): Promise<T.JobQueueState> {
    return jobState(this.redis, this.keys, id);
  }

  counts(): Promise<T.QueueCounts> {
    return queueCounts(this.redis, this.keys, this.operations);
  }

  /** Ready and delayed jobs in claim order. */
  peek(input: T.PeekInput): Promise<T.QueuedJob[]> {
    return peekJobs(this.redis, this.keys, this.accepted(input.operations ?? this.operations), input, this.clock());
  }

  oldestWaitingSince(): Promise<number | null> {
    return oldestWaitingSince(this.redis, this.keys, this.clock());
  }

  /** Whether the queue holds the id (ready, delayed or leased). */
  async has(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.job(id))) === 1;
  }

  /** Every id in the queue, for the reconciler. */
  knownIds(): Promise<string[]> {
    return knownIds(this.redis, this.keys);
  }

  async leaseOf(id: string): Promise<(T.LeaseInfo & { attempt: number }) | null> {
    const s = await this.state(id);
    return s.state === 'leased' && s.lease ? { ...s.lease, attempt: s.attempt } : null;
  }

  async setMaintenance(on: boolean): Promise<void> {
    await this.setFlag('maintenance', on);
  }

  async setPaused(on: boolean): Promise<void> {
    await this.setFlag('paused', on);
  }

  async flags(): Promise<T.QueueFlags> {
    const [maintenance, paused] = await this.redis.hmget(this.keys.flags, 'maintenance', 'paused');
    return { maintenance: maintenance === '1', paused: paused === '1' };
  }

  async isMaintenance(): Promise<boolean> {
    return (await this.flags()).maintenance;
  }

  async setWorkerDisabled(workerId: string, disabled: boolean): Promise<void> {
    if (disabled) await this.redis.sadd(this.keys.disabled, workerId);
    else await this.redis.multi().srem(this.keys.disabled, workerId).publish(this.keys.wake, '*').exec();
  }

  async isWorkerDisabled(workerId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.disabled, workerId)) === 1;
  }

  /** Turning a switch off wakes every long poll, since claims may succeed again. */
  private async setFlag(field: 'maintenance' | 'paused', on: boolean): Promise<void> {
    const tx = this.redis.multi().hset(this.keys.flags, field, on ? '1' : '0');
    if (!on) tx.publish(this.keys.wake, '*');
    await tx.exec();
  }

  /**
   * Long poll after an EMPTY claim: resolves WORK when a job for one of these
   * operations is enqueued by any process sharing Redis, when one is already
   * ready or a delayed one falls due, or when a switch turns off; TIMEOUT after
   * timeoutMs. While maintenance or pause is on, jobs already waiting do not
   * end it at once (the claim would be refused again); a new enqueue or a switch
   * turning off does. The caller then claims again. After a WORKER_DISABLED
   * refusal, the caller should not loop on this: it would return at once.
   */
  waitForWork(operations: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<T.WaitOutcome> {
    const ops = this.accepted(operations);
    return this.wake.wait(ops, timeoutMs, signal, () => this.workHint(ops));
  }

  private async workHint(ops: readonly string[]): Promise<WorkHint> {
    const k = this.keys;
    const tx = this.redis.multi().hmget(k.flags, 'maintenance', 'paused').zrange(k.delayed, 0, 0, 'WITHSCORES');
    for (const op of ops) tx.zcard(k.ready(op));
    const [flags, head, ...cards] = ((await tx.exec()) ?? []).map(([, reply]) => reply);
    if ((flags as Array<string | null>).includes('1')) return { now: false };
    if (cards.some((n) => Number(n) > 0)) return { now: true };
    const due = (head as string[])[1];
    if (due === undefined) return { now: false };
    const dueInMs = Number(due) - this.clock();
    return dueInMs <= 0 ? { now: true } : { now: false, dueInMs };
  }

  /** Ends pending long polls and closes the subscriber; the command client stays open (the caller owns it). Safe to call twice. */
  async close(): Promise<void> {
    await this.wake.close();
  }
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new QueueError(`${name} must be a positive number`);
  return n;
}
