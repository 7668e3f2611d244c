--[[
  Restores a lease that Redis lost (FLUSHALL, failover) from what MongoDB
  recorded, so a job whose holder is still working is not handed to a second
  worker. Does nothing when Redis still knows the job.

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] leases zset       <prefix>q:leases
  KEYS[3] token counter     <prefix>q:token

  ARGV[1] id
  ARGV[2] operation
  ARGV[3] priority
  ARGV[4] runAt (ms)
  ARGV[5] ready score
  ARGV[6] maxAttempts
  ARGV[7] attempt (the leased one, 1-based)
  ARGV[8] avoidWorkers ('1' or '0')
  ARGV[9] now (ms)
  ARGV[10] token (the holder's fencing token)
  ARGV[11] workerId
  ARGV[12] lease expiry (ms)

  Returns
     0 OK              the lease exists again; the token counter is at least the token
    -7 ALREADY_LEASED  the job hash exists (whatever its state); nothing changed
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -7 end
redis.call('HSET', KEYS[1],
  'op', ARGV[2], 'priority', ARGV[3], 'runAt', ARGV[4], 'score', ARGV[5],
  'maxAttempts', ARGV[6], 'attempt', ARGV[7], 'avoid', ARGV[8], 'enqueuedAt', ARGV[9],
  'state', 'leased', 'token', ARGV[10], 'worker', ARGV[11], 'expires', ARGV[12], 'leasedAt', ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[12], ARGV[1])
local current = tonumber(redis.call('GET', KEYS[3]) or '0')
if current < tonumber(ARGV[10]) then redis.call('SET', KEYS[3], ARGV[10]) end
return 0
