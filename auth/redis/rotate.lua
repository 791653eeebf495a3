-- rotate.lua: decides a presented refresh token, in one atomic step.
--
-- KEYS[1]  the presented token's key  KEYS[2]  the new token's key
-- ARGV[1]  the family key prefix      ARGV[2]  now
-- ARGV[3]  now + token_ttl
-- Times are 19-digit decimal nanoseconds, so comparing them as strings
-- compares the numbers exactly.
--
-- Returns {status, family id, subject, family expires_at, revoked,
-- new token's expires_at}, or {status} alone for unknown (1) and for a new
-- hash that is already stored (-1). The checks and statuses, in order:
--   1 unknown  no such token, or its family is gone
--   4 revoked  the family was revoked earlier
--   3 reused   the token was already rotated: revoke the family
--   2 expired  now >= the token's or the family's expires_at
--   0 rotated  mark the token rotated and store the new one, expiring at
--              now + token_ttl or at the family's end, whichever is first
local token = redis.call('HMGET', KEYS[1], 'family', 'expires_at', 'rotated')
if not token[1] then
  return {1}
end
local family_key = ARGV[1] .. token[1]
local family = redis.call('HMGET', family_key, 'subject', 'expires_at',
                          'revoked')
if not family[1] then
  return {1}
end

local now = ARGV[2]
local function result(status, revoked, new_expires_at)
  return {status, token[1], family[1], family[2], revoked, new_expires_at}
end

if family[3] == '1' then
  return result(4, '1', '')
end
if token[3] == '1' then
  redis.call('HSET', family_key, 'revoked', '1')
  return result(3, '1', '')
end
if now >= token[2] or now >= family[2] then
  return result(2, '0', '')
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {-1}
end

local new_expires_at = ARGV[3]
if family[2] < new_expires_at then
  new_expires_at = family[2]
end
-- The TTL in whole ms, rounded up. Doubles lose nanoseconds here, which a
-- TTL does not need.
local ttl_ms = math.floor((tonumber(new_expires_at) - tonumber(now)) / 1e6) + 1
redis.call('HSET', KEYS[1], 'rotated', '1')
redis.call('HSET', KEYS[2], 'family', token[1], 'expires_at', new_expires_at,
           'rotated', '0')
redis.call('PEXPIRE', KEYS[2], string.format('%d', ttl_ms))
return result(0, '0', new_expires_at)
