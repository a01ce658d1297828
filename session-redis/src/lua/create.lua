-- Stores a new session unless a live one already has its id (NX semantics).
--
-- KEYS[1]  the session hash
-- ARGV[1]  now, ms since the epoch (the application's clock, as `load` uses)
-- ARGV[2]  created_at (ms)      ARGV[3]  last_access (ms)      ARGV[4]  ttl (s)
-- ARGV[5]  the data Bag in its stored form (JSON)
-- ARGV[6]  the auth snapshot (JSON), or '' for none
--
-- Returns 1 when stored (or when the session is born expired: nothing to keep),
-- 0 when a live session already has this id.
local key = KEYS[1]

local last = redis.call('HGET', key, 'last_access')
if last then
  local ttl = tonumber(redis.call('HGET', key, 'ttl') or '0')
  if ttl > 0 and tonumber(ARGV[1]) - tonumber(last) <= ttl * 1000 then
    return 0
  end
  -- An expired session Redis has not dropped yet: the id is free again.
  redis.call('DEL', key)
end

local ttl = tonumber(ARGV[4])
if ttl <= 0 then
  return 1
end
redis.call('HSET', key, 'created_at', ARGV[2], 'last_access', ARGV[3], 'ttl', ARGV[4],
  'data', ARGV[5])
if ARGV[6] ~= '' then
  redis.call('HSET', key, 'auth', ARGV[6])
end
-- EXPIRE takes at most a few decades without overflowing; longer ttls are capped.
redis.call('EXPIRE', key, string.format('%d', math.min(ttl, 2147483647)))
return 1
