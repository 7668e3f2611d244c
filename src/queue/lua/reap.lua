--[[
  Takes expired leases. The caller lists candidates it read (id, token) with the
  retry time it computed from their attempt; each is taken only if that very
  lease is still there and expired at now, so concurrent reapers, a late
  extend or a finished job make a candidate a no-op instead of a double requeue.

  KEYS[1] leases zset       <prefix>q:leases
  KEYS[2] delayed zset      <prefix>q:delayed

  ARGV[1] now (ms)
  ARGV[2] key prefix
  ARGV[3..] groups of 4: id, fencing token, retry runAt (ms), retry ready score

  Returns a flat list, 5 entries per job taken: id, code, attempt, workerId, runAt
     7 REQUEUED   attempts remain; delayed until runAt
     2 EXHAUSTED  no attempts left; job dropped (runAt 0)
     4 CANCELLED  cancellation was requested; job dropped (runAt 0)
  A lease entry without a job hash is dropped silently.
]]
local now = tonumber(ARGV[1])
local prefix = ARGV[2]
local out = {}
for i = 3, #ARGV, 4 do
  local id, token, runAt, score = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local jobKey = prefix .. 'q:job:' .. id
  local f = redis.call('HMGET', jobKey, 'state', 'token', 'expires', 'attempt', 'maxAttempts', 'worker', 'cancel')
  if not f[1] then
    local s = redis.call('ZSCORE', KEYS[1], id)
    if s and tonumber(s) <= now then redis.call('ZREM', KEYS[1], id) end
  elseif f[1] == 'leased' and f[2] == token and tonumber(f[3]) <= now then
    local attempt = tonumber(f[4])
    redis.call('ZREM', KEYS[1], id)
    if f[7] == '1' or attempt >= tonumber(f[5]) then
      local code = 2
      if f[7] == '1' then code = 4 end
      redis.call('DEL', jobKey, prefix .. 'q:tried:' .. id)
      table.insert(out, id); table.insert(out, code); table.insert(out, attempt)
      table.insert(out, f[6]); table.insert(out, 0)
    else
      redis.call('HDEL', jobKey, 'token', 'worker', 'expires', 'leasedAt')
      redis.call('HSET', jobKey, 'state', 'delayed', 'runAt', runAt, 'score', score)
      redis.call('ZADD', KEYS[2], runAt, id)
      table.insert(out, id); table.insert(out, 7); table.insert(out, attempt)
      table.insert(out, f[6]); table.insert(out, tonumber(runAt))
    end
  end
end
return out
