import { publishCommand, type RedisClient as Redis } from '../db/redis.js';
import type { QueueKeys } from './keys.js';

/**
 * The concurrency caps and rate limits the claim script reads (lua/lib/caps.lua), as Redis
 * holds them in <prefix>q:caps, and how full they are. A cap's scope is an operation, or an
 * operation's targets starting with a prefix (`scopeOf`). MongoDB is their home
 * (services/caps.ts); these helpers only mirror and read.
 */
export interface QueueCap {
  operation: string;
  /** Only targets starting with this; null: every job of the operation. */
  targetPrefix: string | null;
  /** Most jobs of the scope leased at once; null: no cap. */
  maxRunning: number | null;
  /** Most starts of the scope per window; null: no rate limit. */
  maxStarts: number | null;
  /** The rate limit's window (ms); set exactly when maxStarts is. */
  windowMs: number | null;
}

export interface CapFill {
  /** Jobs of the scope leased now. */
  running: number;
  /** Starts in the current window (0 without a rate limit). */
  startsInWindow: number;
}

/** A cap's scope as the scripts name it: `<op>` or `<op>|<target prefix>`. */
export function scopeOf(cap: Pick<QueueCap, 'operation' | 'targetPrefix'>): string {
  return cap.targetPrefix ? `${cap.operation}|${cap.targetPrefix}` : cap.operation;
}

/** The hash fields of a set of caps. */
function values(caps: Iterable<QueueCap>): string[] {
  const out: string[] = [];
  const groups = new Map<string, string[]>();
  for (const cap of caps) {
    const scope = scopeOf(cap);
    if (cap.maxRunning !== null) out.push(`running:${scope}`, String(cap.maxRunning));
    if (cap.maxStarts !== null && cap.windowMs !== null) out.push(`starts:${scope}`, String(cap.maxStarts), `window:${scope}`, String(cap.windowMs));
    if (cap.targetPrefix) groups.set(cap.operation, [...(groups.get(cap.operation) ?? []), cap.targetPrefix]);
  }
  for (const [op, prefixes] of groups) out.push(`groups:${op}`, prefixes.join(','));
  return out;
}

/** Every cap as Redis holds it, by scope. */
export async function readCaps(redis: Redis, keys: QueueKeys): Promise<Map<string, QueueCap>> {
  const h = await redis.hgetall(keys.caps);
  const caps = new Map<string, QueueCap>();
  const get = (scope: string) => {
    let cap = caps.get(scope);
    if (!cap) {
      const bar = scope.indexOf('|');
      cap = { operation: bar < 0 ? scope : scope.slice(0, bar), targetPrefix: bar < 0 ? null : scope.slice(bar + 1), maxRunning: null, maxStarts: null, windowMs: null };
      caps.set(scope, cap);
    }
    return cap;
  };
  for (const [field, value] of Object.entries(h)) {
    const colon = field.indexOf(':');
    const [kind, scope] = [field.slice(0, colon), field.slice(colon + 1)];
    if (kind === 'running') get(scope).maxRunning = Number(value);
    else if (kind === 'starts') get(scope).maxStarts = Number(value);
    else if (kind === 'window') get(scope).windowMs = Number(value);
  }
  return caps;
}

/**
 * Replaces every cap at once (from MongoDB, their home) in one transaction; every long poll
 * is woken, since a raised or removed cap may make claims succeed.
 */
export async function replaceCaps(redis: Redis, keys: QueueKeys, caps: Iterable<QueueCap>): Promise<void> {
  const v = values(caps);
  const tx = redis.multi().del(keys.caps);
  if (v.length) tx.hset(keys.caps, ...v);
  await tx[publishCommand(redis)](keys.wake, '*').exec();
}

/** How full these caps are at `now` (one round trip), by scope. */
export async function capFill(redis: Redis, keys: QueueKeys, caps: readonly QueueCap[], now: number): Promise<Map<string, CapFill>> {
  const tx = redis.multi().hgetall(keys.running);
  for (const cap of caps) {
    // Starts still inside the window: later than now - window (as the claim script counts them).
    tx.zcount(keys.starts(scopeOf(cap)), cap.windowMs === null ? '+inf' : `(${now - cap.windowMs}`, '+inf');
  }
  const replies = ((await tx.exec()) ?? []).map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
  const running = replies[0] as Record<string, string>;
  return new Map(caps.map((cap, i) => [scopeOf(cap), { running: Number(running[scopeOf(cap)] ?? 0), startsInWindow: cap.windowMs === null ? 0 : Number(replies[i + 1]) }]));
}
