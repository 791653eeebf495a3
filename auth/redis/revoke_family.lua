-- revoke_family.lua: marks a family revoked.
--
-- KEYS[1]  the family's key
-- Returns 1, or 0 when the family is not stored. It never creates the key,
-- which would have no TTL.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'revoked', '1')
return 1
