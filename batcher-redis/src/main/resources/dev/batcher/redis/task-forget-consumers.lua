-- Deletes the group's consumers that hold no pending task and have not read for at least the given idle time: workers
-- that died (a live one reads at least every block timeout, and one busy with its tasks holds them as pending). A
-- consumer deleted while still alive is created again by its next read, with nothing lost: it held nothing.
-- KEYS[1] the stream; ARGV[1] the group, ARGV[2] min idle ms, ARGV[3] the calling consumer (never deleted)
-- Returns the names deleted
local minIdle = tonumber(ARGV[2])
local deleted = {}
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #consumer, 2 do
    info[consumer[i]] = consumer[i + 1]
  end
  if info['name'] ~= ARGV[3] and info['pending'] == 0 and info['idle'] >= minIdle then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    deleted[#deleted + 1] = info['name']
  end
end
return deleted
