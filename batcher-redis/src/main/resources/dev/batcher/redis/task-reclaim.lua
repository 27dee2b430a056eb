-- Claims tasks left unacknowledged for at least the idle time and returns each with its delivery count. Like
-- XAUTOCLAIM, except that the claiming consumer's own running tasks (ARGV[5..]) are left alone: claiming them would
-- reset their idle time and hide a stuck delivery from every other consumer.
-- KEYS[1] the stream; ARGV[1] the group, ARGV[2] the claiming consumer, ARGV[3] min idle ms, ARGV[4] the most to
-- claim, ARGV[5..] the stream ids the claiming consumer runs now
-- Returns { {stream id, {field, value...}, deliveries}... }
local running = {}
for i = 5, #ARGV do
  running[ARGV[i]] = true
end
local want = tonumber(ARGV[4])
local idle = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', tonumber(ARGV[3]), '-', '+', want + #ARGV - 4)
local out = {}
for _, pending in ipairs(idle) do
  if #out >= want then
    break
  end
  local id = pending[1]
  if not (pending[2] == ARGV[2] and running[id]) then
    local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], id)
    if #claimed > 0 and type(claimed[1]) == 'table' and type(claimed[1][2]) == 'table' then
      out[#out + 1] = { id, claimed[1][2], pending[4] + 1 }
    end
  end
end
return out
