"""`RedisIvrSessionStore`: IVR sessions in Redis with a TTL, so any instance serves any step;
a per-call lock so that copies of one request are applied once."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as aioredis

from callcenter.core.entropy import random_bytes
from callcenter.core.errors import UnavailableError
from callcenter.state.ivr_sessions_local import LocalIvrSessionStore
from callcenter.state.keys import Keys
from callcenter.state.redis import MEMORY_SCHEME
from ivr_flows.codec import dump_reply, dump_session, load_reply, load_session
from ivr_flows.commands import CallerCommand
from ivr_flows.models import Session

LOCK_TTL_MS = 10_000  # a request that dies holding the lock frees it after this
# Take the call's lock and read its session in one round trip: false when the lock is held.
LOCK_AND_LOAD = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return {redis.call('GET', KEYS[2]) or ''}
"""
# Store the session (when the step changed it) and free the lock in one round trip.
SAVE_AND_RELEASE = """
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
DECODED_KEPT = 20_000  # calls whose last session text is kept decoded
LOCK_WAIT_SECONDS = 8.0  # under Twilio's 15 s webhook timeout
FIRST_BACKOFF, LAST_BACKOFF = 0.002, 0.05


@dataclass(slots=True)
class _Held:
    """A call's session while this process holds its lock: as read with the lock, and what
    the step stores (written when the lock is freed)."""

    value: str
    pending: str = ""


def ivr_session_store(
    url: str, client: aioredis.Redis, keys: Keys, ttl_seconds: int
) -> RedisIvrSessionStore | LocalIvrSessionStore:
    """In this process for `memory://` (private to it anyway), else in Redis."""
    if url.startswith(MEMORY_SCHEME):
        return LocalIvrSessionStore(ttl_seconds)
    return RedisIvrSessionStore(client, keys, ttl_seconds)


class RedisIvrSessionStore:
    """Implements `ivr_flows.ports.SessionStore`: one string per call holding the session's
    JSON, a newline and the reply last sent (JSON text never holds a raw newline). A step
    under the lock costs two round trips: the lock taken with the session read
    (`LOCK_AND_LOAD`), and the session stored with the lock freed (`SAVE_AND_RELEASE`)."""

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_seconds: int) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = ttl_seconds
        self._lock_and_load = client.register_script(LOCK_AND_LOAD)
        self._save_and_release = client.register_script(SAVE_AND_RELEASE)
        self._held: dict[str, _Held] = {}
        self._decoded: OrderedDict[str, tuple[str, Session, tuple[CallerCommand, ...]]] = (
            OrderedDict()
        )

    async def load(self, call_id: str) -> tuple[Session, list[CallerCommand]] | None:
        held = self._held.get(call_id)
        if held is not None:
            text = held.pending or held.value
        else:
            found = await self._redis.get(self._keys.ivr_session(call_id))
            text = found.decode() if isinstance(found, bytes) else str(found or "")
        if not text:
            return None
        known = self._decoded.get(call_id)
        if known is not None and known[0] == text:
            return known[1], list(known[2])  # as this process wrote or read it last
        session_text, _, reply_text = text.partition("\n")
        session, reply = load_session(session_text), load_reply(reply_text or "[]")
        self._remember(call_id, text, session, reply)
        return session, list(reply)

    def _remember(
        self, call_id: str, text: str, session: Session, reply: Sequence[CallerCommand]
    ) -> None:
        """Issue 17: the decoded copy of a session's text, so that the next step of a call
        this process served decodes nothing when Redis still holds what it wrote."""
        self._decoded.pop(call_id, None)
        self._decoded[call_id] = (text, session, tuple(reply))
        if len(self._decoded) > DECODED_KEPT:
            self._decoded.popitem(last=False)

    async def save(self, session: Session, reply: Sequence[CallerCommand]) -> None:
        value = f"{dump_session(session)}\n{dump_reply(reply)}"
        self._remember(session.call_id, value, session, reply)
        held = self._held.get(session.call_id)
        if held is not None:
            held.pending = value  # stored as the lock is freed
            return
        await self._redis.set(self._keys.ivr_session(session.call_id), value, ex=self._ttl)

    @asynccontextmanager
    async def lock(self, call_id: str) -> AsyncIterator[None]:
        keys = [self._keys.ivr_lock(call_id), self._keys.ivr_session(call_id)]
        token = random_bytes(8).hex()  # issue 17: see `callcenter.core.entropy`
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_SECONDS
        backoff = FIRST_BACKOFF
        while not (got := await self._lock_and_load(keys=keys, args=[token, LOCK_TTL_MS])):
            if loop.time() > deadline:
                raise UnavailableError(f"call {call_id} is busy with another request")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, LAST_BACKOFF)
        found = got[0]
        held = self._held[call_id] = _Held(found.decode() if isinstance(found, bytes) else found)
        try:
            yield
        finally:
            del self._held[call_id]
            args: list[str | int] = [token, held.pending, self._ttl]
            await self._save_and_release(keys=keys, args=args)
