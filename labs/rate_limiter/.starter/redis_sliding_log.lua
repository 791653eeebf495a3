-- Exercise: the sliding window log, as a Redis Lua script.
--
-- RedisStore (rate_limiter/redis) runs this script with EVALSHA for every
-- request whose limits use the sliding log. Redis runs a script atomically,
-- so reading the log, deciding and writing happen as one step: two service
-- instances can never both take the last free slot.
--
-- A limit allows a request at `now` when the window (now - period, now]
-- then contains at most `limit` entries. Each allowed unit of cost is one entry
-- of a sorted set: its score is the time in microseconds, and its member
-- must be unique, so that requests with equal timestamps each count.
--
-- Input:
--   KEYS[i]  the sorted set (the log) of limit i; one key per limit.
--   ARGV[1]  the time in microseconds since the Unix epoch, or '' to read
--            the server's TIME. Use current_time_us() below.
--   ARGV[2]  a request id, unique per call.
--   ARGV[3 + 4*(i-1)] .. ARGV[6 + 4*(i-1)]  limit i: limit, period in
--            microseconds, burst (unused), cost. Use limit_args(i) below.
--
-- Output: a flat array with 4 integers per limit, in KEYS order:
--   allowed      1 if this limit allows the request, else 0
--   remaining    how many more requests of cost 1 it would allow right
--                now, after this decision (never negative)
--   retry_after  microseconds until this request would be allowed: 0 when
--                allowed, -1 when the cost exceeds the limit (never)
--   reset_after  microseconds until the log is empty again
-- For two limits: {1, 4, 0, 1000000, 0, 0, 250000, 900000}.
--
-- All or nothing: the request is allowed only when every limit allows it.
-- When any limit rejects, write nothing anywhere; each limit's integers
-- still show what it alone would have returned.
--
-- Every key you write must expire (PEXPIRE, in milliseconds), or idle
-- clients fill Redis forever.

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

-- TODO: implement the sliding log.
--   1. For each limit: drop the entries at or before now - period
--      (ZREMRANGEBYSCORE), count the rest (ZCARD), and decide. Write
--      nothing yet.
--   2. Only if every limit allowed: add `cost` entries with unique members
--      to each log (ZADD), and set each key's expiry (PEXPIRE).
--   3. Return the flat array of 4 integers per limit.
-- Integers you return must be whole numbers: Redis truncates Lua numbers.
return redis.error_reply(
  'not implemented yet: labs/rate_limiter/redis_sliding_log.lua ' ..
  '(see labs/rate_limiter/hints/redis_sliding_log.md)')
