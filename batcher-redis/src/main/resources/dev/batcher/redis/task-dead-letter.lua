-- Moves one pending task to the dead-letter stream, acknowledges and deletes it, and stores its FAIL report.
-- KEYS[1] the stream, KEYS[2] the dead-letter stream, KEYS[3] the task's report list (absent: no report)
-- ARGV[1] the group, ARGV[2] the stream id, ARGV[3] deliveries, ARGV[4] the encoded report, ARGV[5] result ttl ms,
-- ARGV[6] the report channel
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #entry > 0 then
  local fields = entry[1][2]
  fields[#fields + 1] = 'stream-id'
  fields[#fields + 1] = ARGV[2]
  fields[#fields + 1] = 'deliveries'
  fields[#fields + 1] = ARGV[3]
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
redis.call('XDEL', KEYS[1], ARGV[2])
if #KEYS >= 3 then
  local n = redis.call('RPUSH', KEYS[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
  redis.call('PUBLISH', ARGV[6], n .. ':' .. ARGV[4])
end
return 1
