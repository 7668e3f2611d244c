--[[
  Extends a lease, for its live holder only.

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] leases zset       <prefix>q:leases

  ARGV[1] id
  ARGV[2] fencing token
  ARGV[3] now (ms)
  ARGV[4] new lease expiry (ms)

  Returns
     { 0, leaseExpiresAt, cancelRequested (1/0) }  OK
     { -5 } LEASE_LOST  token stale, lease expired at now, or job gone; nothing changed
]]
local f = redis.call('HMGET', KEYS[1], 'state', 'token', 'expires', 'cancel')
if f[1] ~= 'leased' or f[2] ~= ARGV[2] or tonumber(f[3]) <= tonumber(ARGV[3]) then
  return { -5 }
end
redis.call('HSET', KEYS[1], 'expires', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
local cancel = 0
if f[4] == '1' then cancel = 1 end
return { 0, tonumber(ARGV[4]), cancel }
