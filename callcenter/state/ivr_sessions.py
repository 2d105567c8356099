"""`RedisIvrSessionStore`: IVR sessions in Redis with a TTL, so any instance serves any step."""

from __future__ import annotations

import redis.asyncio as aioredis

from callcenter.state.keys import Keys
from ivr_flows.codec import dump_session, load_session
from ivr_flows.models import Session


class RedisIvrSessionStore:
    """Implements `ivr_flows.ports.SessionStore`: one string per call holding the session's
    JSON, a newline and the reply last sent (JSON text never holds a raw newline), so a step
    costs one `GET` and one `SET … EX`."""

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_seconds: int) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = ttl_seconds

    async def load(self, call_id: str) -> tuple[Session, str] | None:
        found = await self._redis.get(self._keys.ivr_session(call_id))
        if not found:
            return None
        text = found.decode() if isinstance(found, bytes) else str(found)
        session, _, reply = text.partition("\n")
        return load_session(session), reply

    async def save(self, session: Session, reply: str) -> None:
        value = f"{dump_session(session)}\n{reply}"
        await self._redis.set(self._keys.ivr_session(session.call_id), value, ex=self._ttl)

    async def delete(self, call_id: str) -> None:
        await self._redis.delete(self._keys.ivr_session(call_id))
