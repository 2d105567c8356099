"""`RedisIvrSessionStore`: IVR sessions in Redis with a TTL, so any instance serves any step;
a per-call lock so that copies of one request are applied once."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from callcenter.core.errors import UnavailableError
from callcenter.state.keys import Keys
from callcenter.state.lease import RELEASE_SCRIPT
from ivr_flows.codec import dump_reply, dump_session, load_reply, load_session
from ivr_flows.commands import CallerCommand
from ivr_flows.models import Session

LOCK_TTL_MS = 10_000  # a request that dies holding the lock frees it after this
LOCK_WAIT_SECONDS = 8.0  # under Twilio's 15 s webhook timeout
FIRST_BACKOFF, LAST_BACKOFF = 0.002, 0.05


class RedisIvrSessionStore:
    """Implements `ivr_flows.ports.SessionStore`: one string per call holding the session's
    JSON, a newline and the reply last sent (JSON text never holds a raw newline), so a step
    costs one `GET` and one `SET … EX` (and the lock's `SET NX` and release)."""

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_seconds: int) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = ttl_seconds
        self._release = client.register_script(RELEASE_SCRIPT)

    async def load(self, call_id: str) -> tuple[Session, list[CallerCommand]] | None:
        found = await self._redis.get(self._keys.ivr_session(call_id))
        if not found:
            return None
        text = found.decode() if isinstance(found, bytes) else str(found)
        session, _, reply = text.partition("\n")
        return load_session(session), load_reply(reply or "[]")

    async def save(self, session: Session, reply: Sequence[CallerCommand]) -> None:
        value = f"{dump_session(session)}\n{dump_reply(reply)}"
        await self._redis.set(self._keys.ivr_session(session.call_id), value, ex=self._ttl)

    @asynccontextmanager
    async def lock(self, call_id: str) -> AsyncIterator[None]:
        key = self._keys.ivr_lock(call_id)
        token = secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_SECONDS
        backoff = FIRST_BACKOFF
        while not await self._redis.set(key, token, nx=True, px=LOCK_TTL_MS):
            if loop.time() > deadline:
                raise UnavailableError(f"call {call_id} is busy with another request")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, LAST_BACKOFF)
        try:
            yield
        finally:
            await self._release(keys=[key], args=[token])
