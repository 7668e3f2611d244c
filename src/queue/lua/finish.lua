--[[
  The lease holder ends an attempt. COMPLETED ends the job. A failure is
  retried after backoff (the job goes back to QUEUED, delayed) when it is
  retryable, attempts remain and no cancellation was requested; otherwise the
  job ends FAILED (CANCELLED when cancellation was requested).
  The status change goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] job hash          <prefix>q:job:<id>

  ARGV[1] key prefix
  ARGV[2] id
  ARGV[3] fencing token
  ARGV[4] now (ms)
  ARGV[5] outcome: complete | fail
  ARGV[6] retryable ('1' or '0'; fail only)
  ARGV[7] backoff base (ms)
  ARGV[8] backoff cap (ms)
  ARGV[9] backoff jitter (fraction)
  ARGV[10] a random number in [0, 1) for the jitter
  ARGV[11] tombstone ttl (ms)

  Returns { code, runAt, maintenance (1/0), leases left, previous status, hash, epoch }
     0 OK               completed
     1 RETRY_SCHEDULED  queued again at runAt
     2 EXHAUSTED        no attempts left: FAILED
     3 NOT_RETRYABLE    FAILED
     4 CANCELLED        cancellation had been requested: CANCELLED
     { -5 } LEASE_LOST  token stale, lease expired at now, or job gone; nothing changed
     { -9 } RESET
]]
--@include job
local prefix, id = ARGV[1], ARGV[2]
if epochLost(prefix) then return { -9 } end
local f = redis.call('HMGET', KEYS[1], 'state', 'token', 'expires', 'attempt', 'maxAttempts', 'cancel', 'status')
local now = tonumber(ARGV[4])
if f[1] ~= 'leased' or f[2] ~= ARGV[3] or tonumber(f[3]) <= now then return { -5 } end
redis.call('HINCRBY', KEYS[1], 'seq', 1)
local attempt = tonumber(f[4])
local code, runAt = 0, 0
if ARGV[5] == 'complete' then
  redis.call('HSET', KEYS[1], 'progress', '1')
  endJob(prefix, id, KEYS[1], 'COMPLETED', tonumber(ARGV[11]))
else
  if f[6] == '1' then code = 4
  elseif ARGV[6] ~= '1' then code = 3
  elseif attempt >= tonumber(f[5]) then code = 2
  else code = 1 end
  if code == 1 then
    runAt = now + backoff(attempt, tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]))
    requeue(prefix, id, KEYS[1], runAt)
  else
    local status = 'FAILED'
    if code == 4 then status = 'CANCELLED' end
    endJob(prefix, id, KEYS[1], status, tonumber(ARGV[11]))
  end
end
noteStatusChange(prefix, KEYS[1], id, f[7])
local maintenance = 0
if redis.call('HGET', prefix .. 'q:flags', 'maintenance') == '1' then maintenance = 1 end
return { code, runAt, maintenance, redis.call('ZCARD', prefix .. 'q:leases'), f[7], redis.call('HGETALL', KEYS[1]), redis.call('GET', prefix .. 'q:epoch') }
