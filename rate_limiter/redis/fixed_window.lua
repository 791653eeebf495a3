-- Fixed window counter over one or more limits, all or nothing.
--
-- Time is cut into windows [k * period, (k + 1) * period) since the Unix
-- epoch. Window k of limit i is counted in the string key KEYS[i] .. ':' .. k,
-- which expires when the window ends.
--
-- KEYS[i]  the base key of limit i.
-- ARGV[1]  the time in microseconds since the Unix epoch, or '' to read the
--          server's TIME. Only tests send a time.
-- ARGV[2]  a request id, unused here.
-- ARGV[3 + 4*(i-1)] .. ARGV[6 + 4*(i-1)]  limit i: limit, period in
--          microseconds, burst (unused), cost.
--
-- Returns 4 integers per limit: allowed (1 or 0), remaining, retry_after in
-- microseconds (-1 when the cost exceeds the limit), reset_after in
-- microseconds. When any limit rejects, no count changes, and each limit's
-- integers show what it alone would have returned.
--
-- The count and its expiry change in this one atomic script. A count key
-- found without an expiry (left by a client whose INCR succeeded and whose
-- EXPIRE did not) gets one here, even when the request is rejected, so it
-- cannot block the client forever.
--
-- NOTE: Redis TIME is the server's wall clock. If it steps back into an
-- earlier window, that window's key (if still alive) is counted again.

-- idiv returns floor(a / b) exactly for integers below 2^53.
local function idiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then
    q = q - 1
  elseif (q + 1) * b <= a then
    q = q + 1
  end
  return q
end

local function ceil_div(a, b)
  return -idiv(-a, b)
end

local function current_time_us()
  if ARGV[1] ~= '' then
    return tonumber(ARGV[1])
  end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end

local now = current_time_us()
local replies = {}
local window_keys = {}
local window_ttls_ms = {}
local all_allowed = true

-- Decide every limit, repairing expiries but changing no count.
for i = 1, #KEYS do
  local base = 2 + 4 * (i - 1)
  local limit = tonumber(ARGV[base + 1])
  local period = tonumber(ARGV[base + 2])
  local cost = tonumber(ARGV[base + 4])

  local window = idiv(now, period)
  local key = KEYS[i] .. ':' .. string.format('%d', window)
  local until_end = (window + 1) * period - now
  local ttl_ms = math.max(1, ceil_div(until_end, 1000))
  window_keys[i] = key
  window_ttls_ms[i] = ttl_ms

  local count = tonumber(redis.call('GET', key) or '0')
  if count > 0 and redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ttl_ms)
  end

  if cost > limit then
    all_allowed = false
    table.insert(replies, {0, math.max(0, limit - count), -1,
                           count > 0 and until_end or 0})
  elseif count + cost <= limit then
    table.insert(replies, {1, limit - count - cost, 0, until_end})
  else
    all_allowed = false
    table.insert(replies, {0, math.max(0, limit - count), until_end,
                           until_end})
  end
end

-- Count the request in every window only when every limit allowed.
if all_allowed then
  for i = 1, #KEYS do
    local cost = tonumber(ARGV[2 + 4 * (i - 1) + 4])
    redis.call('INCRBY', window_keys[i], cost)
    redis.call('PEXPIRE', window_keys[i], window_ttls_ms[i])
  end
end

local flat = {}
for _, reply in ipairs(replies) do
  for _, value in ipairs(reply) do
    table.insert(flat, value)
  end
end
return flat
