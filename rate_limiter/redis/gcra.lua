-- GCRA (generic cell rate algorithm) over one or more limits, all or nothing.
-- RedisStore also uses it for token-bucket limits: GCRA is a token bucket
-- that stores one time, the theoretical arrival time (TAT), instead of a
-- token count.
--
-- KEYS[i]  the state of limit i: a hash with fields
--            tat  whole microseconds of the TAT
--            rem  the TAT's fraction, in units of 1/limit microsecond
-- ARGV[1]  the time in microseconds since the Unix epoch, or '' to read the
--          server's TIME. Only tests send a time.
-- ARGV[2]  a request id, unused here.
-- ARGV[3 + 4*(i-1)] .. ARGV[6 + 4*(i-1)]  limit i: limit, period in
--          microseconds, burst, cost.
--
-- Returns 4 integers per limit: allowed (1 or 0), remaining, retry_after in
-- microseconds (-1 when the cost exceeds the burst), reset_after in
-- microseconds. When any limit rejects, nothing is written, and each
-- limit's integers show what it alone would have returned.
--
-- Exact arithmetic: Lua numbers are doubles, exact for integers below 2^53.
-- Every quantity is kept relative to now and scaled by limit, so the
-- emission interval T = period / limit becomes the integer `period`. The
-- caller checks that (burst + cost) * period stays below 2^53.

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
local new_states = {}
local all_allowed = true

-- Decide every limit without writing anything.
for i = 1, #KEYS do
  local base = 2 + 4 * (i - 1)
  local limit = tonumber(ARGV[base + 1])
  local period = tonumber(ARGV[base + 2])
  local burst = tonumber(ARGV[base + 3])
  local cost = tonumber(ARGV[base + 4])

  -- ahead is how far the TAT is ahead of now, scaled by limit. A new key,
  -- or one whose TAT has passed, is a full bucket: ahead = 0. A TAT ahead
  -- of an older `now` stays where it is, so time going back mints nothing.
  local state = redis.call('HMGET', KEYS[i], 'tat', 'rem')
  local ahead = 0
  if state[1] then
    local tat = tonumber(state[1])
    if tat >= now then
      ahead = (tat - now) * limit + tonumber(state[2])
    end
  end

  local tolerance = burst * period
  local new_ahead = ahead + cost * period
  if cost > burst then
    all_allowed = false
    table.insert(replies, {0, math.max(0, idiv(tolerance - ahead, period)),
                           -1, ceil_div(ahead, limit)})
  elseif new_ahead <= tolerance then
    table.insert(replies, {1, idiv(tolerance - new_ahead, period), 0,
                           ceil_div(new_ahead, limit)})
    new_states[i] = new_ahead
  else
    all_allowed = false
    table.insert(replies, {0, math.max(0, idiv(tolerance - ahead, period)),
                           ceil_div(new_ahead - tolerance, limit),
                           ceil_div(ahead, limit)})
  end
end

-- Write the new TATs only when every limit allowed. Each key lives until
-- its TAT, when the bucket is full again and the key equals a new one.
if all_allowed then
  for i = 1, #KEYS do
    local limit = tonumber(ARGV[2 + 4 * (i - 1) + 1])
    local whole = idiv(new_states[i], limit)
    local rem = new_states[i] - whole * limit
    redis.call('HSET', KEYS[i], 'tat', string.format('%d', now + whole),
               'rem', string.format('%d', rem))
    local ttl_ms = math.max(1, ceil_div(new_states[i], limit * 1000))
    redis.call('PEXPIRE', KEYS[i], ttl_ms)
  end
end

local flat = {}
for _, reply in ipairs(replies) do
  for _, value in ipairs(reply) do
    table.insert(flat, value)
  end
end
return flat
