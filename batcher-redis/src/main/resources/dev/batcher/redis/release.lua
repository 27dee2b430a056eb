-- Gives back leases one instance holds: deletes each key whose value is still the lease's token (compare and
-- delete), so that a lease taken later (by another instance, or by this one under a new token) is left alone, even
-- when this call reaches Redis late.
--
-- KEYS[1..n]  partition keys to release
-- ARGV[1..n]  the token of each lease, in the order of KEYS
--
-- Returns how many keys were deleted.
local released = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then
    redis.call('DEL', KEYS[i])
    released = released + 1
  end
end
return released
