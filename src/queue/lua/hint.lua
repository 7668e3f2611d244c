--[[
  What a long poll needs to know right after it subscribed (read-only but for
  dropping rate-limit starts that left their window): whether a claim for
  these operations could succeed now, or else when a delayed job falls due or
  a rate-limited operation may start again (nobody publishes for either).
  An operation at its running cap is woken by the end of one of its jobs
  (lib/job.lua leaveLease publishes it).

  KEYS: none (every key is derived from the prefix)

  ARGV[1] key prefix
  ARGV[2] now (ms)
  ARGV[3..] accepted operations

  Returns { now (1/0), due (ms time of the next change to look at; -1 for none) }
]]
--@include caps
local prefix, now = ARGV[1], tonumber(ARGV[2])
local flags = redis.call('HMGET', prefix .. 'q:flags', 'maintenance', 'paused')
if flags[1] == '1' or flags[2] == '1' then return { 0, -1 } end
local due = -1
local function sooner(t)
  if t > 0 and (due < 0 or t < due) then due = t end
end
local capped = false
for i = 3, #ARGV do
  local op = ARGV[i]
  if redis.call('ZCARD', prefix .. 'q:ready:' .. op) > 0 then
    local left, nextAt = capacity(prefix, op, now)
    if left > 0 then return { 1, -1 } end
    sooner(nextAt)
  end
end
local head = redis.call('ZRANGE', prefix .. 'q:delayed', 0, 0, 'WITHSCORES')
if head[2] then sooner(tonumber(head[2])) end
return { 0, due }
