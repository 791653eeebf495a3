-- find_family.lua: returns the family of a token.
--
-- KEYS[1]  the token's key            ARGV[1]  the family key prefix
-- Returns {family id, subject, expires_at, revoked}, or {} when the token
-- or its family is not stored.
local family_id = redis.call('HGET', KEYS[1], 'family')
if not family_id then
  return {}
end
local family = redis.call('HMGET', ARGV[1] .. family_id, 'subject',
                          'expires_at', 'revoked')
if not family[1] then
  return {}
end
return {family_id, family[1], family[2], family[3]}
