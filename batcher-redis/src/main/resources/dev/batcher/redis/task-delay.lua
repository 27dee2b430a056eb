-- Stores a delayed task: its fields in a hash, its due time in the delayed zset.
-- KEYS[1] the delayed zset, KEYS[2] the task's hash; ARGV[1] not-before in epoch ms, ARGV[2] the zset member,
-- ARGV[3..] field, value, field, value...
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
return 1
