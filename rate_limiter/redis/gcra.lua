-- GCRA (generic cell rate algorithm): a batch of decisions, each over one
-- or more limits, all or nothing. RedisStore also uses it for token-bucket
-- limits: GCRA is a token bucket that stores one time, the theoretical
-- arrival time (TAT), instead of a token count.
--
-- KEYS     the state of every limit of every decision, in order: a hash
--          with fields
--            tat  whole microseconds of the TAT
--            rem  the TAT's fraction, in units of 1/limit microsecond
-- ARGV[1]  the time in microseconds since the Unix epoch, or '' to read the
--          server's TIME once for the whole batch. Only tests send a time.
-- Then, for each decision in order: the number of its limits n, and four
-- values per limit: limit, period in microseconds, burst, cost.
--
-- Returns 4 integers per limit of every decision, in order: allowed (1 or
-- 0), remaining, retry_after in microseconds (-1 when the cost exceeds the
-- burst), reset_after in microseconds. When any limit of a decision
-- rejects, that decision writes nothing, and each of its limits shows what
-- it alone would have returned. Decisions run one after another, so a
-- later one reads the state the earlier ones wrote.
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
local out = {}
local next_key = 1
local next_arg = 2

-- decide decides one request over n limits and appends its integers to
-- out.
local function decide(n)
  local first_out = #out
  local new_states = {}
  local all_allowed = true

  -- Decide every limit without writing anything.
  for i = 1, n do
    local a = next_arg + 4 * (i - 1)
    local limit = tonumber(ARGV[a])
    local period = tonumber(ARGV[a + 1])
    local burst = tonumber(ARGV[a + 2])
    local cost = tonumber(ARGV[a + 3])

    -- ahead is how far the TAT is ahead of now, scaled by limit. A new
    -- key, or one whose TAT has passed, is a full bucket: ahead = 0. A TAT
    -- ahead of an older `now` stays where it is, so time going back mints
    -- nothing.
    local state = redis.call('HMGET', KEYS[next_key + i - 1], 'tat', 'rem')
    local ahead = 0
    if state[1] then
      local tat = tonumber(state[1])
      if tat >= now then
        ahead = (tat - now) * limit + tonumber(state[2])
      end
    end

    local tolerance = burst * period
    local new_ahead = ahead + cost * period
    local o = first_out + 4 * (i - 1)
    if cost > burst then
      all_allowed = false
      out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
        0, math.max(0, idiv(tolerance - ahead, period)), -1,
        ceil_div(ahead, limit)
    elseif new_ahead <= tolerance then
      out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
        1, idiv(tolerance - new_ahead, period), 0, ceil_div(new_ahead, limit)
      new_states[i] = new_ahead
    else
      all_allowed = false
      out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
        0, math.max(0, idiv(tolerance - ahead, period)),
        ceil_div(new_ahead - tolerance, limit), ceil_div(ahead, limit)
    end
  end

  -- Write the new TATs only when every limit allowed. Each key lives until
  -- its TAT, when the bucket is full again and the key equals a new one.
  if all_allowed then
    for i = 1, n do
      local limit = tonumber(ARGV[next_arg + 4 * (i - 1)])
      local whole = idiv(new_states[i], limit)
      local rem = new_states[i] - whole * limit
      local key = KEYS[next_key + i - 1]
      redis.call('HSET', key, 'tat', string.format('%d', now + whole),
                 'rem', string.format('%d', rem))
      redis.call('PEXPIRE', key, math.max(1, ceil_div(new_states[i],
                                                      limit * 1000)))
    end
  end
  next_key = next_key + n
  next_arg = next_arg + 4 * n
end

while next_arg <= #ARGV do
  local n = tonumber(ARGV[next_arg])
  next_arg = next_arg + 1
  decide(n)
end
return out
