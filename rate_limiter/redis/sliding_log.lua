-- Sliding window log over one or more limits, all or nothing.
--
-- KEYS[i] is a sorted set that logs each allowed unit of cost of limit i:
-- the score is the time in microseconds, the member is unique per unit, so
-- requests with equal timestamps each count. A request at `now` is allowed
-- when the window (now - period, now] then contains at most `limit` entries.
--
-- KEYS[i]  the log of limit i.
-- ARGV[1]  the time in microseconds since the Unix epoch, or '' to read the
--          server's TIME. Only tests send a time.
-- ARGV[2]  a request id, unique per call.
-- ARGV[3 + 4*(i-1)] .. ARGV[6 + 4*(i-1)]  limit i: limit, period in
--          microseconds, burst (unused), cost.
--
-- Returns 4 integers per limit: allowed (1 or 0), remaining, retry_after in
-- microseconds (-1 when the cost exceeds the limit), reset_after in
-- microseconds. When any limit rejects, nothing is logged, and each
-- limit's integers show what it alone would have returned.

local function current_time_us()
  if ARGV[1] ~= '' then
    return tonumber(ARGV[1])
  end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end

-- limit_args returns limit, period (microseconds) and cost of limit i.
local function limit_args(i)
  local base = 2 + 4 * (i - 1)
  return tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]),
         tonumber(ARGV[base + 4])
end

local now = current_time_us()
local replies = {}
local all_allowed = true

-- Decide every limit, dropping expired entries but logging nothing.
for i = 1, #KEYS do
  local limit, period, cost = limit_args(i)

  -- An entry at or before now - period is outside the window.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf',
             string.format('%d', now - period))
  local count = redis.call('ZCARD', KEYS[i])

  -- The newest entry leaves the window last: then the quota is full again.
  local reset_after = 0
  if count > 0 then
    local newest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    reset_after = tonumber(newest[2]) + period - now
  end

  if cost > limit then
    all_allowed = false
    table.insert(replies, {0, math.max(0, limit - count), -1, reset_after})
  elseif count + cost <= limit then
    table.insert(replies, {1, limit - count - cost, 0, period})
  else
    -- The request fits once the (count + cost - limit) oldest entries
    -- have left the window.
    all_allowed = false
    local rank = count + cost - limit - 1
    local entry = redis.call('ZRANGE', KEYS[i], rank, rank, 'WITHSCORES')
    local retry_after = tonumber(entry[2]) + period - now
    table.insert(replies, {0, math.max(0, limit - count), retry_after,
                           reset_after})
  end
end

-- Log the request in every limit only when every limit allowed. The log
-- expires one period after its newest entry.
if all_allowed then
  for i = 1, #KEYS do
    local _, period, cost = limit_args(i)
    for unit = 1, cost do
      local member = string.format('%d:%s:%d', now, ARGV[2], unit)
      redis.call('ZADD', KEYS[i], now, member)
    end
    redis.call('PEXPIRE', KEYS[i], math.max(1, math.ceil(period / 1000)))
  end
end

local flat = {}
for _, reply in ipairs(replies) do
  for _, value in ipairs(reply) do
    table.insert(flat, value)
  end
end
return flat
