"""`LocalIvrSessionStore`: IVR sessions in this process, for the embedded defaults
(`memory://`), whose Redis-compatible store is private to the process anyway. A step there
took two Lua scripts in the emulated Redis (the lock with the read, the write with the
unlock); here it takes a dictionary look-up and an asyncio lock (issue 17). Sessions expire
after the same TTL as in Redis."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from callcenter.core.clock import Clock, SystemClock
from ivr_flows.commands import CallerCommand
from ivr_flows.models import Session


@dataclass(frozen=True, slots=True)
class _Kept:
    session: Session
    reply: tuple[CallerCommand, ...]
    expires: float  # clock seconds


class LocalIvrSessionStore:
    """Implements `ivr_flows.ports.SessionStore` in memory, oldest write first, so that the
    expired are dropped from the front as new ones are written."""

    def __init__(self, ttl_seconds: int, clock: Clock | None = None) -> None:
        self._ttl = ttl_seconds
        self._clock = clock or SystemClock()
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # the lock, its users

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def clear(self) -> None:
        """Forget every session (what a restart of the process does)."""
        self._kept.clear()

    async def load(self, call_id: str) -> tuple[Session, list[CallerCommand]] | None:
        kept = self._kept.get(call_id)
        if kept is None:
            return None
        if kept.expires <= self._now():
            del self._kept[call_id]
            return None
        return kept.session, list(kept.reply)

    async def save(self, session: Session, reply: Sequence[CallerCommand]) -> None:
        now = self._now()
        self._kept.pop(session.call_id, None)
        self._kept[session.call_id] = _Kept(session, tuple(reply), now + self._ttl)
        while self._kept:
            oldest = next(iter(self._kept.values()))
            if oldest.expires > now:
                break
            self._kept.popitem(last=False)

    @asynccontextmanager
    async def lock(self, call_id: str) -> AsyncIterator[None]:
        """The call's lock, dropped once no request holds or waits for it."""
        lock, users = self._locks.get(call_id) or self._locks.setdefault(
            call_id, (asyncio.Lock(), [0])
        )
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[call_id]
