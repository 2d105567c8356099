"""`RedisAttemptCounter`: sign-in attempts per username and per address, counted with one
script (both counters incremented together, each expiring after its window) and given back
by another when the attempt succeeded."""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.core.errors import UnavailableError
from callcenter.state.keys import Keys

log = logging.getLogger(__name__)

KEEP_SECONDS = 120  # a window is a minute; the counter outlives it a little

# KEYS: the counters; ARGV[1]: their lifetime in seconds. Returns each counter's new value.
COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return counts
"""

# KEYS: the counters of an attempt that succeeded.
GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if (tonumber(redis.call('GET', key)) or 0) > 0 then
    redis.call('DECR', key)
  end
end
return 0
"""


class RedisAttemptCounter:
    """Implements `callcenter.auth.ports.AttemptCounter`."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._keys = keys
        self._count = client.register_script(COUNT)
        self._give_back = client.register_script(GIVE_BACK)

    async def count(self, username: str, address: str, window: int) -> tuple[int, int]:
        keys = self._counters(username, address, window)
        try:
            by_name, by_address = await self._count(keys=keys, args=[KEEP_SECONDS])
        except (RedisError, OSError) as err:
            raise UnavailableError(
                f"sign-in attempts cannot be counted: {err}", code="redis-unavailable"
            ) from err
        return int(by_name), int(by_address)

    async def give_back(self, username: str, address: str, window: int) -> None:
        try:
            await self._give_back(keys=self._counters(username, address, window))
        except (RedisError, OSError) as err:  # the attempt stays counted: a lesser harm
            log.warning("a successful sign-in's attempt was not given back: %s", err)

    def _counters(self, username: str, address: str, window: int) -> list[str]:
        return [
            self._keys.sign_in_username(username, window),
            self._keys.sign_in_address(address, window),
        ]
