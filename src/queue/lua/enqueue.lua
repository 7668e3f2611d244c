--[[
  Adds a job to the queue unless the id is already known (ready, delayed or leased).

  KEYS[1] job hash          <prefix>q:job:<id>
  KEYS[2] ready zset        <prefix>q:ready:<operation>
  KEYS[3] delayed zset      <prefix>q:delayed
  KEYS[4] waiting zset      <prefix>q:waiting

  ARGV[1] id
  ARGV[2] operation
  ARGV[3] priority
  ARGV[4] runAt (ms)
  ARGV[5] ready score (computed by the caller from priority and runAt)
  ARGV[6] maxAttempts
  ARGV[7] attempts already used
  ARGV[8] avoidWorkers ('1' or '0')
  ARGV[9] now (ms)
  ARGV[10] wake channel

  Returns { code, state }
     0 OK              state 'ready' or 'delayed'
    -6 ALREADY_QUEUED  state 'ready' or 'delayed'; nothing changed
    -7 ALREADY_LEASED  state 'leased'; nothing changed

  Event: PUBLISH <wake channel> <operation> when the job is ready at once.
]]
local existing = redis.call('HGET', KEYS[1], 'state')
if existing then
  if existing == 'leased' then return { -7, existing } end
  return { -6, existing }
end

local runAt = tonumber(ARGV[4])
local state = 'ready'
if runAt > tonumber(ARGV[9]) then state = 'delayed' end

redis.call('HSET', KEYS[1],
  'op', ARGV[2], 'priority', ARGV[3], 'runAt', ARGV[4], 'score', ARGV[5],
  'maxAttempts', ARGV[6], 'attempt', ARGV[7], 'avoid', ARGV[8],
  'enqueuedAt', ARGV[9], 'state', state)

if state == 'delayed' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  redis.call('PUBLISH', ARGV[10], ARGV[2])
end
return { 0, state }
