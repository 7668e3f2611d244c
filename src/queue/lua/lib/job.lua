-- Shared by the job scripts (inlined where a script says --@include job).
-- Key layout: src/queue/keys.ts. Every job key is derived from the prefix; its {tag} keeps them all in
-- one Redis Cluster hash slot, the slot of the script's KEYS. PUBLISH_COMMAND (PUBLISH, or SPUBLISH on a
-- cluster) is defined by the loader (src/queue/scripts.ts) above every script.

-- The sorted sets and hashes of one job, by name.
local function jobKeys(prefix, id)
  return { job = prefix .. 'q:job:' .. id, tried = prefix .. 'q:tried:' .. id }
end

-- Redis lost its data (restart without persistence, FLUSHALL, failover) when
-- the epoch marker is gone: nothing may be decided until the caller restored
-- the queue from MongoDB (RedisQueue.restore) and set the marker again.
local function epochLost(prefix)
  return redis.call('EXISTS', prefix .. 'q:epoch') == 0
end

-- A job leaves its lease (it ends or is requeued): the running counts of its
-- operation and of the target groups its claim counted it in (<prefix>q:running,
-- what the concurrency caps read, lib/caps.lua) drop, and when the operation has
-- caps, its waiting claimers are woken (a slot freed). Every path off a lease
-- (finish, reap, a terminal change) comes through here.
local function leaveLease(prefix, jobKey)
  local f = redis.call('HMGET', jobKey, 'state', 'op', 'groups')
  if f[1] ~= 'leased' or not f[2] then return end
  local running = prefix .. 'q:running'
  local scopes = { f[2] }
  if f[3] then
    for scope in string.gmatch(f[3], '[^,]+') do table.insert(scopes, scope) end
    redis.call('HDEL', jobKey, 'groups')
  end
  for _, scope in ipairs(scopes) do
    if redis.call('HINCRBY', running, scope, -1) < 0 then redis.call('HSET', running, scope, 0) end
  end
  local capped = redis.call('HMGET', prefix .. 'q:caps', 'running:' .. f[2], 'groups:' .. f[2])
  if capped[1] or capped[2] then redis.call(PUBLISH_COMMAND, prefix .. 'wake', f[2]) end
end

-- Ends a job: out of every set, its lease dropped; its hash stays as a
-- tombstone for ttl ms, so a late enqueue or restore cannot bring it back.
local function endJob(prefix, id, jobKey, status, ttl)
  leaveLease(prefix, jobKey)
  local op = redis.call('HGET', jobKey, 'op')
  if op then redis.call('ZREM', prefix .. 'q:ready:' .. op, id) end
  redis.call('ZREM', prefix .. 'q:waiting', id)
  redis.call('ZREM', prefix .. 'q:delayed', id)
  redis.call('ZREM', prefix .. 'q:leases', id)
  redis.call('DEL', prefix .. 'q:tried:' .. id)
  redis.call('HDEL', jobKey, 'token', 'expires')
  redis.call('HSET', jobKey, 'state', 'ended', 'status', status)
  redis.call('PEXPIRE', jobKey, ttl)
end

-- Delay before the retry after failed attempt `attempt`: base * 2^(attempt-1),
-- capped at max, then scaled by a factor in [1 - jitter, 1 + jitter) drawn from r in [0, 1).
local function backoff(attempt, base, max, jitter, r)
  local e = math.max(0, math.floor(attempt) - 1)
  if e > 60 then e = 60 end
  local raw = math.min(max, base * 2 ^ e)
  return math.max(0, math.floor(raw * (1 + jitter * (2 * r - 1)) + 0.5))
end

-- Puts a job whose lease ended back in the queue, claimable at runAt.
local function requeue(prefix, id, jobKey, runAt)
  leaveLease(prefix, jobKey)
  redis.call('ZREM', prefix .. 'q:leases', id)
  redis.call('HDEL', jobKey, 'token', 'expires')
  local band = tonumber(redis.call('HGET', jobKey, 'band'))
  redis.call('HSET', jobKey, 'state', 'delayed', 'status', 'QUEUED', 'runAt', runAt, 'score', band + runAt)
  redis.call('ZADD', prefix .. 'q:delayed', runAt, id)
  -- Long polls already waiting learn the due time (nobody publishes when it comes): '<op>@<runAt>'.
  local op = redis.call('HGET', jobKey, 'op')
  if op then redis.call(PUBLISH_COMMAND, prefix .. 'wake', op .. '@' .. runAt) end
end

-- A decided status change waits in the outbox until its event is published: <prefix>q:outbox (zset, entry
-- '<id>:<seq>' scored by the decision's time in ms, Redis's own clock) and <prefix>q:outbox:ev (hash, entry →
-- '<previous> <status> <decision time>'). The instance that decided it removes it as it publishes (announce.lua); if that
-- instance dies first, any instance's relay publishes it after a grace period (services/lifecycle.ts
-- relayEvents). Called at the end of a decision, with the status the job had before it; nothing when the
-- status did not change (a progress fraction, a note, a cancellation request).
local function noteStatusChange(prefix, jobKey, id, previous)
  local f = redis.call('HMGET', jobKey, 'seq', 'status')
  if not f[2] or f[2] == previous then return end
  local t = redis.call('TIME')
  local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local entry = id .. ':' .. f[1]
  redis.call('ZADD', prefix .. 'q:outbox', at, entry)
  redis.call('HSET', prefix .. 'q:outbox:ev', entry, previous .. ' ' .. f[2] .. ' ' .. at)
end
