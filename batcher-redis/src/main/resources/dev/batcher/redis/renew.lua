-- Renews the leases one instance holds, for another lease time (compare and expire).
--
-- KEYS[1..n]  partition keys the instance holds
-- ARGV[1]     the lease time in milliseconds
-- ARGV[2..]   the token of each lease, in the order of KEYS (the value acquire.lua stored)
--
-- Returns one number per key: 1 renewed, 0 lost (another instance holds it).
--
-- A key that is missing is taken again with SET NX: the instance renews only leases whose time has not ended by
-- its own clock, so the key can only be missing because Redis lost it (restart, flush), and acquire.lua hands out
-- nothing for one lease time after that; no other instance counts the partition.
local result = {}
for i = 1, #KEYS do
  local token = ARGV[i + 1]
  local holder = redis.call('GET', KEYS[i])
  if holder == token then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    result[i] = 1
  elseif not holder and redis.call('SET', KEYS[i], token, 'NX', 'PX', ARGV[1]) then
    result[i] = 1
  else
    result[i] = 0
  end
end
return result
