-- Moves due delayed tasks of one name to its stream. Atomic, so that when several brokers poll, each task moves once.
-- KEYS[1] the delayed zset (member: '<id>:<attempt>', score: not-before in epoch ms), KEYS[2] the stream
-- ARGV[1] now in epoch ms, ARGV[2] the most tasks to move, ARGV[3] the prefix of the per-task hashes
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local hash = ARGV[3] .. member
  local fields = redis.call('HGETALL', hash)
  if #fields > 0 then
    redis.call('XADD', KEYS[2], '*', unpack(fields))
  end
  redis.call('DEL', hash)
  redis.call('ZREM', KEYS[1], member)
end
return #due
