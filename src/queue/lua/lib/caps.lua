-- Concurrency caps and rate limits per operation (inlined where a script says --@include caps).
-- Key layout: src/queue/keys.ts. Every key is derived from the prefix.
--   <prefix>q:caps           hash  running:<op> = most jobs of op leased at once;
--                                  starts:<op> = most starts of op per window; window:<op> = that window (ms)
--   <prefix>q:running        hash  <op> = jobs of op leased now (claim +1; leaveLease -1; recount.lua rebuilds it)
--   <prefix>q:starts:<op>    zset  starts of op in the current window (member = fencing token, score = time);
--                                  kept only while op has a rate limit

-- A number larger than any batch a claim takes: "not capped".
local UNCAPPED = 1000000000

-- How many more jobs of op may start at now, and, when its rate limit is what
-- stops it, the time (ms) its next start is allowed (0 otherwise). Drops starts
-- that left the window.
local function capacity(prefix, op, now)
  local c = redis.call('HMGET', prefix .. 'q:caps', 'running:' .. op, 'starts:' .. op, 'window:' .. op)
  local left, nextAt = UNCAPPED, 0
  if c[1] then
    left = tonumber(c[1]) - tonumber(redis.call('HGET', prefix .. 'q:running', op) or '0')
  end
  if c[2] and c[3] then
    local key, window = prefix .. 'q:starts:' .. op, tonumber(c[3])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local rateLeft = tonumber(c[2]) - redis.call('ZCARD', key)
    if rateLeft <= 0 then
      local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      if head[2] then nextAt = tonumber(head[2]) + window end
    end
    if rateLeft < left then left = rateLeft end
  end
  return left, nextAt
end

-- A job of op was claimed at now with this fencing token: counted as running,
-- and as a start in op's window when op has a rate limit.
local function countStart(prefix, op, now, token)
  redis.call('HINCRBY', prefix .. 'q:running', op, 1)
  local window = redis.call('HGET', prefix .. 'q:caps', 'window:' .. op)
  if window then
    local key = prefix .. 'q:starts:' .. op
    redis.call('ZADD', key, now, token)
    redis.call('PEXPIRE', key, tonumber(window))
  end
end
