"""Whether Redis lost its data since this process saw it: an epoch key written once (SET NX)
and never expiring. Gone later means Redis restarted without persistence (or was flushed):
queues, presence and sessions must be rebuilt from SQL."""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from callcenter.state.keys import Keys


class RedisEpoch:
    """`lost()`: True once each time the epoch key had to be written again. A `volatile`
    store (the in-process `memory://`) starts empty with every process, so its first empty
    look is a loss too: a restart on the embedded defaults rebuilds from SQL (on an empty
    database there is nothing to rebuild)."""

    def __init__(self, client: aioredis.Redis, keys: Keys, *, volatile: bool = False) -> None:
        self._redis = client
        self._key = keys.epoch()
        self._seen = volatile

    async def lost(self) -> bool:
        written = bool(await self._redis.set(self._key, secrets.token_hex(8), nx=True))
        first, self._seen = not self._seen, True
        return written and not first
