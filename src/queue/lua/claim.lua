--[[
  Leases up to N of the best claimable jobs among the accepted operations to
  one worker: highest priority, then earliest runAt, then lowest id. Flags are
  read here, so maintenance, pause and disabled workers are enforced
  atomically with the claim; so are the concurrency caps and rate limits of
  each operation (lib/caps.lua): an operation at its cap is skipped and the
  best job of the other accepted operations is taken instead. Each claimed job gets a fencing token, its
  attempt counted, status INITIATED and its sequence number raised.
  Each claimed job's change (QUEUED → INITIATED) goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] <prefix>q:epoch  (not read through KEYS: it routes the script to the prefix's hash slot in
          a Redis Cluster; every key is derived from the prefix, whose {tag} keeps them in that slot)

  ARGV[1] key prefix
  ARGV[2] now (ms)
  ARGV[3] workerId
  ARGV[4] lease expiry (ms)
  ARGV[5] most delayed jobs promoted per call
  ARGV[6] how many heads per ready zset are examined for avoided workers
  ARGV[7] most jobs to claim (N)
  ARGV[8..] accepted operations

  Returns
     { 0, epoch, job1, job2, ... }  OK; each job is its hash as HGETALL returns it; epoch is the
                             marker's value (the caller checks it is unchanged before answering)
     { -1 } EMPTY            nothing claimable for this worker (or every operation with work is at its cap)
     { -2 } MAINTENANCE
     { -3 } PAUSED
     { -4 } WORKER_DISABLED
     { -9 } RESET            Redis lost its data; restore, then ask again
]]
--@include job
--@include caps
local prefix = ARGV[1]
if epochLost(prefix) then return { -9 } end
local flags = redis.call('HMGET', prefix .. 'q:flags', 'maintenance', 'paused')
if flags[1] == '1' then return { -2 } end
if flags[2] == '1' then return { -3 } end
local now, worker = ARGV[2], ARGV[3]
if redis.call('SISMEMBER', prefix .. 'q:disabled', worker) == 1 then return { -4 } end

-- Promote due delayed jobs (of every operation, so other claimers see them too).
local delayed = prefix .. 'q:delayed'
for _, id in ipairs(redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))) do
  local jobKey = prefix .. 'q:job:' .. id
  local f = redis.call('HMGET', jobKey, 'op', 'score', 'runAt')
  if f[1] and f[2] and f[3] then
    redis.call('ZADD', prefix .. 'q:ready:' .. f[1], f[2], id)
    redis.call('ZADD', prefix .. 'q:waiting', f[3], id)
    redis.call('HSET', jobKey, 'state', 'ready')
  end
  redis.call('ZREM', delayed, id)
end

-- Lowest (score, id) wins across the accepted ready sets. A job whose tried set
-- holds this worker is skipped even when nothing else is left: "never goes back
-- to a worker that already tried it" is the promise avoidWorkers makes.
local depth = tonumber(ARGV[6])
-- Starts each accepted operation may still make now (caps and rate limits).
-- A job in a target group at its cap is passed over like an avoided one.
local caps = readCaps(prefix)
local left, room = {}, {}
for i = 8, #ARGV do left[ARGV[i]] = (capacity(prefix, caps, ARGV[i], tonumber(now))) end
local function best()
  local bestId, bestScore, bestKey, bestOp, bestGroups
  for i = 8, #ARGV do
    local op = ARGV[i]
    local key = prefix .. 'q:ready:' .. op
    if left[op] <= 0 then key = nil end
    local entries = {}
    if key then entries = redis.call('ZRANGE', key, 0, depth - 1, 'WITHSCORES') end
    for j = 1, #entries, 2 do
      local id = entries[j]
      local score = tonumber(entries[j + 1])
      if bestScore and (score > bestScore or (score == bestScore and id >= bestId)) then break end
      if redis.call('SISMEMBER', prefix .. 'q:tried:' .. id, worker) == 0 then
        local groups, ok = groupsOf(prefix, caps, op, prefix .. 'q:job:' .. id, tonumber(now), room)
        if ok then
          bestId, bestScore, bestKey, bestOp, bestGroups = id, score, key, op, groups
          break
        end
      end
    end
  end
  return bestId, bestKey, bestOp, bestGroups
end

local out = { 0, redis.call('GET', prefix .. 'q:epoch') }
for _ = 1, tonumber(ARGV[7]) do
  local id, key, op, groups = best()
  if not id then break end
  local jobKey = prefix .. 'q:job:' .. id
  local token = redis.call('INCR', prefix .. 'q:token')
  left[op] = left[op] - 1
  for _, scope in ipairs(groups) do room[scope] = room[scope] - 1 end
  countStart(prefix, caps, { op, unpack(groups) }, jobKey, now, token)
  redis.call('HINCRBY', jobKey, 'attempt', 1)
  local previous = redis.call('HGET', jobKey, 'status')
  redis.call('HINCRBY', jobKey, 'seq', 1)
  redis.call('ZREM', key, id)
  redis.call('ZREM', prefix .. 'q:waiting', id)
  redis.call('ZADD', prefix .. 'q:leases', ARGV[4], id)
  redis.call('HSET', jobKey, 'state', 'leased', 'status', 'INITIATED', 'token', token, 'worker', worker,
    'expires', ARGV[4], 'leasedAt', now, 'progress', '0', 'progressWrittenAt', now)
  if redis.call('HGET', jobKey, 'avoid') == '1' then
    redis.call('SADD', prefix .. 'q:tried:' .. id, worker)
  end
  noteStatusChange(prefix, jobKey, id, previous)
  table.insert(out, redis.call('HGETALL', jobKey))
end
if #out == 2 then return { -1 } end
return out
