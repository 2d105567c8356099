"""The Lua scripts of `RedisRoutingState`: each is one atomic step on the routing keys
(claims, requeues, abandons, presence changes, accepts, offer deadlines, max-wait marks)."""

from __future__ import annotations

BAND = 10**13  # score = priority band + enqueue time in ms (ms since 1970 < 10**13)

# Every change to the ready hash is also appended to the ready log (a stream: field a = agent
# id, s = idle since, '' when the agent left ready), so that routers keep their view of the
# ready agents current by reading only what changed.
READY_LOG_LENGTH = 100_000
_LOG = (
    "redis.call('XADD', {key}, 'MAXLEN', '~', "
    + str(READY_LOG_LENGTH)
    + ", '*', 'a', {agent}, 's', {since})"
)
# KEYS: ready, offers, offered, ready log, then per claim its queue and agent.
# ARGV: now, deadline, then per claim agent id and call id. One result per claim.
CLAIM = (
    """
local out = {}
for i = 1, (#ARGV - 2) / 2 do
  local agent, call = ARGV[1 + 2 * i], ARGV[2 + 2 * i]
  if redis.call('HEXISTS', KEYS[1], agent) == 0 then out[i] = 0
  elseif redis.call('ZREM', KEYS[3 + 2 * i], call) == 0 then out[i] = -1
  else
    redis.call('HDEL', KEYS[1], agent)
    redis.call('HSET', KEYS[4 + 2 * i], 'state', 'reserved', 'call', call, 'since', ARGV[1])
    redis.call('ZADD', KEYS[2], ARGV[2], call)
    redis.call('HSET', KEYS[3], call, agent)
    """
    + _LOG.format(key="KEYS[4]", agent="agent", since="''")
    + """
    out[i] = 1
  end
end
return out
"""
)
# KEYS: ready, ready log. The whole ready hash and the log's last entry id (the log gets a
# first, empty entry when it has none, so that a reader always holds a real id).
READY_LOAD = (
    """
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local id
if #last == 0 then id = """
    + _LOG.format(key="KEYS[2]", agent="''", since="''")
    + """ else id = last[1][1] end
return {id, redis.call('HGETALL', KEYS[1])}
"""
)
# KEYS: calls, ready log, then the queues. ARGV: limit, last log entry read, log batch.
# The log entries after the one read, the log's first entry, then the head of each queue
# with each call's routing data.
SNAPSHOT = """
local out = {redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], '+', 'COUNT', ARGV[3]),
             redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)}
for i = 3, #KEYS do
  local ids = redis.call('ZRANGE', KEYS[i], 0, tonumber(ARGV[1]) - 1)
  if #ids == 0 then out[i] = {} else out[i] = redis.call('HMGET', KEYS[1], unpack(ids)) end
end
return out
"""
# KEYS: offers, offered, queue, agent. ARGV: call id, agent id, band start, score, now, and
# '' or the latest deadline that may be requeued (an offer restarted since is left alone).
REQUEUE = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[6] ~= '' then
  local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if (not deadline) or tonumber(deadline) > tonumber(ARGV[6]) then return 0 end
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local band = tonumber(ARGV[3])
local score = tonumber(ARGV[4])
local first = redis.call('ZRANGEBYSCORE', KEYS[3], band, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if first[2] then
  local head = tonumber(first[2])
  if head < band + 1e13 and head <= score then score = head - 1 end
end
if score < band then score = band end
redis.call('ZADD', KEYS[3], score, ARGV[1])
if redis.call('HGET', KEYS[4], 'call') == ARGV[1] then
  redis.call('HSET', KEYS[4], 'state', 'not_ready', 'reason', 'no-answer', 'since', ARGV[5],
             'call', '')
end
return 1
"""
# KEYS: calls, queue, offers, offered, agent, ready, ready log. ARGV: call id, agent id or '',
# now.
ABANDON = (
    """
local offered = redis.call('HGET', KEYS[4], ARGV[1])
if offered and offered ~= ARGV[2] then return -1 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if not offered then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[5], 'call') == ARGV[1] then
  redis.call('HSET', KEYS[5], 'state', 'ready', 'since', ARGV[3], 'call', '')
  redis.call('HSET', KEYS[6], ARGV[2], ARGV[3])
  """
    + _LOG.format(key="KEYS[7]", agent="ARGV[2]", since="ARGV[3]")
    + """
end
return 1
"""
)
# KEYS: agent, ready, wrapups, ready log, logged-in set. ARGV: agent id, allowed from states
# (comma separated), state, reason, since, call, wrap-up end ('' = none), the call the agent
# must be on ('' = any). Returns {applied, previous state, previous call, previous since,
# previous reason}.
SET_STATE = (
    """
local cur = redis.call('HMGET', KEYS[1], 'state', 'call', 'since', 'reason')
local state = cur[1] or 'logged_out'
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == state then allowed = true end end
if ARGV[8] ~= '' and (cur[2] or '') ~= ARGV[8] then allowed = false end
if not allowed then return {0, state, cur[2] or '', cur[3] or '0', cur[4] or ''} end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'reason', ARGV[4], 'since', ARGV[5], 'call', ARGV[6])
if ARGV[3] == 'logged_out' then redis.call('SREM', KEYS[5], ARGV[1])
else redis.call('SADD', KEYS[5], ARGV[1]) end
if ARGV[3] == 'ready' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
  """
    + _LOG.format(key="KEYS[4]", agent="ARGV[1]", since="ARGV[5]")
    + """
elseif redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then
  """
    + _LOG.format(key="KEYS[4]", agent="ARGV[1]", since="''")
    + """
end
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
else redis.call('ZREM', KEYS[3], ARGV[1]) end
return {1, state, cur[2] or '', cur[3] or '0', cur[4] or ''}
"""
)
# KEYS: offers, offered, agent, calls, max-wait marks. ARGV: call id, agent id, now. The
# offer answered (a later wait, after a transfer, may reach the maximum wait again).
ACCEPT = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  if redis.call('HGET', KEYS[3], 'call') == ARGV[1]
     and redis.call('HGET', KEYS[3], 'state') == 'on_call' then return 2 end
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('HSET', KEYS[3], 'state', 'on_call', 'reason', '', 'since', ARGV[3], 'call', ARGV[1])
return 1
"""
# KEYS: offers, offered. ARGV: call id, agent id, new deadline. The device starts ringing.
RESTART_OFFER = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""
# KEYS: max-wait marks, then the queues. ARGV: limit, band width, bands, then per queue the
# latest enqueue time past its maximum wait. Calls waiting that long, not yet marked.
OVERDUE_WAITS = """
local out = {}
local limit, width = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 2, #KEYS do
  local cutoff = tonumber(ARGV[i + 2])
  for band = 0, tonumber(ARGV[3]) - 1 do
    local ids = redis.call('ZRANGEBYSCORE', KEYS[i], band * width, band * width + cutoff)
    for _, id in ipairs(ids) do
      if redis.call('HEXISTS', KEYS[1], id) == 0 then
        out[#out + 1] = id
        if #out >= limit then return out end
      end
    end
  end
end
return out
"""
# KEYS: calls, from queue, to queue. ARGV: call id, routing data, score. A waiting call moves
# queue with its place in time; not when it is no longer waiting there.
MOVE_CALL = """
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
"""
# KEYS: the logged-in set, then each agent's hash. ARGV: each agent's id. The set made to
# agree with the agents' hashes (written before the set was kept, or by hand).
LOGGED_IN_SYNC = """
for i, agent in ipairs(ARGV) do
  local state = redis.call('HGET', KEYS[1 + i], 'state')
  if state and state ~= 'logged_out' then redis.call('SADD', KEYS[1], agent)
  else redis.call('SREM', KEYS[1], agent) end
end
return #ARGV
"""
