--[[
  Marks the queue as restored from MongoDB, and keeps fencing tokens above
  every token issued before Redis lost its data (the caller passes a
  time-based floor, ms * 1000, above any earlier token).

  KEYS[1] <prefix>q:epoch  (not read through KEYS: it routes the script to the prefix's hash slot in
          a Redis Cluster; every key is derived from the prefix, whose {tag} keeps them in that slot)

  ARGV[1] key prefix
  ARGV[2] token floor
  ARGV[3] epoch marker value (any id; kept when the marker exists)

  Returns 1 when the marker was missing (this call restored it), 0 otherwise.
]]
local prefix = ARGV[1]
local tokenKey = prefix .. 'q:token'
if tonumber(redis.call('GET', tokenKey) or '0') < tonumber(ARGV[2]) then redis.call('SET', tokenKey, ARGV[2]) end
return redis.call('SET', prefix .. 'q:epoch', ARGV[3], 'NX') and 1 or 0
