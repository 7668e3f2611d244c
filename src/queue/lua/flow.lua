--[[
  A child of a flow ended (COMPLETED, FAILED or CANCELLED): its end is counted
  once (a set of ended children per flow, so the lifecycle and the reconciler
  may both report it), and the flow's final job, held out of every set since
  its creation, is decided exactly once, on whichever instance reports the
  deciding child:
  - a failed child (FAILED or CANCELLED) under policy FAIL or CANCEL_REST: the
    final job ends FAILED at once (the lifecycle then cancels the other
    children under CANCEL_REST);
  - the last child's end: the final job is queued (ready; woken like any enqueue).
  Once the final job left 'held' (queued, failed, cancelled by an operator)
  later ends are counted and nothing else changes.
  The final job's release or failure goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] the final job's hash   <prefix>q:job:<finalId>

  ARGV[1] key prefix
  ARGV[2] the final job's id
  ARGV[3] the child's id
  ARGV[4] the child's terminal status
  ARGV[5] how many children the flow has ('' while its creation has not recorded it: nothing is released)
  ARGV[6] the policy for a failed child: FAIL | CONTINUE | CANCEL_REST
  ARGV[7] tombstone ttl (ms): the flow's set expires this long after the final job is decided

  Keys derived from the prefix: <prefix>q:flow:<finalId> hash, child id → its terminal status.

  Returns { code, ended, failed [, final job hash] }
    20 COUNTED          counted; the flow waits for more children
    21 ALREADY_COUNTED  this child was counted before; nothing changed
    22 DECIDED          counted; the final job was decided before
    23 RELEASED         the last child ended: the final job is queued (hash after)
    24 FLOW_FAILED      a child failed under FAIL / CANCEL_REST: the final job ended FAILED (hash after)
    { -8 } NOT_FOUND    the queue does not know the final job: hydrate it, then ask again
    { -9 } RESET
]]
--@include job
local prefix, finalId, childId, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if epochLost(prefix) then return { -9 } end
local f = redis.call('HMGET', KEYS[1], 'state', 'op', 'score', 'runAt')
local total, policy, ttl = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
if not f[1] then return { -8 } end
local flowKey = prefix .. 'q:flow:' .. finalId
local added = redis.call('HSETNX', flowKey, childId, status)
local ended, failed = 0, 0
for _, v in ipairs(redis.call('HVALS', flowKey)) do
  ended = ended + 1
  if v ~= 'COMPLETED' then failed = failed + 1 end
end
if added == 0 then return { 21, ended, failed } end
if f[1] ~= 'held' then
  redis.call('PEXPIRE', flowKey, ttl)
  return { 22, ended, failed }
end
if status ~= 'COMPLETED' and policy ~= 'CONTINUE' then
  redis.call('HINCRBY', KEYS[1], 'seq', 1)
  endJob(prefix, finalId, KEYS[1], 'FAILED', ttl)
  noteStatusChange(prefix, KEYS[1], finalId, 'WAITING')
  redis.call('PEXPIRE', flowKey, ttl)
  return { 24, ended, failed, redis.call('HGETALL', KEYS[1]) }
end
if not total or ended < total then return { 20, ended, failed } end
-- The last child: the final job is queued, exactly as hydrate enqueues a ready job.
redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'state', 'ready', 'status', 'QUEUED')
redis.call('ZADD', prefix .. 'q:ready:' .. f[2], f[3], finalId)
redis.call('ZADD', prefix .. 'q:waiting', f[4], finalId)
redis.call(PUBLISH_COMMAND, prefix .. 'wake', f[2])
noteStatusChange(prefix, KEYS[1], finalId, 'WAITING')
redis.call('PEXPIRE', flowKey, ttl)
return { 23, ended, failed, redis.call('HGETALL', KEYS[1]) }
