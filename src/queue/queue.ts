import { inClientSpan } from '../observability/tracing.js';
import { publishCommand, type RedisClient } from '../db/redis.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { capFill, readCaps, replaceCaps, type CapFill, type QueueCap } from './caps.js';
import { codeName, QueueError } from './codes.js';
import { oldestWaitingSince, parseJob, peekJobs, queueCounts } from './inspect.js';
import { objectIdTime, OPERATIONS, priorityBand, PRIORITY_MAX, PRIORITY_MIN, queueKeys, RUN_AT_LIMIT, type QueueKeys } from './keys.js';
import { runScript, type ScriptName } from './scripts.js';
import type * as T from './types.js';
import { WakeListener, type WorkHint } from './wake.js';

const LEASE_LOST: T.LeaseLost = { ok: false, code: 'LEASE_LOST' };
/** How long published status changes stay listed (lua/announce.lua), for an instance whose subscription broke. */
export const SENT_KEEP_MS = 60_000;

/** Redis lost its data (the epoch marker is gone): restore the queue from MongoDB, then ask again. */
export class QueueResetError extends QueueError {
  constructor() {
    super('Redis lost the queue (epoch marker missing): it must be restored from MongoDB first');
    this.name = 'QueueResetError';
  }
}

/**
 * The job queue, its leases and the hot state of every active job in Redis.
 * Every change of a job is decided here, atomically, by one Lua script that
 * raises the job's sequence number and returns the job as it now stands; the
 * caller records that in MongoDB. Only this class talks to Redis for the queue.
 */
export class RedisQueue {
  readonly keys: QueueKeys;
  readonly operations: readonly string[];
  private readonly prefix: string;
  private readonly redis: RedisClient;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffOptions;
  private readonly promoteLimit: number;
  private readonly avoidScanDepth: number;
  private readonly tombstoneMs: number;
  private readonly progressWriteMs: number;
  private readonly maxLogMessages: number;
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
    this.tombstoneMs = positive(options.tombstoneMs ?? 3_600_000, 'tombstoneMs');
    this.progressWriteMs = options.progressWriteMs ?? 1_000;
    this.maxLogMessages = positive(options.maxLogMessages ?? 500, 'maxLogMessages');
    this.wake = new WakeListener(this.redis, this.keys.wake, this.clock);
  }

  /** Runs a script; a RESET answer (Redis lost its data) becomes a QueueResetError. */
  private async run(name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    const reply = await inClientSpan(`EVALSHA ${name}`, { 'db.system.name': 'redis', 'db.operation.name': 'EVALSHA', 'db.stored_procedure.name': name }, () =>
      runScript(this.redis, name, keys, [this.prefix, ...args]),
    );
    if (Array.isArray(reply) && reply.length === 1 && reply[0] === -9) throw new QueueResetError();
    return reply;
  }

  private accepted(operations: readonly string[]): string[] {
    for (const op of operations) if (!this.operations.includes(op)) throw new QueueError(`unknown operation ${op}`);
    return [...new Set(operations)];
  }

  /**
   * Gives the queue a job in the state MongoDB recorded (a new job is enqueued);
   * a no-op (ALREADY_QUEUED) when the queue knows the id in any state, ended included.
   */
  async hydrate(input: T.HydrateInput): Promise<T.HydrateResult> {
    const [op] = this.accepted([input.operation]);
    const priority = input.priority ?? 0;
    if (!Number.isInteger(priority) || priority < PRIORITY_MIN || priority > PRIORITY_MAX) {
      throw new QueueError(`priority must be an integer in ${PRIORITY_MIN}..${PRIORITY_MAX}`);
    }
    const now = this.clock();
    const runAt = input.runAt ?? objectIdTime(input.id) ?? now;
    if (!Number.isInteger(runAt) || runAt < 0 || runAt >= RUN_AT_LIMIT) throw new QueueError('runAt must be an integer ms time before 2109');
    positive(input.maxAttempts, 'maxAttempts');
    const lease = input.lease;
    if (input.state === 'leased' && !lease) throw new QueueError('a leased job needs its lease');
    const [code, state] = (await this.run('hydrate', [this.keys.job(input.id)], [
      input.id, now, input.state, input.status, input.seq, op!, priorityBand(priority), runAt, input.maxAttempts,
      input.attempt ?? 0, input.avoidWorkers ? '1' : '0', input.cancelRequested ? '1' : '0', input.progress ?? '', this.tombstoneMs,
      lease?.token ?? '', lease?.workerId ?? '', lease?.leaseExpiresAt ?? '', lease?.leasedAt ?? '', input.retriedBy ?? '',
      input.epoch === undefined ? '*' : (input.epoch ?? ''), input.target ?? '',
    ])) as [number, T.QueueState];
    return { code: codeName(code) as T.HydrateResult['code'], state };
  }

  /**
   * Leases up to `max` of the best jobs for this worker: highest priority, then
   * earliest runAt, then lowest id. Refused while maintenance is on, the queue
   * is paused or the worker is disabled. A job enqueued with avoidWorkers is
   * never handed back to a worker that already claimed it.
   */
  async claim(input: T.ClaimInput): Promise<T.ClaimResult> {
    const ops = this.accepted(input.operations);
    if (ops.length === 0) return { jobs: [], reason: 'EMPTY' };
    const now = this.clock();
    const expires = now + positive(input.leaseMs ?? this.leaseMs, 'leaseMs');
    const reply = (await this.run('claim', [this.keys.epoch], [now, input.workerId, expires, this.promoteLimit, this.avoidScanDepth, positive(input.max ?? 1, 'max'), ...ops])) as [number, string, ...string[][]];
    const name = codeName(reply[0]);
    if (name !== 'OK') return { jobs: [], reason: name as T.ClaimRefusal };
    return { jobs: reply.slice(2).map((h) => toJob(h as string[])), reason: null, epoch: reply[1] };
  }

  /** A progress report of the lease holder: extends the lease, may move the stage (see extend.lua). */
  async extend(id: string, token: string, input: T.ExtendInput = {}): Promise<T.ExtendResult> {
    const now = this.clock();
    const expires = now + positive(input.leaseMs ?? this.leaseMs, 'leaseMs');
    const reply = (await this.run('extend', [this.keys.job(id)], [
      id, token, now, expires, input.status ?? '', `,${(input.allowedFrom ?? []).join(',')},`, input.progress ?? '',
      input.message ? '1' : '0', this.progressWriteMs, this.maxLogMessages,
    ])) as [number, number | string, number, string, string[]];
    if (reply[0] === -5) return LEASE_LOST;
    if (reply[0] === -11) return { ok: false, code: 'INVALID_TRANSITION', status: String(reply[1]) };
    return { ok: true, write: reply[1] === 1, keepMessage: reply[2] === 1, previousStatus: reply[3], job: toJob(reply[4]) };
  }

  /** Ends the lease holder's attempt: completed, or failed (retried after backoff while it may be). */
  async finish(id: string, token: string, input: { outcome: 'complete' } | { outcome: 'fail'; retryable: boolean }): Promise<T.FinishResult> {
    const b = this.backoff;
    const reply = (await this.run('finish', [this.keys.job(id)], [
      id, token, this.clock(), input.outcome, input.outcome === 'fail' && input.retryable ? '1' : '0', b.baseMs, b.maxMs, b.jitter, this.random(), this.tombstoneMs,
    ])) as [number, number, number, number, string, string[], string];
    if (reply[0] === -5) return LEASE_LOST;
    const outcome = codeName(reply[0]) as T.FinishOutcome;
    return {
      ok: true, outcome, runAt: outcome === 'RETRY_SCHEDULED' ? reply[1] : null, maintenance: reply[2] === 1, leasesLeft: reply[3],
      previousStatus: reply[4], job: toJob(reply[5]), epoch: reply[6],
    };
  }

  /** The ids of up to `limit` leases expired at now (what `reap` would take), without changing anything. */
  async expiredLeases(limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.leases, '-inf', this.clock(), 'LIMIT', 0, positive(limit, 'limit'));
  }

  /** Takes up to `limit` leases expired at now: requeued after backoff, or ended (see reap.lua). */
  async reap(limit = 100): Promise<T.ReapedJob[]> {
    const b = this.backoff;
    const randoms = Array.from({ length: positive(limit, 'limit') }, () => this.random());
    const reply = (await this.run('reap', [this.keys.epoch], [this.clock(), b.baseMs, b.maxMs, b.jitter, this.tombstoneMs, ...randoms])) as Array<[string, number, number, string, string, string[]]>;
    return reply.map(([id, code, runAt, workerId, previousStatus, hash]) => {
      const outcome = codeName(code) as T.ReapedJob['outcome'];
      return { id, outcome, workerId, runAt: outcome === 'REQUEUED' ? runAt : null, previousStatus, job: toJob(hash) };
    });
  }

  /** A change that is not the lease holder's (see change.lua); NOT_FOUND: hydrate the job first. */
  async change(id: string, input: T.ChangeInput): Promise<T.ChangeResult> {
    const value = input.kind === 'retriedBy' ? input.retriedBy : input.status;
    const reply = (await this.run('change', [this.keys.job(id)], [
      id, input.kind, value ?? '', `,${input.allowedFrom.join(',')},`, input.terminal ? '1' : '0', this.tombstoneMs,
    ])) as [number, string?, string[]?];
    const code = codeName(reply[0]);
    if (code === 'NOT_FOUND') return { code };
    return { code: code as 'OK' | 'CANCEL_REQUESTED' | 'INVALID_TRANSITION' | 'ALREADY_RETRIED', previousStatus: reply[1]!, job: toJob(reply[2]!) };
  }

  /**
   * Counts the end of a flow's child (idempotent per child) and, atomically, decides the flow's final job
   * once: queued when the last child ended, or FAILED at the first failed child unless the policy is
   * CONTINUE (see flow.lua). NOT_FOUND: the queue does not know the final job; hydrate it, then ask again.
   */
  async flowStep(input: { finalId: string; childId: string; childStatus: string; total: number | null; policy: T.FlowPolicy }): Promise<T.FlowStepResult> {
    const reply = (await this.run('flow', [this.keys.job(input.finalId)], [
      input.finalId, input.childId, input.childStatus, input.total ?? '', input.policy, this.tombstoneMs,
    ])) as [number, number?, number?, string[]?];
    const code = codeName(reply[0]);
    if (code === 'NOT_FOUND') return { code };
    if (code === 'RELEASED' || code === 'FLOW_FAILED') return { code, ended: reply[1]!, failed: reply[2]!, job: toJob(reply[3]!) };
    return { code: code as 'COUNTED' | 'ALREADY_COUNTED' | 'DECIDED', ended: reply[1]!, failed: reply[2]! };
  }

  /** How many ended children the queue has counted for a flow (the reconciler compares it with MongoDB). */
  flowCounted(finalId: string): Promise<number> {
    return this.redis.hlen(this.keys.flow(finalId));
  }

  /**
   * Decides which instance fires a schedule's time: true for exactly one caller while the claim lasts
   * (SET NX PX). The winner marks it done (markTickFired) once the job is recorded, so the time is never
   * fired again; if it dies first, the claim runs out and another instance takes the time.
   */
  async claimTick(scheduleId: string, at: number | string, holdMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.scheduleTick(scheduleId, at), 'firing', 'PX', holdMs, 'NX')) === 'OK';
  }

  async markTickFired(scheduleId: string, at: number | string, keepMs: number): Promise<void> {
    await this.redis.set(this.keys.scheduleTick(scheduleId, at), 'fired', 'PX', keepMs);
  }

  /** Forgets that a job was retried (its retry could not be created). */
  async unmarkRetried(id: string): Promise<void> {
    await this.redis.hdel(this.keys.job(id), 'retriedBy');
  }

  /**
   * Marks the queue as restored (after the caller gave it back every job MongoDB
   * holds as active) and raises the fencing-token counter to `tokenFloor`.
   * Returns true when the marker was missing.
   */
  async markRestored(tokenFloor: number, marker: string): Promise<boolean> {
    return (await this.run('epoch', [this.keys.epoch], [Math.floor(tokenFloor), marker])) === 1;
  }

  /** Whether the queue's epoch marker is there (false: Redis lost its data). */
  async intact(): Promise<boolean> {
    return (await this.epoch()) !== null;
  }

  /** The epoch marker's value: it changes when Redis lost its data and the queue was restored; null while lost. */
  epoch(): Promise<string | null> {
    return this.redis.get(this.keys.epoch);
  }

  /** The job as the queue holds it, or null when the queue does not know it. */
  async job(id: string): Promise<T.QueueJob | null> {
    return parseJob(id, await this.redis.hgetall(this.keys.job(id)));
  }

  /** The ids the queue holds in any of these states (ready, delayed, leased), for the reconciler. */
  async ids(): Promise<Set<string>> {
    const k = this.keys;
    const [waiting, delayed, leased] = await Promise.all([k.waiting, k.delayed, k.leases].map((key) => this.redis.zrange(key, 0, -1)));
    return new Set([...waiting!, ...delayed!, ...leased!]);
  }

  counts(): Promise<T.QueueCounts> {
    return queueCounts(this.redis, this.keys, this.operations);
  }

  /** Ready and delayed jobs in claim order. */
  peek(input: T.PeekInput): Promise<T.QueueJob[]> {
    return peekJobs(this.redis, this.keys, this.accepted(input.operations ?? this.operations), input, this.clock());
  }

  oldestWaitingSince(): Promise<number | null> {
    return oldestWaitingSince(this.redis, this.keys, this.clock());
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

  async setWorkerDisabled(workerId: string, disabled: boolean): Promise<void> {
    if (disabled) await this.redis.sadd(this.keys.disabled, workerId);
    else await this.redis.multi().srem(this.keys.disabled, workerId)[publishCommand(this.redis)](this.keys.wake, '*').exec();
  }

  async isWorkerDisabled(workerId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.disabled, workerId)) === 1;
  }

  /** The disabled worker ids as Redis holds them. */
  disabledWorkers(): Promise<string[]> {
    return this.redis.smembers(this.keys.disabled);
  }

  /** Concurrency caps and rate limits (lua/lib/caps.lua; MongoDB is their home, services/caps.ts). */
  caps(): Promise<Map<string, QueueCap>> {
    return readCaps(this.redis, this.keys);
  }

  /** Replaces every cap (MongoDB's set of them) in one transaction, waking every long poll. */
  replaceCaps(caps: readonly QueueCap[]): Promise<void> {
    this.accepted(caps.map((c) => c.operation));
    return replaceCaps(this.redis, this.keys, caps);
  }

  /** How full these caps are now, by scope (scopeOf). */
  capFill(caps: readonly QueueCap[]): Promise<Map<string, CapFill>> {
    return capFill(this.redis, this.keys, caps, this.clock());
  }

  /** Rebuilds the running counts the caps read from the leases; returns how many operations' counts were wrong. */
  async recountRunning(): Promise<number> {
    return (await this.run('recount', [this.keys.epoch], [])) as number;
  }

  /** Turning a switch off wakes every long poll, since claims may succeed again. */
  private async setFlag(field: 'maintenance' | 'paused', on: boolean): Promise<void> {
    const tx = this.redis.multi().hset(this.keys.flags, field, on ? '1' : '0');
    if (!on) tx[publishCommand(this.redis)](this.keys.wake, '*');
    await tx.exec();
  }

  /** Long polls (waitForWork) of this instance waiting now; tests watch it to know a claim reached its wait. */
  get longPolls(): number {
    return this.wake.waiting;
  }

  /**
   * Long poll after an EMPTY claim: resolves WORK when a job for one of these
   * operations is enqueued by any process sharing Redis, when one is already
   * ready or a delayed one falls due (also one delayed after the wait began:
   * the script that delays it publishes its due time), or when a switch turns
   * off; TIMEOUT after timeoutMs. While maintenance or pause is on, jobs already waiting do not
   * end it at once (the claim would be refused again); a new enqueue or a switch
   * turning off does. The caller then claims again. After a WORKER_DISABLED
   * refusal, the caller should not loop on this: it would return at once.
   */
  waitForWork(operations: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<T.WaitOutcome> {
    const ops = this.accepted(operations);
    return this.wake.wait(ops, timeoutMs, signal, () => this.workHint(ops));
  }

  /** One script (lua/hint.lua): switches, ready jobs of operations not at their caps, the next due time. */
  private async workHint(ops: readonly string[]): Promise<WorkHint> {
    const now = this.clock();
    const [claimable, due] = (await runScript(this.redis, 'hint', [this.keys.epoch], [this.prefix, now, this.avoidScanDepth, ...ops])) as [number, number];
    if (claimable === 1) return { now: true };
    if (due < 0) return { now: false };
    const dueInMs = due - now;
    return dueInMs <= 0 ? { now: true } : { now: false, dueInMs };
  }

  /**
   * Status changes decided more than `graceMs` ago whose event nobody published yet (lua/outbox.lua), oldest
   * first, with Redis's time now; the relay publishes each through `announce`.
   */
  pendingEvents(graceMs: number, limit: number): Promise<{ now: number; events: T.PendingEvent[] }> {
    return this.outboxEntries(this.keys.outbox, graceMs, '', limit);
  }

  /** Status changes published within the last `withinMs` (at most SENT_KEEP_MS), oldest first (lua/outbox.lua). */
  async sentEvents(withinMs: number, limit: number): Promise<T.PendingEvent[]> {
    return (await this.outboxEntries(this.keys.outboxSent, 0, Math.min(withinMs, SENT_KEEP_MS), limit)).events;
  }

  private async outboxEntries(key: string, minAgeMs: number, maxAgeMs: number | '', limit: number): Promise<{ now: number; events: T.PendingEvent[] }> {
    const reply = (await this.run('outbox', [key, this.keys.outboxEvents], [minAgeMs, maxAgeMs, limit])) as Array<string | null>;
    const events: T.PendingEvent[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      const entry = reply[i]!;
      const cut = entry.lastIndexOf(':');
      const [previous, status, at] = (reply[i + 2] ?? '').split(' ');
      if (!previous || !status) continue; // its statuses are gone (trimmed as it was read): nothing to say
      events.push({ entry, id: entry.slice(0, cut), seq: Number(entry.slice(cut + 1)), at: Number(at ?? reply[i + 1]), previousStatus: previous, status });
    }
    return { now: Number(reply.at(-1)), events };
  }

  /**
   * Publishes a status change's event on `channel` and takes its entry out of the outbox, in one step
   * (lua/announce.lua); true when this call published it. The decider's call publishes unless a relay did;
   * a relay's only if it took the entry; 'drop' removes the entry only.
   */
  async announce(entry: string, mode: 'decider' | 'relay' | 'drop', channel: string, message: string): Promise<boolean> {
    const k = this.keys;
    return (await this.run('announce', [k.outbox, k.outboxEvents, k.relayed(entry), k.outboxSent], [entry, mode, channel, message, this.tombstoneMs, SENT_KEEP_MS])) === 1;
  }

  /** Ends pending long polls and closes the subscriber; the command client stays open (the caller owns it). Safe to call twice. */
  async close(): Promise<void> {
    await this.wake.close();
  }
}

/** A script's HGETALL reply (flat field, value pairs) as a job. */
function toJob(flat: string[]): T.QueueJob {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const job = parseJob(h.id ?? '', h);
  if (!job) throw new QueueError('a script returned a job hash without state');
  return job;
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new QueueError(`${name} must be a positive number`);
  return n;
}
