--[[
  Removes a queued job (ready or delayed). A leased job is left to its holder,
  which learns from extend that cancellation was requested.

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] delayed zset      <prefix>q:delayed
  KEYS[3] waiting zset      <prefix>q:waiting
  KEYS[4] tried set         <prefix>q:tried:<id>

  ARGV[1] id
  ARGV[2] key prefix (the ready zset is derived from the job's operation)

  Returns { code, state }
     5 REMOVED           state 'ready' or 'delayed'
     6 CANCEL_REQUESTED  state 'leased'; the lease stays
    -8 NOT_FOUND         state 'absent'
]]
local f = redis.call('HMGET', KEYS[1], 'state', 'op')
if not f[1] then return { -8, 'absent' } end
if f[1] == 'leased' then
  redis.call('HSET', KEYS[1], 'cancel', '1')
  return { 6, 'leased' }
end
redis.call('ZREM', ARGV[2] .. 'q:ready:' .. f[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[4])
return { 5, f[1] }
