"""`RedisDeliveries`: provider callbacks already delivered, so that a provider's retry of one
(Twilio retries a status callback it could not deliver) is not applied twice."""

from __future__ import annotations

import redis.asyncio as aioredis

from callcenter.state.keys import Keys

KEEP_SECONDS = 86_400  # providers retry within minutes


class RedisDeliveries:
    """Implements `callcenter.telephony.ports.Deliveries` with one `SET NX EX` a callback."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    async def first(self, key: str) -> bool:
        return bool(await self._redis.set(self._keys.delivered(key), "1", nx=True, ex=KEEP_SECONDS))

    async def forget(self, key: str) -> None:
        await self._redis.delete(self._keys.delivered(key))
