--[[
  Removes up to a batch of queued (ready and delayed) jobs; leased jobs stay.
  The caller repeats until it gets fewer ids than the batch size, so one call
  never blocks Redis for long.

  KEYS[1] delayed zset      <prefix>q:delayed
  KEYS[2] waiting zset      <prefix>q:waiting (every ready job, any operation)

  ARGV[1] key prefix
  ARGV[2] batch size

  Returns the list of ids removed.
]]
local prefix = ARGV[1]
local limit = tonumber(ARGV[2])
local removed = {}
local function drop(id)
  local jobKey = prefix .. 'q:job:' .. id
  local op = redis.call('HGET', jobKey, 'op')
  if op then redis.call('ZREM', prefix .. 'q:ready:' .. op, id) end
  redis.call('DEL', jobKey, prefix .. 'q:tried:' .. id)
  table.insert(removed, id)
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, limit - 1)) do
  drop(id)
  redis.call('ZREM', KEYS[2], id)
end
if #removed < limit then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, limit - #removed - 1)) do
    drop(id)
    redis.call('ZREM', KEYS[1], id)
  end
end
return removed
