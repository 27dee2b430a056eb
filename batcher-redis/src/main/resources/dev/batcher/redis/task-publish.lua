-- Appends tasks to the stream of their name and returns their stream ids, in order.
-- KEYS[1] the stream; ARGV is, for each task, the count of its field and value arguments, then field, value...
local ids = {}
local i = 1
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + n))
  i = i + 1 + n
end
return ids
