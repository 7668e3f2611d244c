--[[
  Gives the queue a job it does not know yet, in the state MongoDB recorded:
  a new job (QUEUED) is enqueued, a running one gets its lease back (also an
  expired one: the reaper then requeues it and records that), a terminal one
  becomes a tombstone. Does nothing when the queue knows the id (in any state,
  tombstones included), so a stale copy can never overwrite what Redis decided.
  Used for every enqueue (creation, retry), by the reconciler, and before any
  decision on a job Redis does not know.

  KEYS[1] job hash          <prefix>q:job:<id>

  ARGV[1] key prefix
  ARGV[2] id
  ARGV[3] now (ms)
  ARGV[4] state: ready (QUEUED; delayed when runAt > now) | leased | ended | held (a flow's final job: in no set)
  ARGV[5] status (JobStatus)
  ARGV[6] sequence number
  ARGV[7] operation
  ARGV[8] priority band ((PRIORITY_MAX - priority) * RUN_AT_LIMIT)
  ARGV[9] runAt (ms)
  ARGV[10] maxAttempts
  ARGV[11] attempts used
  ARGV[12] avoidWorkers ('1' or '0')
  ARGV[13] cancellation requested ('1' or '0')
  ARGV[14] progress ('' when none)
  ARGV[15] tombstone ttl (ms)
  ARGV[16..19] when leased: token, workerId, lease expiry (ms), leasedAt (ms); '' otherwise
  ARGV[20] the job that retried this one ('' for none)
  ARGV[21] the epoch the caller's copy was read in: '*' any (a job just created), '' none (a
           restore, before the marker is set), else the marker's value; a copy read in another
           epoch is refused (EPOCH_CHANGED): the queue may have decided newer things since
  ARGV[22] the job's target (the concurrency caps of target groups read it)

  Returns { code, state }
     0 OK              state ready | delayed | leased | ended
    -6 ALREADY_QUEUED  the id is known (its state returned); nothing changed
   -13 EPOCH_CHANGED   the copy is from another epoch; nothing changed

  Events: PUBLISH (SPUBLISH on a cluster) <prefix>wake <operation> when the job is ready at once,
  <operation>@<runAt> when it is delayed (long polls waiting then wake when it falls due).
]]
--@include job
--@include caps
local prefix, id = ARGV[1], ARGV[2]
if ARGV[21] ~= '*' and (redis.call('GET', prefix .. 'q:epoch') or '') ~= ARGV[21] then return { -13, '' } end
local existing = redis.call('HGET', KEYS[1], 'state')
if existing then return { -6, existing } end

local now, state, runAt = tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[9])
if state == 'ready' and runAt > now then state = 'delayed' end
local score = tonumber(ARGV[8]) + runAt
redis.call('HSET', KEYS[1], 'id', id, 'state', state, 'status', ARGV[5], 'seq', ARGV[6], 'op', ARGV[7],
  'band', ARGV[8], 'runAt', ARGV[9], 'score', score, 'maxAttempts', ARGV[10], 'attempt', ARGV[11],
  'avoid', ARGV[12], 'cancel', ARGV[13], 'enqueuedAt', ARGV[3])
if ARGV[14] ~= '' then redis.call('HSET', KEYS[1], 'progress', ARGV[14]) end
if ARGV[20] ~= '' then redis.call('HSET', KEYS[1], 'retriedBy', ARGV[20]) end
if (ARGV[22] or '') ~= '' then redis.call('HSET', KEYS[1], 'target', ARGV[22]) end

if state == 'ready' then
  redis.call('ZADD', prefix .. 'q:ready:' .. ARGV[7], score, id)
  redis.call('ZADD', prefix .. 'q:waiting', runAt, id)
  redis.call(PUBLISH_COMMAND, prefix .. 'wake', ARGV[7])
elseif state == 'delayed' then
  redis.call('ZADD', prefix .. 'q:delayed', runAt, id)
  redis.call(PUBLISH_COMMAND, prefix .. 'wake', ARGV[7] .. '@' .. runAt)
elseif state == 'leased' then
  redis.call('HSET', KEYS[1], 'token', ARGV[16], 'worker', ARGV[17], 'expires', ARGV[18], 'leasedAt', ARGV[19])
  redis.call('ZADD', prefix .. 'q:leases', ARGV[18], id)
  -- Counted as running in its operation and in the target groups the caps name now (a restore).
  local groups = groupsOf(prefix, readCaps(prefix), ARGV[7], KEYS[1], now, {})
  for _, scope in ipairs({ ARGV[7], unpack(groups) }) do redis.call('HINCRBY', prefix .. 'q:running', scope, 1) end
  if #groups > 0 then redis.call('HSET', KEYS[1], 'groups', table.concat(groups, ',')) end
  local tokenKey = prefix .. 'q:token'
  if tonumber(redis.call('GET', tokenKey) or '0') < tonumber(ARGV[16]) then redis.call('SET', tokenKey, ARGV[16]) end
elseif state == 'ended' then
  redis.call('PEXPIRE', KEYS[1], ARGV[15])
end
return { 0, state }
