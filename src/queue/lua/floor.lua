--[[
  Raises the fencing-token counter to at least a floor. After Redis lost its
  data the counter would start again at 1 and could hand out a token a stale
  worker still holds; the caller passes a time-based floor (ms * 1000) that is
  above every token issued before.

  KEYS[1] token counter     <prefix>q:token
  ARGV[1] floor

  Returns 1 when the counter was raised, 0 when it was already at or above the floor.
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
