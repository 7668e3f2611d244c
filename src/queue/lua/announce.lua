--[[
  Publishes the event of a decided status change and takes its entry out of the
  outbox (lib/job.lua noteStatusChange), atomically, so that each change's event
  is published once whether the instance that decided it or a relay sends it.
  - mode 'decider' (the instance that decided the change): publishes unless a
    relay has published this entry already (its marker is there); an entry that
    is missing without a marker (Redis lost its data, or no entry was made) is
    published all the same.
  - mode 'relay' (any instance, for an entry older than the grace period):
    publishes only if it removes the entry, and leaves a marker for the decider.
  - mode 'drop': removes the entry without publishing (its job is gone).
  A published entry is kept for a while in <prefix>q:outbox:sent (with its
  statuses): an instance whose subscription to Redis broke delivers the ones it
  missed to its own subscribers when it is back (services/lifecycle.ts replayRecent).

  KEYS[1] <prefix>q:outbox                 zset, entry → decision time (ms)
  KEYS[2] <prefix>q:outbox:ev              hash, entry → '<previous> <status> <decision time>'
  KEYS[3] <prefix>q:relayed:<entry>        string, present for ttl ms once a relay published the entry
  KEYS[4] <prefix>q:outbox:sent            zset, published entry → publish time (ms, Redis's clock)

  ARGV[1] key prefix
  ARGV[2] entry ('<id>:<seq>')
  ARGV[3] mode: decider | relay | drop
  ARGV[4] channel (<prefix>ev)
  ARGV[5] message
  ARGV[6] marker ttl (ms)
  ARGV[7] how long published entries stay in KEYS[4] (ms)

  Returns 1 published, 0 not (another instance published it, or dropped)
]]
local entry, mode = ARGV[2], ARGV[3]
local removed = redis.call('ZREM', KEYS[1], entry)
local known = redis.call('HEXISTS', KEYS[2], entry) == 1
local function forget()
  redis.call('HDEL', KEYS[2], entry)
  redis.call('ZREM', KEYS[4], entry)
end
if mode == 'drop' then forget() return 0 end
if mode == 'relay' then
  if removed == 0 then return 0 end
  redis.call('SET', KEYS[3], '1', 'PX', tonumber(ARGV[6]))
elseif removed == 0 and redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
redis.call(PUBLISH_COMMAND, ARGV[4], ARGV[5])
if known then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[4], now, entry)
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[7]), 'LIMIT', 0, 20)) do
    redis.call('HDEL', KEYS[2], old)
    redis.call('ZREM', KEYS[4], old)
  end
end
return 1
