"""`SqlArrearsStore`: each account's place in the arrears procedure, changed only by
compare-and-set on its step, every change appended to its history in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import arrears_events, arrears_sequences
from callcenter.storage.promises import paused_until
from outbound.models import ArrearsEvent, ArrearsSequence, ArrearsStep

S = arrears_sequences
E = arrears_events


def _sequence_from(m: Mapping[Any, Any]) -> ArrearsSequence:
    return ArrearsSequence(
        account_id=int(m["account_id"]),
        step=ArrearsStep(m["step"]),
        arrears=m["arrears"],
        overdue_since=m["overdue_since"],
        cut_at=m["cut_at"],
        approved_by=m["approved_by"],
        updated_at=m["updated_at"],
        paused_until=m.get("paused_until"),  # desk: the open promise to pay, if any
    )


def _event_from(m: Mapping[Any, Any]) -> ArrearsEvent:
    return ArrearsEvent(
        account_id=int(m["account_id"]),
        at=m["at"],
        from_step=ArrearsStep(m["from_step"]) if m["from_step"] else None,
        to_step=ArrearsStep(m["to_step"]),
        actor_role=m["actor_role"],
        actor_id=m["actor_id"],
        data=dict(m["data"]),
    )


class SqlArrearsStore:
    """Arrears sequences and their events in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, account_id: int) -> ArrearsSequence | None:
        """The account's sequence, or None."""
        async with reader(self._engine).connect() as conn:
            query = select(S, paused_until().label("paused_until"))  # desk: promises pause
            row = (await conn.execute(query.where(S.c.account_id == account_id))).first()
        return None if row is None else _sequence_from(row._mapping)

    async def save(
        self,
        sequence: ArrearsSequence,
        event: ArrearsEvent,
        expected: ArrearsStep | None,
    ) -> bool:
        """Store `sequence` and append `event` if the stored step is still `expected`."""
        values = {
            "step": sequence.step.value,
            "arrears": sequence.arrears,
            "overdue_since": sequence.overdue_since,
            "cut_at": sequence.cut_at,
            "approved_by": sequence.approved_by,
            "updated_at": sequence.updated_at or event.at,
        }
        try:
            async with self._engine.begin() as conn:
                if expected is None:
                    await conn.execute(insert(S).values(account_id=sequence.account_id, **values))
                else:
                    changed = (
                        update(S)
                        .where(S.c.account_id == sequence.account_id, S.c.step == expected.value)
                        .values(values)
                    )
                    if (await conn.execute(changed)).rowcount != 1:
                        return False
                await conn.execute(insert(E).values(_event_row(event)))
        except IntegrityError:  # a sequence was started meanwhile
            return False
        return True

    async def history(self, account_id: int) -> list[ArrearsEvent]:
        """The account's arrears events, oldest first."""
        query = select(E).where(E.c.account_id == account_id).order_by(E.c.at, E.c.id)
        async with reader(self._engine).connect() as conn:
            return [_event_from(row._mapping) for row in await conn.execute(query)]


def _event_row(event: ArrearsEvent) -> dict[str, Any]:
    return {
        "account_id": event.account_id,
        "at": event.at,
        "from_step": None if event.from_step is None else event.from_step.value,
        "to_step": event.to_step.value,
        "actor_role": event.actor_role,
        "actor_id": event.actor_id,
        "data": event.data,
    }
