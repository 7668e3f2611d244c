--[[
  The outbox's entries older than the grace period, oldest first: status
  changes whose deciding instance has not published their event (it died or
  is stuck between the decision and the publish). Read-only: the relay
  publishes each through announce.lua, which decides which instance sends it.

  KEYS[1] <prefix>q:outbox                 zset, entry '<id>:<seq>' → decision time (ms)
  KEYS[2] <prefix>q:outbox:ev              hash, entry → '<previous> <status>'

  ARGV[1] key prefix
  ARGV[2] grace period (ms), against Redis's clock (the entries' times are Redis's too)
  ARGV[3] most entries

  Returns { entry, decision time, '<previous> <status>' or false, ... } flat, and Redis's time (ms) last
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #due, 2 do
  table.insert(out, due[i])
  table.insert(out, due[i + 1])
  table.insert(out, redis.call('HGET', KEYS[2], due[i]))
end
table.insert(out, tostring(now))
return out
