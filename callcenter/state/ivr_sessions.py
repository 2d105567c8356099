"""`RedisIvrSessionStore`: IVR sessions in Redis with a TTL, so any instance serves any step."""

from __future__ import annotations

import redis.asyncio as aioredis

from callcenter.state.keys import Keys
from ivr_flows.codec import dump_session, load_session
from ivr_flows.models import Session


class RedisIvrSessionStore:
    """Implements `ivr_flows.ports.SessionStore` as one hash per call: session and reply."""

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_seconds: int) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = ttl_seconds

    async def load(self, call_id: str) -> tuple[Session, str] | None:
        found = await self._redis.hgetall(self._keys.ivr_session(call_id))
        if not found:
            return None
        reply = found[b"reply"]
        return load_session(found[b"session"]), reply.decode() if isinstance(
            reply, bytes
        ) else reply

    async def save(self, session: Session, reply: str) -> None:
        key = self._keys.ivr_session(session.call_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"session": dump_session(session), "reply": reply})
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def delete(self, call_id: str) -> None:
        await self._redis.delete(self._keys.ivr_session(call_id))
