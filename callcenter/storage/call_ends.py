"""`SqlCallEnds`: which of a batch of calls have ended on record, in one query; and the
inbound calls still in the IVR, with their provider lines, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.models import CallerLine
from callcenter.calls.models import TERMINAL_STATES
from callcenter.storage.db import reader
from callcenter.storage.tables import call_provider_ids, calls

_ENDED = sorted(state.value for state in TERMINAL_STATES)
_IN_IVR = ("ringing", "ivr")


class SqlCallEnds:
    """Implements `agents.ports.CallEnds`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._reader = reader(engine)  # a plain read: no BEGIN/ROLLBACK round trips

    async def ended_among(self, call_ids: Sequence[str]) -> set[str]:
        """The calls of `call_ids` whose record has reached an end (one `IN (...)` query)."""
        if not call_ids:
            return set()
        query = select(calls.c.id).where(calls.c.id.in_(call_ids), calls.c.state.in_(_ENDED))
        async with self._reader.connect() as conn:
            return {str(row[0]) for row in await conn.execute(query)}

    async def in_ivr(
        self, since: datetime, before: datetime, limit: int
    ) -> list[tuple[str, CallerLine]]:
        """Inbound calls in the IVR, not ended, started in [`since`, `before`), oldest first
        (the `started_at` index bounds the scan), with their provider lines."""
        query = (
            select(
                calls.c.id,
                calls.c.from_number,
                calls.c.to_number,
                calls.c.customer_id,
                calls.c.account_id,
                call_provider_ids.c.provider,
                call_provider_ids.c.provider_id,
            )
            .join(call_provider_ids, call_provider_ids.c.call_id == calls.c.id)
            .where(
                calls.c.started_at >= since,
                calls.c.started_at < before,
                calls.c.state.in_(_IN_IVR),
                calls.c.direction == "inbound",
                calls.c.ended_at.is_(None),
            )
            .order_by(calls.c.started_at, calls.c.id)
            .limit(limit)
        )
        async with self._reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        found: dict[str, CallerLine] = {}
        for r in rows:  # a call with several provider ids: its first
            found.setdefault(
                str(r.id),
                CallerLine(
                    r.from_number,
                    r.to_number,
                    r.provider,
                    r.provider_id,
                    customer_id=r.customer_id,
                    account_id=r.account_id,
                ),
            )
        return list(found.items())
