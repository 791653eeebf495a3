-- Fixed window counter: a batch of decisions, each over one or more limits,
-- all or nothing.
--
-- Time is cut into windows [k * period, (k + 1) * period) since the Unix
-- epoch. Window k of a limit is counted in the string key
-- base .. ':' .. k, which expires when the window ends.
--
-- KEYS     the base key of every limit of every decision, in order.
-- ARGV[1]  the time in microseconds since the Unix epoch, or '' to read the
--          server's TIME once for the whole batch. Only tests send a time.
-- Then, for each decision in order: the number of its limits n, and four
-- values per limit: limit, period in microseconds, burst (unused), cost.
--
-- Returns 4 integers per limit of every decision, in order: allowed (1 or
-- 0), remaining, retry_after in microseconds (-1 when the cost exceeds the
-- limit), reset_after in microseconds. When any limit of a decision
-- rejects, that decision changes no count, and each of its limits shows
-- what it alone would have returned. Decisions run one after another, so a
-- later one reads the counts the earlier ones wrote.
--
-- The count and its expiry change together in this one atomic script. A
-- count key found without an expiry (left by a client whose INCR succeeded
-- and whose EXPIRE did not) gets one when a request is rejected in it, so
-- it cannot block the client forever.
--
-- NOTE: a key found without an expiry while still under its limit keeps
-- counting without one, because an allowed single-limit request does not
-- read the TTL. It cannot block anyone (the next window uses a new key),
-- but it stays in memory until a request is rejected in it.
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
local out = {}
local next_key = 1
local next_arg = 2
-- Scratch space of one decision, indexed by limit, reused by every
-- decision of the batch (a new table per decision costs more than the
-- decision's own commands).
local keys, counts, costs, ttls_ms = {}, {}, {}, {}

-- Window of the last period seen. Every decision of a batch usually has
-- the same period, so the window number is formatted once per batch.
local cached_period, cached_suffix, cached_until_end, cached_ttl_ms

-- window_of sets the cached window fields for `period` (in microseconds):
-- the key suffix ':' .. k, the microseconds until the window ends, and the
-- key's TTL in whole milliseconds, rounded up.
local function window_of(period)
  if period == cached_period then
    return
  end
  local window = idiv(now, period)
  cached_period = period
  cached_suffix = ':' .. string.format('%d', window)
  cached_until_end = (window + 1) * period - now
  cached_ttl_ms = math.max(1, ceil_div(cached_until_end, 1000))
end

-- decide_one decides a request with one limit whose cost fits in the
-- limit. INCRBY counts the request and returns the new count, so an
-- allowed request costs one command, plus PEXPIRE when it created the key.
-- A rejected request writes the count back with SET PX, which also gives a
-- key left without an expiry one.
local function decide_one(key, limit, cost)
  local until_end = cached_until_end
  local count = redis.call('INCRBY', key, cost)
  local o = #out
  if count <= limit then
    if count == cost then
      redis.call('PEXPIRE', key, cached_ttl_ms)
    end
    out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
      1, limit - count, 0, until_end
    return
  end

  -- Rejected. cost <= limit < count, so the count before this request is
  -- positive and the key existed before INCRBY.
  local before = count - cost
  redis.call('SET', key, string.format('%d', before), 'PX', cached_ttl_ms)
  out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
    0, math.max(0, limit - before), until_end, until_end
end

-- decide decides one request over n limits and appends its integers to
-- out.
local function decide(n)
  if n == 1 then
    local limit = tonumber(ARGV[next_arg])
    local cost = tonumber(ARGV[next_arg + 3])
    if cost <= limit then
      window_of(tonumber(ARGV[next_arg + 1]))
      decide_one(KEYS[next_key] .. cached_suffix, limit, cost)
      next_key = next_key + 1
      next_arg = next_arg + 4
      return
    end
  end

  local first_out = #out
  local all_allowed = true

  -- Decide every limit without changing anything.
  for i = 1, n do
    local a = next_arg + 4 * (i - 1)
    local limit = tonumber(ARGV[a])
    local cost = tonumber(ARGV[a + 3])
    window_of(tonumber(ARGV[a + 1]))

    local key = KEYS[next_key + i - 1] .. cached_suffix
    local until_end = cached_until_end
    local count = tonumber(redis.call('GET', key) or '0')
    keys[i], counts[i], costs[i] = key, count, cost
    ttls_ms[i] = cached_ttl_ms

    local o = first_out + 4 * (i - 1)
    if cost <= limit and count + cost <= limit then
      out[o + 1], out[o + 2], out[o + 3], out[o + 4] =
        1, limit - count - cost, 0, until_end
    else
      all_allowed = false
      out[o + 1] = 0
      out[o + 2] = math.max(0, limit - count)
      out[o + 3] = cost > limit and -1 or until_end
      out[o + 4] = (cost <= limit or count > 0) and until_end or 0
    end
  end
  next_key = next_key + n
  next_arg = next_arg + 4 * n

  -- Count the request in every window only when every limit allowed. SET
  -- with PX writes the count and its expiry in one command. A key listed
  -- twice in one decision adds both costs.
  if all_allowed then
    local written = {}
    for i = 1, n do
      written[keys[i]] = (written[keys[i]] or counts[i]) + costs[i]
      redis.call('SET', keys[i], string.format('%d', written[keys[i]]),
                 'PX', ttls_ms[i])
    end
    return
  end

  -- Rejected: change no count, but give a key left without expiry one.
  for i = 1, n do
    if counts[i] > 0 and redis.call('PTTL', keys[i]) < 0 then
      redis.call('PEXPIRE', keys[i], ttls_ms[i])
    end
  end
end

while next_arg <= #ARGV do
  local n = tonumber(ARGV[next_arg])
  next_arg = next_arg + 1
  decide(n)
end
return out
