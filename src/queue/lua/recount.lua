--[[
  Rebuilds the running count of every operation and target group
  (<prefix>q:running, what the concurrency caps read) from the leases: the count is derived state, so any
  drift is repaired here (the reconciler calls it each pass).

  KEYS[1] <prefix>q:epoch  (not read through KEYS: it routes the script to the prefix's hash slot on a
          Redis Cluster; every key is derived from the prefix, whose {tag} keeps them in that slot)

  ARGV[1] key prefix

  Returns the number of operations whose count was wrong (0 when none).
]]
local prefix = ARGV[1]
local counted = {}
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'q:leases', 0, -1)) do
  local f = redis.call('HMGET', prefix .. 'q:job:' .. id, 'state', 'op', 'groups')
  if f[1] == 'leased' and f[2] then
    counted[f[2]] = (counted[f[2]] or 0) + 1
    for scope in string.gmatch(f[3] or '', '[^,]+') do counted[scope] = (counted[scope] or 0) + 1 end
  end
end
local key = prefix .. 'q:running'
local stored = redis.call('HGETALL', key)
local wrong = 0
for i = 1, #stored, 2 do
  local op, n = stored[i], tonumber(stored[i + 1])
  if (counted[op] or 0) ~= n then
    wrong = wrong + 1
    if counted[op] then redis.call('HSET', key, op, counted[op]) else redis.call('HDEL', key, op) end
  end
  counted[op] = nil
end
for op, n in pairs(counted) do
  wrong = wrong + 1
  redis.call('HSET', key, op, n)
end
return wrong
