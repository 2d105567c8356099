"""The tries of queued callbacks (the `callbacks` rows): each try is taken with a
compare-and-set on the row's status, so one callback is never dialled twice at once,
whichever instance routes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.tables import callbacks

C = callbacks
WAITING = ("pending", "offered")  # in line: a try may start


@dataclass(frozen=True, slots=True)
class CallbackTry:
    """A callback being dialled: its call, the number, its queue, the try number, and the
    provider the caller came in on (None: unknown)."""

    call_id: str
    phone: str
    queue: str
    tries: int
    provider: str | None


class SqlCallbackTries:
    """Callback tries in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def start(
        self, call_id: str, agent_id: int, provider: str | None, now: datetime
    ) -> CallbackTry | None:
        """pending/offered -> dialing, one more try, the reserved agent; None when the
        callback is not waiting (another instance dials it, or it is over)."""
        values = {
            "status": "dialing",
            "tries": C.c.tries + 1,
            "agent_id": agent_id,
            "provider": C.c.provider if provider is None else provider,
            "next_at": None,
            "updated_at": now,
        }
        changed = (
            update(C)
            .where(C.c.call_id == call_id, C.c.status.in_(WAITING))
            .values(values)
            .returning(C.c.call_id, C.c.phone, C.c.queue, C.c.tries, C.c.provider)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(changed)).one_or_none()
        return None if row is None else CallbackTry(*row)

    async def finish(
        self, call_id: str, status: str, now: datetime, next_at: datetime | None = None
    ) -> bool:
        """dialing -> `status` (done, failed, or pending again with `next_at`)."""
        changed = (
            update(C)
            .where(C.c.call_id == call_id, C.c.status == "dialing")
            .values(status=status, next_at=next_at, updated_at=now)
        )
        async with self._engine.begin() as conn:
            return bool((await conn.execute(changed)).rowcount)

    async def due(self, now: datetime, limit: int) -> list[CallbackTry]:
        """Callbacks waiting for their next try whose time has come."""
        query = (
            select(C.c.call_id, C.c.phone, C.c.queue, C.c.tries, C.c.provider)
            .where(C.c.status == "pending", C.c.next_at.is_not(None), C.c.next_at <= now)
            .order_by(C.c.next_at)
            .limit(limit)
        )
        async with reader(self._engine).connect() as conn:
            return [CallbackTry(*row) for row in await conn.execute(query)]

    async def back_in_line(self, call_id: str, now: datetime) -> bool:
        """The retry goes back in line: once, whichever instance sees it first."""
        where = and_(C.c.call_id == call_id, C.c.status == "pending", C.c.next_at.is_not(None))
        changed = update(C).where(where).values(next_at=None, updated_at=now)
        async with self._engine.begin() as conn:
            return bool((await conn.execute(changed)).rowcount)
