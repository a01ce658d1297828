-- Applies what one request changed to a session hash, atomically.
--
-- KEYS[1]  the session hash
-- ARGV[1]  now, ms since the epoch (the application's clock, as `load` uses)
-- ARGV[2]  the new last_access (ms), or '' when the session was not touched
-- ARGV[3]  the new ttl (s), or '' when it did not change
-- ARGV[4]  the data changes (JSON, see change.rs), or '' for none
--
-- Returns 1 when applied, 0 when the session is gone (missing or expired).
--
-- The data Bag is a JSON list of nodes {l = label, v = leaf | b = nodes, a = attrs}.
-- Leaf values and attributes are JSON *text* inside JSON strings, so cjson never
-- parses them: numbers keep every digit, objects keep their key order, and empty
-- arrays stay arrays. cjson only ever sees strings, lists and node objects; it
-- writes an empty list as `{}`, which the Rust side reads as an empty level.
local key = KEYS[1]

local last = redis.call('HGET', key, 'last_access')
if not last then
  return 0
end
last = tonumber(last)
local ttl = tonumber(redis.call('HGET', key, 'ttl') or '0')
if ttl <= 0 or tonumber(ARGV[1]) - last > ttl * 1000 then
  redis.call('DEL', key)
  return 0
end

local function position(level, label)
  for i, node in ipairs(level) do
    if node.l == label then
      return i
    end
  end
  return nil
end

-- Bag::apply's rule: create missing levels (appended), replace leaves in the way by
-- empty levels, then update the node in place (keeping its position) or append it.
local function set(root, change)
  local path = change.p
  local level = root
  for depth = 1, #path - 1 do
    local i = position(level, path[depth])
    local node
    if i then
      node = level[i]
    else
      node = { l = path[depth], b = {} }
      level[#level + 1] = node
    end
    if node.b == nil then
      node.v = nil
      node.b = {}
    end
    level = node.b
  end
  local label = path[#path]
  local node = { l = label, v = change.v, b = change.b, a = change.a }
  local i = position(level, label)
  if i then
    level[i] = node
  else
    level[#level + 1] = node
  end
end

local function remove(root, path)
  local level = root
  for depth = 1, #path - 1 do
    local i = position(level, path[depth])
    if not i or level[i].b == nil then
      return
    end
    level = level[i].b
  end
  local i = position(level, path[#path])
  if i then
    table.remove(level, i)
  end
end

if ARGV[4] ~= '' then
  local stored = redis.call('HGET', key, 'data')
  local data = {}
  if stored then
    data = cjson.decode(stored)
  end
  for _, change in ipairs(cjson.decode(ARGV[4])) do
    if change.r then
      remove(data, change.p)
    else
      set(data, change)
    end
  end
  redis.call('HSET', key, 'data', cjson.encode(data))
end

local refresh = false
if ARGV[2] ~= '' and tonumber(ARGV[2]) > last then
  redis.call('HSET', key, 'last_access', ARGV[2])
  refresh = true
end
if ARGV[3] ~= '' then
  ttl = tonumber(ARGV[3])
  if ttl <= 0 then
    -- A ttl of zero or less means always expired: nothing left to keep.
    redis.call('DEL', key)
    return 1
  end
  redis.call('HSET', key, 'ttl', ARGV[3])
  refresh = true
end
if refresh then
  redis.call('EXPIRE', key, string.format('%d', math.min(ttl, 2147483647)))
end
return 1
