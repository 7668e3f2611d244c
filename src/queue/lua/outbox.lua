--[[
  Entries of the outbox (lib/job.lua noteStatusChange), oldest first, read-only:
  - KEYS[1] = <prefix>q:outbox: status changes decided at least ARGV[2] ms ago whose event nobody published
    (their instance died or hangs between the decision and the publish); the relay publishes each through
    announce.lua, which decides which instance sends it;
  - KEYS[1] = <prefix>q:outbox:sent: changes published within the last ARGV[3] ms (replayed by an instance
    whose subscription to Redis broke, to its own subscribers).

  KEYS[1] <prefix>q:outbox or <prefix>q:outbox:sent   zset, entry '<id>:<seq>' → time (ms, Redis's clock)
  KEYS[2] <prefix>q:outbox:ev              hash, entry → '<previous> <status> <decision time>'

  ARGV[1] key prefix
  ARGV[2] least age (ms)
  ARGV[3] most age (ms; '' for any)
  ARGV[4] most entries

  Returns { entry, time, '<previous> <status> <decision time>' or false, ... } flat, and Redis's time (ms) last
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local from = '-inf'
if ARGV[3] ~= '' then from = now - tonumber(ARGV[3]) end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], from, now - tonumber(ARGV[2]), 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for i = 1, #due, 2 do
  table.insert(out, due[i])
  table.insert(out, due[i + 1])
  table.insert(out, redis.call('HGET', KEYS[2], due[i]))
end
table.insert(out, tostring(now))
return out
