--[[
  Ends an attempt that failed: schedules a retry (as a delayed job) when it is
  retryable, attempts remain and no cancellation was requested; otherwise drops
  the job. The retry time is computed by the caller from the attempt it read.

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] leases zset       <prefix>q:leases
  KEYS[3] delayed zset      <prefix>q:delayed
  KEYS[4] tried set         <prefix>q:tried:<id>

  ARGV[1] id
  ARGV[2] fencing token
  ARGV[3] now (ms)
  ARGV[4] retryable ('1' or '0')
  ARGV[5] attempt the caller computed runAt for
  ARGV[6] retry runAt (ms)
  ARGV[7] retry ready score

  Returns
     { 1, attempt, runAt } RETRY_SCHEDULED
     { 2, attempt }        EXHAUSTED        no attempts left; job dropped
     { 3, attempt }        NOT_RETRYABLE    job dropped
     { 4, attempt }        CANCELLED        cancellation was requested; job dropped
     { -5 }                LEASE_LOST       nothing changed
]]
local f = redis.call('HMGET', KEYS[1], 'state', 'token', 'expires', 'attempt', 'maxAttempts', 'cancel')
if f[1] ~= 'leased' or f[2] ~= ARGV[2] or tonumber(f[3]) <= tonumber(ARGV[3]) or f[4] ~= ARGV[5] then
  return { -5 }
end
local attempt = tonumber(f[4])
redis.call('ZREM', KEYS[2], ARGV[1])

local code = 1
if f[6] == '1' then code = 4
elseif ARGV[4] ~= '1' then code = 3
elseif attempt >= tonumber(f[5]) then code = 2
end
if code ~= 1 then
  redis.call('DEL', KEYS[1], KEYS[4])
  return { code, attempt }
end

redis.call('HDEL', KEYS[1], 'token', 'worker', 'expires', 'leasedAt')
redis.call('HSET', KEYS[1], 'state', 'delayed', 'runAt', ARGV[6], 'score', ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
return { 1, attempt, tonumber(ARGV[6]) }
