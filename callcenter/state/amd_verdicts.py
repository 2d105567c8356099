"""Answering-machine verdicts of outbound calls in Redis: Twilio's asynchronous detection
posts the verdict on its own callback while the answered call waits a few seconds for it;
any instance may take either request."""

from __future__ import annotations

import redis.asyncio as aioredis

from callcenter.state.keys import Keys

TTL_SECONDS = 600


class RedisAmdVerdicts:
    """`set` a call's verdict, `get` it (None until it came)."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    async def set(self, call_sid: str, verdict: str) -> None:
        await self._redis.set(self._keys.amd_verdict(call_sid), verdict, ex=TTL_SECONDS)

    async def get(self, call_sid: str) -> str | None:
        value = await self._redis.get(self._keys.amd_verdict(call_sid))
        return value.decode() if isinstance(value, bytes) else value
