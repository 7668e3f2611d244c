--[[
  Takes up to a limit of expired leases: each job is requeued after backoff
  while attempts remain, else ends FAILED (CANCELLED when cancellation was
  requested). Concurrent reapers, a late extend or a finished job make a
  candidate a no-op, never a double requeue.
  Each job's status change goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] <prefix>q:epoch  (not read through KEYS: it routes the script to the prefix's hash slot in
          a Redis Cluster; every key is derived from the prefix, whose {tag} keeps them in that slot)

  ARGV[1] key prefix
  ARGV[2] now (ms)
  ARGV[3] backoff base (ms)
  ARGV[4] backoff cap (ms)
  ARGV[5] backoff jitter (fraction)
  ARGV[6] tombstone ttl (ms)
  ARGV[7..] random numbers in [0, 1), one per job it may take (their count is the limit)

  Returns a list, one entry per job taken: { id, code, runAt, workerId, previous status, hash }
     7 REQUEUED   attempts remain; delayed until runAt
     2 EXHAUSTED  no attempts left; FAILED
     4 CANCELLED  cancellation was requested; CANCELLED
  { -9 } RESET when Redis lost its data. A lease entry without a leased job hash is dropped.
]]
--@include job
local prefix = ARGV[1]
if epochLost(prefix) then return { -9 } end
local now = tonumber(ARGV[2])
local leases = prefix .. 'q:leases'
local limit = #ARGV - 6
local out = {}
for i, id in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, limit)) do
  local jobKey = prefix .. 'q:job:' .. id
  local f = redis.call('HMGET', jobKey, 'state', 'expires', 'attempt', 'maxAttempts', 'worker', 'cancel', 'status')
  if f[1] ~= 'leased' then
    redis.call('ZREM', leases, id)
  elseif tonumber(f[2]) <= now then
    redis.call('HINCRBY', jobKey, 'seq', 1)
    local attempt = tonumber(f[3])
    local code, runAt = 7, 0
    if f[6] == '1' then code = 4 elseif attempt >= tonumber(f[4]) then code = 2 end
    if code == 7 then
      runAt = now + backoff(attempt, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6 + i]))
      requeue(prefix, id, jobKey, runAt)
    else
      local status = 'FAILED'
      if code == 4 then status = 'CANCELLED' end
      endJob(prefix, id, jobKey, status, tonumber(ARGV[6]))
    end
    noteStatusChange(prefix, jobKey, id, f[7])
    table.insert(out, { id, code, runAt, f[5], f[7], redis.call('HGETALL', jobKey) })
  end
end
return out
