-- Concurrency caps and rate limits (inlined where a script says --@include caps), per
-- operation and per group of an operation's targets named by a prefix. A cap's scope is
-- named <op> or <op>|<target prefix>. Key layout: src/queue/keys.ts; every key is derived
-- from the prefix.
--   <prefix>q:caps            hash  running:<scope> = most jobs of the scope leased at once;
--                                   starts:<scope> = most starts per window; window:<scope> = that window (ms);
--                                   groups:<op> = the target prefixes of op's group caps, comma-separated
--   <prefix>q:running         hash  <scope> = jobs of the scope leased now (claim +1, leaveLease -1;
--                                   recount.lua rebuilds it from the leases)
--   <prefix>q:starts:<scope>  zset  starts in the current window (member = fencing token, score = time);
--                                   kept only while the scope has a rate limit
-- A leased job's hash keeps the group scopes its claim counted it in (field 'groups'),
-- so its end takes it out of exactly those, whatever the caps are by then.

-- A number larger than any batch a claim takes: "not capped".
local UNCAPPED = 1000000000

-- Every cap as a table (field -> number; groups:<op> -> list of prefixes), read once per
-- script: without caps, one HGETALL of an empty hash is all a claim pays for them.
local function readCaps(prefix)
  local flat = redis.call('HGETALL', prefix .. 'q:caps')
  local caps = {}
  for i = 1, #flat, 2 do
    local field, value = flat[i], flat[i + 1]
    if string.sub(field, 1, 7) == 'groups:' then
      local list = {}
      for p in string.gmatch(value, '[^,]+') do table.insert(list, p) end
      caps[field] = list
    else
      caps[field] = tonumber(value)
    end
  end
  return caps
end

-- How many more jobs of a scope may start at now, and, when its rate limit is what
-- stops it, the time (ms) its next start is allowed (0 otherwise). Drops starts
-- that left the window.
local function capacity(prefix, caps, scope, now)
  local maxRunning, maxStarts, window = caps['running:' .. scope], caps['starts:' .. scope], caps['window:' .. scope]
  local left, nextAt = UNCAPPED, 0
  if maxRunning then
    left = maxRunning - tonumber(redis.call('HGET', prefix .. 'q:running', scope) or '0')
  end
  if maxStarts and window then
    local key = prefix .. 'q:starts:' .. scope
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local rateLeft = maxStarts - redis.call('ZCARD', key)
    if rateLeft <= 0 then
      local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      if head[2] then nextAt = tonumber(head[2]) + window end
    end
    if rateLeft < left then left = rateLeft end
  end
  return left, nextAt
end

-- The group scopes of op that a job falls in (its target starts with their prefix),
-- whether each has room (room[scope], computed once per script and kept in `room`),
-- and the earliest time a full rate-limited one frees up (0 if none).
local function groupsOf(prefix, caps, op, jobKey, now, room)
  local list = caps['groups:' .. op]
  if not list then return {}, true, 0 end
  local target = redis.call('HGET', jobKey, 'target') or ''
  local scopes, ok, nextAt = {}, true, 0
  for _, p in ipairs(list) do
    if string.sub(target, 1, #p) == p then
      local scope = op .. '|' .. p
      if room[scope] == nil then
        local left, at = capacity(prefix, caps, scope, now)
        room[scope] = left
        if at > 0 and (nextAt == 0 or at < nextAt) then nextAt = at end
      end
      if room[scope] <= 0 then ok = false end
      table.insert(scopes, scope)
    end
  end
  return scopes, ok, nextAt
end

-- A job was claimed at now with this fencing token: counted as running in its scopes
-- (op and the groups it falls in), and as a start where a scope has a rate limit.
local function countStart(prefix, caps, scopes, jobKey, now, token)
  for i, scope in ipairs(scopes) do
    redis.call('HINCRBY', prefix .. 'q:running', scope, 1)
    local window = caps['window:' .. scope]
    if window then
      local key = prefix .. 'q:starts:' .. scope
      redis.call('ZADD', key, now, token)
      redis.call('PEXPIRE', key, window)
    end
  end
  if #scopes > 1 then redis.call('HSET', jobKey, 'groups', table.concat(scopes, ',', 2)) end
end
