--[[
  A change that is not the lease holder's: an operator's update or cancel, a
  time limit, a retry's mark on the job it retries. Checks the job's current
  status against the statuses the change may follow, then applies it:
  - a new non-terminal status: set;
  - a terminal status: the job leaves the queue (its lease dropped: the holder
    gets LEASE_LOST) and becomes a tombstone;
  - cancel: a waiting job ends CANCELLED; a leased one is flagged, and its
    holder hears of it through its next progress report (CANCEL_REQUESTED);
  - retriedBy: recorded once on an ended job (ALREADY_RETRIED after that).
  A change of status goes into the outbox (lib/job.lua noteStatusChange).

  KEYS[1] job hash          <prefix>q:job:<id>

  ARGV[1] key prefix
  ARGV[2] id
  ARGV[3] kind: status | cancel | retriedBy | note (a log line or description only)
  ARGV[4] new status (kind status), or the retrying job's id (kind retriedBy)
  ARGV[5] statuses the change may follow, as ',A,B,'
  ARGV[6] the new status is terminal ('1' or '0')
  ARGV[7] tombstone ttl (ms)

  Returns { code, previous status, hash }  (hash as HGETALL returns it, after the change)
     0 OK
     6 CANCEL_REQUESTED   the job is leased: flagged for cancellation
    -8 NOT_FOUND          the queue does not know the job: hydrate it, then ask again
    -9 RESET
   -11 INVALID_TRANSITION the job's status may not make this change; nothing changed
   -12 ALREADY_RETRIED    (hash carries retriedBy)
]]
--@include job
local prefix, id, kind = ARGV[1], ARGV[2], ARGV[3]
if epochLost(prefix) then return { -9 } end
local f = redis.call('HMGET', KEYS[1], 'state', 'status', 'retriedBy')
if not f[1] then return { -8 } end
if not string.find(ARGV[5], ',' .. f[2] .. ',', 1, true) then return { -11, f[2], redis.call('HGETALL', KEYS[1]) } end
if kind == 'retriedBy' and f[3] then return { -12, f[2], redis.call('HGETALL', KEYS[1]) } end

redis.call('HINCRBY', KEYS[1], 'seq', 1)
local code = 0
if kind == 'cancel' then
  if f[1] == 'leased' then
    redis.call('HSET', KEYS[1], 'cancel', '1')
    code = 6
  else
    endJob(prefix, id, KEYS[1], 'CANCELLED', tonumber(ARGV[7]))
  end
elseif kind == 'status' then
  if ARGV[6] == '1' then endJob(prefix, id, KEYS[1], ARGV[4], tonumber(ARGV[7]))
  else redis.call('HSET', KEYS[1], 'status', ARGV[4]) end
elseif kind == 'retriedBy' then
  redis.call('HSET', KEYS[1], 'retriedBy', ARGV[4])
end
noteStatusChange(prefix, KEYS[1], id, f[2])
return { code, f[2], redis.call('HGETALL', KEYS[1]) }
