-- Stores reports of tasks of one name, each at the end of its task's report list, and announces them in one message.
-- KEYS[i] the report list of the i-th report; ARGV[1] result ttl ms, ARGV[2] the name's report channel,
-- ARGV[2 + i] the i-th encoded report.
-- The message is '+' then, for each report, '<position in its list (1-based)>:<length in bytes>:<encoded report>'.
local parts = { '+' }
for i = 1, #KEYS do
  local report = ARGV[2 + i]
  local n = redis.call('RPUSH', KEYS[i], report)
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
  parts[#parts + 1] = n .. ':' .. #report .. ':'
  parts[#parts + 1] = report
end
redis.call('PUBLISH', ARGV[2], table.concat(parts))
return #KEYS
