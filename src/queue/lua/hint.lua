--[[
  What a long poll needs to know right after it subscribed (read-only but for
  dropping rate-limit starts that left their window): whether a claim for
  these operations could succeed now, or else when a delayed job falls due or
  a rate-limited operation may start again (nobody publishes for either).
  An operation at its running cap is woken by the end of one of its jobs
  (lib/job.lua leaveLease publishes it).

  KEYS[1] <prefix>q:epoch  (not read through KEYS: it routes the script to the prefix's hash slot on a
          Redis Cluster; every key is derived from the prefix, whose {tag} keeps them in that slot)

  ARGV[1] key prefix
  ARGV[2] now (ms)
  ARGV[3] how many heads per ready zset are examined (target groups at their cap are passed over, as the claim does)
  ARGV[4..] accepted operations

  Returns { now (1/0), due (ms time of the next change to look at; -1 for none) }
]]
--@include caps
local prefix, now, depth = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local flags = redis.call('HMGET', prefix .. 'q:flags', 'maintenance', 'paused')
if flags[1] == '1' or flags[2] == '1' then return { 0, -1 } end
local due = -1
local function sooner(t)
  if t > 0 and (due < 0 or t < due) then due = t end
end
local caps = readCaps(prefix)
local room = {}
for i = 4, #ARGV do
  local op = ARGV[i]
  local heads = redis.call('ZRANGE', prefix .. 'q:ready:' .. op, 0, depth - 1)
  if #heads > 0 then
    local left, nextAt = capacity(prefix, caps, op, now)
    if left <= 0 then
      sooner(nextAt)
    else
      for _, id in ipairs(heads) do
        local _, ok, at = groupsOf(prefix, caps, op, prefix .. 'q:job:' .. id, now, room)
        if ok then return { 1, -1 } end
        sooner(at)
      end
    end
  end
end
local head = redis.call('ZRANGE', prefix .. 'q:delayed', 0, 0, 'WITHSCORES')
if head[2] then sooner(tonumber(head[2])) end
return { 0, due }
