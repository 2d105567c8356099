"""Whether Redis lost its data since this process saw it: an epoch key written once (SET NX)
and never expiring. Gone later means Redis restarted without persistence (or was flushed):
queues, presence and sessions must be rebuilt from SQL."""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from callcenter.state.keys import Keys


class RedisEpoch:
    """`lost()`: True once each time the epoch key had to be written again."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._key = keys.epoch()
        self._seen = False

    async def lost(self) -> bool:
        written = bool(await self._redis.set(self._key, secrets.token_hex(8), nx=True))
        first, self._seen = not self._seen, True
        return written and not first
