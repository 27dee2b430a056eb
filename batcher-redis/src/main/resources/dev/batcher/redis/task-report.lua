-- Stores one report of a task and announces it with its position (1-based) in the task's report list.
-- KEYS[1] the task's report list; ARGV[1] the encoded report, ARGV[2] result ttl ms, ARGV[3] the report channel
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], n .. ':' .. ARGV[1])
return n
