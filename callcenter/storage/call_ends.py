"""`SqlCallEnds`: which of a batch of calls have ended on record, in one query."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import TERMINAL_STATES
from callcenter.storage.db import reader
from callcenter.storage.tables import calls

_ENDED = sorted(state.value for state in TERMINAL_STATES)


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
