-- Claims tasks left unacknowledged for at least the idle time and returns each with its delivery count.
-- KEYS[1] the stream; ARGV[1] the group, ARGV[2] the claiming consumer, ARGV[3] min idle ms, ARGV[4] the most to claim
-- Returns { {stream id, {field, value...}, deliveries}... }
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', tonumber(ARGV[4]))
local out = {}
for _, entry in ipairs(claimed[2]) do
  if type(entry) == 'table' and type(entry[2]) == 'table' then
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
    local deliveries = 1
    if #pending > 0 then
      deliveries = pending[1][4]
    end
    out[#out + 1] = { entry[1], entry[2], deliveries }
  end
end
return out
