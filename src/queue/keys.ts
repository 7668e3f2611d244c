/**
 * The Redis key layout of the queue; every key and the wake channel start with
 * the configured prefix, so deployments (and test files) sharing one Redis stay apart.
 * The Lua scripts derive job keys from the prefix too, so a change here is a
 * change in lua/*.lua as well. The prefix's hash tag (`{js}:`) puts every key in
 * one Redis Cluster slot, which a script touching several keys needs; a script
 * with no key of its own passes `epoch` as KEYS[1] so a cluster routes it there.
 *
 *   <prefix>q:job:<id>        hash   id, state (ready|delayed|leased|ended), status, seq (the job's
 *                                    sequence number), op, band (priority band), runAt, score,
 *                                    maxAttempts, attempt (used so far), avoid, cancel, progress,
 *                                    progressWrittenAt, messages (log lines counted), enqueuedAt,
 *                                    retriedBy; worker (holder or last holder), leasedAt;
 *                                    while leased: token, expires. An ended job's hash is a
 *                                    tombstone that expires after tombstoneMs.
 *   <prefix>q:ready:<op>      zset   ready jobs of one operation, score = readyScore(priority, runAt),
 *                                    ties in member (id) order
 *   <prefix>q:waiting         zset   every ready job, score = runAt (oldest waiting, counts, clear)
 *   <prefix>q:delayed         zset   jobs not due yet, score = runAt
 *   <prefix>q:leases          zset   leased jobs, score = lease expiry
 *   <prefix>q:tried:<id>      set    workers that claimed a job enqueued with avoidWorkers
 *   <prefix>q:token           string fencing token counter (INCR)
 *   <prefix>q:flags           hash   maintenance, paused ('1' = on)
 *   <prefix>q:epoch           string present while Redis holds the queue; an empty Redis lacks it
 *                                    (see RedisQueue.markRestored)
 *   <prefix>q:disabled        set    disabled worker ids
 *   <prefix>q:caps            hash   concurrency caps and rate limits (mirrored from MongoDB):
 *                                    running:<op>, starts:<op>, window:<op> (ms); see lua/lib/caps.lua
 *   <prefix>q:running         hash   <op> → jobs of op leased now (derived from the leases: recount.lua)
 *   <prefix>q:starts:<op>     zset   starts of op in its rate-limit window (member token, score time)
 *   <prefix>q:sched:<id>:<ms> string who fires schedule <id>'s time <ms> (SET NX; services/schedules.ts)
 *   <prefix>q:flow:<finalId>  hash   a flow's ended children: child id → its terminal status (lua/flow.lua)
 *   <prefix>q:outbox          zset   status changes decided and not yet published, entry '<id>:<seq>'
 *                                    (outboxEntry), score = decision time in ms (lib/job.lua noteStatusChange)
 *   <prefix>q:outbox:ev       hash   entry → '<previous status> <status> <decision time>'
 *   <prefix>q:outbox:sent     zset   entries published in the last minute (SENT_KEEP_MS), score = publish time
 *   <prefix>q:relayed:<entry> string a relay published this entry (expires; lua/announce.lua)
 *   <prefix>wake              channel  an operation name when a job of it becomes ready; '<op>@<ms>'
 *                                    when one is delayed until ms; '*' when a switch turns off
 *                                    (maintenance, pause, worker disabled)
 *   <prefix>ev                channel  every event between instances, `<topic>\n<payload>` (src/events/bus.ts)
 *   Both channels are sharded (SPUBLISH/SSUBSCRIBE) on a Redis Cluster (src/db/redis.ts publishCommand).
 */

/** The job operations of the contract; the default set of ready queues. */
export const OPERATIONS = [
  'ADD',
  'CHANGE',
  'PATCH_METADATA',
  'SET_STATUS',
  'BUMP',
  'DELETE_DRAFT',
  'REMOVE',
  'ROLLBACK_REMOVE',
  'DELETE_ARCHIVE',
] as const;

export type JobOperation = (typeof OPERATIONS)[number];

export interface QueueKeys {
  flags: string;
  disabled: string;
  delayed: string;
  waiting: string;
  leases: string;
  token: string;
  epoch: string;
  wake: string;
  caps: string;
  running: string;
  starts(op: string): string;
  scheduleTick(scheduleId: string, at: number | string): string;
  flow(finalId: string): string;
  outbox: string;
  outboxEvents: string;
  outboxSent: string;
  relayed(entry: string): string;
  ready(op: string): string;
  job(id: string): string;
  tried(id: string): string;
}

export function queueKeys(prefix: string): QueueKeys {
  const q = `${prefix}q:`;
  return {
    flags: `${q}flags`,
    disabled: `${q}disabled`,
    delayed: `${q}delayed`,
    waiting: `${q}waiting`,
    leases: `${q}leases`,
    token: `${q}token`,
    epoch: `${q}epoch`,
    wake: `${prefix}wake`,
    caps: `${q}caps`,
    running: `${q}running`,
    starts: (op) => `${q}starts:${op}`,
    scheduleTick: (id, at) => `${q}sched:${id}:${at}`,
    flow: (id) => `${q}flow:${id}`,
    outbox: `${q}outbox`,
    outboxEvents: `${q}outbox:ev`,
    outboxSent: `${q}outbox:sent`,
    relayed: (entry) => `${q}relayed:${entry}`,
    ready: (op) => `${q}ready:${op}`,
    job: (id) => `${q}job:${id}`,
    tried: (id) => `${q}tried:${id}`,
  };
}

/** A decided status change's entry in the outbox, as lib/job.lua noteStatusChange writes it. */
export function outboxEntry(id: string, seq: number): string {
  return `${id}:${seq}`;
}

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
/** runAt must stay below 2^42 ms (year 2109) so that priority and runAt share one exact double. */
export const RUN_AT_LIMIT = 2 ** 42;

/**
 * Score of a ready job: lower is claimed first. Higher priority gives a lower
 * band; inside a band the earlier runAt wins; Redis orders equal scores by
 * member, i.e. by id (ObjectIds sort by creation). At most 2001 * 2^42 < 2^53,
 * so the score is an exact integer in a double.
 */
export function readyScore(priority: number, runAt: number): number {
  return priorityBand(priority) + runAt;
}

/** The part of a ready score that priority gives (the scripts add runAt to it). */
export function priorityBand(priority: number): number {
  return (PRIORITY_MAX - priority) * RUN_AT_LIMIT;
}

/** Creation time of an ObjectId (its first 4 bytes, seconds), or undefined for other ids. */
export function objectIdTime(id: string): number | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? parseInt(id.slice(0, 8), 16) * 1000 : undefined;
}
