--[[
  A progress report from the lease holder: extends the lease, and may move the
  job to a later stage, set its progress and count a log message. Tells the
  caller whether the report must be written to MongoDB now: a stage change or
  a message always; otherwise (a fraction, or only the lease) once the last
  write is an interval old, so MongoDB's record of the lease (what a restore
  after a Redis loss gives back) is never more than an interval behind.
  A stage change goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] job hash          <prefix>q:job:<id>

  ARGV[1] key prefix
  ARGV[2] id
  ARGV[3] fencing token
  ARGV[4] now (ms)
  ARGV[5] new lease expiry (ms)
  ARGV[6] new status ('' for none)
  ARGV[7] statuses the new status may follow, as ',A,B,' (from jobRules.checkTransition)
  ARGV[8] progress ('' for none)
  ARGV[9] a message comes with the report ('1' or '0')
  ARGV[10] least time between two writes of a report without a stage change or message (ms)
  ARGV[11] most messages kept in one job's log

  Returns
     { 0, write (1/0), keepMessage (1/0), previous status, hash }  OK; hash as HGETALL returns it
     { -5 } LEASE_LOST          token stale, lease expired at now, or job gone; nothing changed
     { -9 } RESET
     { -11, status } INVALID_TRANSITION   the new status may not follow the current one; nothing changed
]]
--@include job
local prefix = ARGV[1]
if epochLost(prefix) then return { -9 } end
local f = redis.call('HMGET', KEYS[1], 'state', 'token', 'expires', 'status', 'progressWrittenAt')
local now = tonumber(ARGV[4])
if f[1] ~= 'leased' or f[2] ~= ARGV[3] or tonumber(f[3]) <= now then return { -5 } end
local to = ARGV[6]
local moves = to ~= '' and to ~= f[4]
if moves and not string.find(ARGV[7], ',' .. f[4] .. ',', 1, true) then return { -11, f[4] } end

redis.call('HSET', KEYS[1], 'expires', ARGV[5])
redis.call('ZADD', prefix .. 'q:leases', ARGV[5], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'seq', 1)
local write = moves
if moves then
  redis.call('HSET', KEYS[1], 'status', to)
  noteStatusChange(prefix, KEYS[1], ARGV[2], f[4])
end
local keep = 0
if ARGV[9] == '1' and redis.call('HINCRBY', KEYS[1], 'messages', 1) <= tonumber(ARGV[11]) then
  keep = 1
  write = true
end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'progress', ARGV[8]) end
if now - tonumber(f[5] or '0') >= tonumber(ARGV[10]) then write = true end
if write then
  redis.call('HSET', KEYS[1], 'progressWrittenAt', now)
  return { 0, 1, keep, f[4], redis.call('HGETALL', KEYS[1]) }
end
return { 0, 0, keep, f[4], redis.call('HGETALL', KEYS[1]) }
