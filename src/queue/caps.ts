import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';

/**
 * The concurrency caps and rate limits the claim script reads (lua/lib/caps.lua),
 * as Redis holds them in <prefix>q:caps, and how full they are. MongoDB is their
 * home (services/caps.ts); these helpers only mirror and read.
 */
export interface QueueCap {
  /** Most jobs of the operation leased at once; null: no cap. */
  maxRunning: number | null;
  /** Most starts of the operation per window; null: no rate limit. */
  maxStarts: number | null;
  /** The rate limit's window (ms); set exactly when maxStarts is. */
  windowMs: number | null;
}

export interface CapFill {
  /** Jobs of the operation leased now. */
  running: number;
  /** Starts in the current window (0 without a rate limit). */
  startsInWindow: number;
}

/** The hash fields of one operation's cap. */
function fields(op: string): [string, string, string] {
  return [`running:${op}`, `starts:${op}`, `window:${op}`];
}

function values(op: string, cap: QueueCap): string[] {
  const [running, starts, window] = fields(op);
  const out: string[] = [];
  if (cap.maxRunning !== null) out.push(running, String(cap.maxRunning));
  if (cap.maxStarts !== null && cap.windowMs !== null) out.push(starts, String(cap.maxStarts), window, String(cap.windowMs));
  return out;
}

/** Every cap as Redis holds it. */
export async function readCaps(redis: Redis, keys: QueueKeys): Promise<Map<string, QueueCap>> {
  const h = await redis.hgetall(keys.caps);
  const caps = new Map<string, QueueCap>();
  const get = (op: string) => caps.get(op) ?? caps.set(op, { maxRunning: null, maxStarts: null, windowMs: null }).get(op)!;
  for (const [field, value] of Object.entries(h)) {
    const [kind, op] = [field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)];
    if (kind === 'running') get(op).maxRunning = Number(value);
    else if (kind === 'starts') get(op).maxStarts = Number(value);
    else if (kind === 'window') get(op).windowMs = Number(value);
  }
  return caps;
}

/**
 * Sets (or, with null, removes) one operation's cap in one transaction; every
 * long poll is woken, since a raised or removed cap may make claims succeed.
 * Without a rate limit its window of starts is dropped.
 */
export async function writeCap(redis: Redis, keys: QueueKeys, op: string, cap: QueueCap | null): Promise<void> {
  const tx = redis.multi().hdel(keys.caps, ...fields(op));
  const v = cap ? values(op, cap) : [];
  if (v.length) tx.hset(keys.caps, ...v);
  if (!cap || cap.maxStarts === null) tx.del(keys.starts(op));
  await tx.publish(keys.wake, '*').exec();
}

/** Replaces every cap at once (restoring MongoDB's copy). */
export async function replaceCaps(redis: Redis, keys: QueueKeys, caps: ReadonlyMap<string, QueueCap>): Promise<void> {
  const v = [...caps].flatMap(([op, cap]) => values(op, cap));
  const tx = redis.multi().del(keys.caps);
  if (v.length) tx.hset(keys.caps, ...v);
  await tx.publish(keys.wake, '*').exec();
}

/** How full each of these operations' caps are at `now` (one round trip). */
export async function capFill(redis: Redis, keys: QueueKeys, caps: ReadonlyMap<string, QueueCap>, now: number): Promise<Map<string, CapFill>> {
  const ops = [...caps.keys()];
  const tx = redis.multi().hgetall(keys.running);
  for (const op of ops) {
    const w = caps.get(op)!.windowMs;
    // Starts still inside the window: later than now - window (as the claim script counts them).
    tx.zcount(keys.starts(op), w === null ? '+inf' : `(${now - w}`, '+inf');
  }
  const replies = ((await tx.exec()) ?? []).map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
  const running = replies[0] as Record<string, string>;
  return new Map(ops.map((op, i) => [op, { running: Number(running[op] ?? 0), startsInWindow: caps.get(op)!.windowMs === null ? 0 : Number(replies[i + 1]) }]));
}
