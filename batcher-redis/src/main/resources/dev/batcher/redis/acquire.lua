-- Acquires free partitions of one shared capacity for one instance, until the wanted capacity is reached.
-- Atomic: Redis runs the whole script alone, so two instances never both take one partition.
--
-- KEYS[1]     the epoch key: exists as long as Redis keeps this resource's leases (no TTL)
-- KEYS[2]     the fence key: while it exists, no partition is handed out
-- KEYS[3..n]  candidate partition keys, in the order to try them
-- ARGV[1]     the lease token: the instance id and a number unique to this call (the value of each lease taken)
-- ARGV[2]     the lease time in milliseconds
-- ARGV[3]     the wanted capacity
-- ARGV[4..m]  the capacity of each candidate, in the order of KEYS[3..n]
--
-- Returns { fence, p1, p2, ... }: fence is the time in milliseconds before partitions are handed out again (0 when
-- none), p1... are the positions (1-based, among the candidates) of the partitions acquired.
--
-- A missing epoch key means Redis lost the leases (a restart without persistence, a flush) or has never seen this
-- resource. Instances may still count leases they held before, until their lease time ends: nothing is handed out
-- for one lease time (the fence). Former holders renew (renew.lua) what they held meanwhile.
local lease = tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[1], 'PX', lease)
end
local fence = redis.call('PTTL', KEYS[2])
if fence > 0 then
  return { fence }
end
local wanted = tonumber(ARGV[3])
local got = 0
local result = { 0 }
for i = 3, #KEYS do
  if got >= wanted then
    break
  end
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', lease) then
    result[#result + 1] = i - 2
    got = got + tonumber(ARGV[i + 1])
  end
end
return result
