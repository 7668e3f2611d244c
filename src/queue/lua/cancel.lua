--[[
  Flags a leased job for cancellation; its holder sees the flag on extend, and
  fail or the reaper drop the job instead of retrying it.

  KEYS[1] job hash          <prefix>q:job:<id>

  Returns
     0 OK
    -8 NOT_FOUND
    -9 NOT_LEASED  the job is queued: remove it instead
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -8 end
if state ~= 'leased' then return -9 end
redis.call('HSET', KEYS[1], 'cancel', '1')
return 0
