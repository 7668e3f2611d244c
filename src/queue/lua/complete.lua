--[[
  Ends a job successfully: drops its lease and every key of the job.

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] leases zset       <prefix>q:leases
  KEYS[3] tried set         <prefix>q:tried:<id>

  ARGV[1] id
  ARGV[2] fencing token
  ARGV[3] now (ms)

  Returns
     { 0, attempt } OK
     { -5 } LEASE_LOST  token stale, lease expired at now, or job gone; nothing changed
]]
local f = redis.call('HMGET', KEYS[1], 'state', 'token', 'expires', 'attempt')
if f[1] ~= 'leased' or f[2] ~= ARGV[2] or tonumber(f[3]) <= tonumber(ARGV[3]) then
  return { -5 }
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[3])
return { 0, tonumber(f[4]) }
