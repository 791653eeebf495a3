-- create_family.lua: stores a new refresh-token family and its first token.
--
-- KEYS[1]  the family's key           KEYS[2]  the token's key
-- ARGV[1]  family id                  ARGV[2]  subject
-- ARGV[3]  family expires_at          ARGV[4]  token expires_at
-- ARGV[5]  family TTL, ms             ARGV[6]  token TTL, ms
-- Times are 19-digit decimal nanoseconds. Returns 1, or 0 when the family
-- or the token already exists (then nothing is written).
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'subject', ARGV[2], 'expires_at', ARGV[3],
           'revoked', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('HSET', KEYS[2], 'family', ARGV[1], 'expires_at', ARGV[4],
           'rotated', '0')
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1
