import type { RedisClient as Redis } from '../db/redis.js';
import type { QueueKeys } from './keys.js';
import type { PeekInput, QueueCounts, QueueJob, QueueState } from './types.js';

/**
 * Read-only views of the queue (admin queries, the reconciler). They read with
 * plain commands, not scripts: each answer is a snapshot that may be stale by
 * the time it is used, which is fine for display and for the reconciler,
 * whose re-enqueue is idempotent.
 */

const STATES: ReadonlySet<string> = new Set<QueueState>(['ready', 'delayed', 'leased', 'ended', 'held']);

/** A job hash as the queue holds it (see keys.ts), or null when there is none. */
export function parseJob(id: string, h: Record<string, string>): QueueJob | null {
  const state = h.state;
  if (!state || !STATES.has(state) || h.op === undefined) return null;
  const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return {
    id,
    state: state as QueueState,
    status: h.status ?? 'QUEUED',
    seq: Number(h.seq ?? 0),
    operation: h.op,
    runAt: Number(h.runAt),
    attempt: Number(h.attempt ?? 0),
    maxAttempts: Number(h.maxAttempts),
    avoidWorkers: h.avoid === '1',
    cancelRequested: h.cancel === '1',
    progress: num(h.progress),
    enqueuedAt: Number(h.enqueuedAt),
    workerId: h.worker ?? null,
    token: h.token ?? null,
    leaseExpiresAt: num(h.expires),
    leasedAt: num(h.leasedAt),
    retriedBy: h.retriedBy ?? null,
  };
}

export async function queueCounts(redis: Redis, keys: QueueKeys, operations: readonly string[]): Promise<QueueCounts> {
  const pipe = redis.multi();
  pipe.zcard(keys.waiting).zcard(keys.delayed).zcard(keys.leases);
  for (const op of operations) pipe.zcard(keys.ready(op));
  const replies = (await pipe.exec()) ?? [];
  const n = (i: number): number => Number(replies[i]?.[1] ?? 0);
  const readyByOperation: Record<string, number> = {};
  operations.forEach((op, i) => (readyByOperation[op] = n(3 + i)));
  return { ready: n(0), delayed: n(1), leased: n(2), readyByOperation };
}

/** Pairs [member, score, member, score...] from a WITHSCORES reply. */
function pairs(reply: string[]): Array<{ id: string; score: number }> {
  const out: Array<{ id: string; score: number }> = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push({ id: reply[i]!, score: Number(reply[i + 1]) });
  return out;
}

const DELAYED_CHUNK = 500;

/**
 * Jobs in the order claims would take them: ready jobs (and delayed jobs
 * already due, which the next claim promotes) by score then id, then the
 * delayed ones by runAt. Avoided workers are not considered.
 */
export async function peekJobs(redis: Redis, keys: QueueKeys, operations: readonly string[], input: PeekInput, now: number): Promise<QueueJob[]> {
  const offset = Math.max(0, input.offset ?? 0);
  const wanted = offset + Math.max(0, input.limit);
  if (input.limit <= 0) return [];
  const accepted = new Set(operations);

  const pipe = redis.multi();
  for (const op of operations) pipe.zrange(keys.ready(op), 0, wanted - 1, 'WITHSCORES');
  const ready = ((await pipe.exec()) ?? []).flatMap(([, reply]) => pairs(reply as string[]));

  const later: string[] = [];
  for (let start = 0; later.length < wanted; start += DELAYED_CHUNK) {
    const chunk = pairs(await redis.zrange(keys.delayed, start, start + DELAYED_CHUNK - 1, 'WITHSCORES'));
    if (chunk.length === 0) break;
    const meta = redis.multi();
    for (const { id } of chunk) meta.hmget(keys.job(id), 'op', 'score');
    const fields = ((await meta.exec()) ?? []).map(([, reply]) => reply as Array<string | null>);
    chunk.forEach(({ id, score: runAt }, i) => {
      const [op, score] = fields[i] ?? [];
      if (!op || !accepted.has(op)) return;
      if (runAt <= now) ready.push({ id, score: Number(score) });
      else later.push(id);
    });
    if (chunk.length < DELAYED_CHUNK) break;
  }

  ready.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = [...ready.map((r) => r.id), ...later].slice(offset, wanted);
  const read = redis.multi();
  for (const id of page) read.hgetall(keys.job(id));
  const hashes = (await read.exec()) ?? [];
  return page.flatMap((id, i) => parseJob(id, (hashes[i]?.[1] ?? {}) as Record<string, string>) ?? []);
}

/** Since when the longest-waiting claimable job has been claimable (ms), or null when none waits. */
export async function oldestWaitingSince(redis: Redis, keys: QueueKeys, now: number): Promise<number | null> {
  const [waiting, delayed] = await Promise.all([
    redis.zrange(keys.waiting, 0, 0, 'WITHSCORES'),
    redis.zrange(keys.delayed, 0, 0, 'WITHSCORES'),
  ]);
  const candidates = [...pairs(waiting), ...pairs(delayed).filter((d) => d.score <= now)].map((p) => p.score);
  return candidates.length ? Math.min(...candidates) : null;
}
