--[[
  Leases the best claimable job among the accepted operations to one worker.
  Flags are read here, not in the caller, so maintenance, pause and disabled
  workers are enforced atomically with the claim.

  KEYS[1] flags hash        <prefix>q:flags (fields maintenance, paused: '1' = on)
  KEYS[2] disabled set      <prefix>q:disabled (worker ids)
  KEYS[3] delayed zset      <prefix>q:delayed
  KEYS[4] waiting zset      <prefix>q:waiting
  KEYS[5] leases zset       <prefix>q:leases
  KEYS[6] token counter     <prefix>q:token
  KEYS[7..n] ready zsets    <prefix>q:ready:<operation>, one per accepted operation

  ARGV[1] now (ms)
  ARGV[2] workerId
  ARGV[3] lease expiry (ms)
  ARGV[4] key prefix (job hashes and tried sets are derived from it)
  ARGV[5] most delayed jobs promoted per call
  ARGV[6] how many heads per ready zset are examined for avoided workers

  Returns
     { 0, id, token, leaseExpiresAt, attempt, operation }  OK
     { -1 } EMPTY            nothing claimable for this worker
     { -2 } MAINTENANCE
     { -3 } PAUSED
     { -4 } WORKER_DISABLED
]]
local flags = redis.call('HMGET', KEYS[1], 'maintenance', 'paused')
if flags[1] == '1' then return { -2 } end
if flags[2] == '1' then return { -3 } end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return { -4 } end

local now = ARGV[1]
local worker = ARGV[2]
local prefix = ARGV[4]

-- Promote due delayed jobs (of every operation, so other claimers see them too).
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))
for _, id in ipairs(due) do
  local jobKey = prefix .. 'q:job:' .. id
  local f = redis.call('HMGET', jobKey, 'op', 'score', 'runAt')
  if f[1] and f[2] and f[3] then
    redis.call('ZADD', prefix .. 'q:ready:' .. f[1], f[2], id)
    redis.call('ZADD', KEYS[4], f[3], id)
    redis.call('HSET', jobKey, 'state', 'ready')
  end
  redis.call('ZREM', KEYS[3], id)
end

-- Lowest (score, id) wins across the accepted ready sets. A job whose tried set
-- holds this worker is skipped even when nothing else is left: "never goes back
-- to a worker that already tried it" is the promise avoidWorkers makes.
local depth = tonumber(ARGV[6])
local bestId, bestScore, bestKey
for i = 7, #KEYS do
  local entries = redis.call('ZRANGE', KEYS[i], 0, depth - 1, 'WITHSCORES')
  for j = 1, #entries, 2 do
    local id = entries[j]
    local score = tonumber(entries[j + 1])
    if bestScore and (score > bestScore or (score == bestScore and id >= bestId)) then break end
    if redis.call('SISMEMBER', prefix .. 'q:tried:' .. id, worker) == 0 then
      bestId, bestScore, bestKey = id, score, KEYS[i]
      break
    end
  end
end
if not bestId then return { -1 } end

local jobKey = prefix .. 'q:job:' .. bestId
local token = redis.call('INCR', KEYS[6])
local attempt = redis.call('HINCRBY', jobKey, 'attempt', 1)
redis.call('ZREM', bestKey, bestId)
redis.call('ZREM', KEYS[4], bestId)
redis.call('ZADD', KEYS[5], ARGV[3], bestId)
redis.call('HSET', jobKey, 'state', 'leased', 'token', token, 'worker', worker,
  'expires', ARGV[3], 'leasedAt', now)
if redis.call('HGET', jobKey, 'avoid') == '1' then
  redis.call('SADD', prefix .. 'q:tried:' .. bestId, worker)
end
return { 0, bestId, token, tonumber(ARGV[3]), attempt, redis.call('HGET', jobKey, 'op') }
