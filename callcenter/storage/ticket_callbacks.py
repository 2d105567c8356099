"""`SqlDueCallbacks`: the tickets awaiting their satisfaction callback (回访)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.tables import ticket_events, tickets
from callcenter.storage.tickets_search import ticket_from
from callcenter.tickets.models import Ticket, TicketEvent


def awaiting_callback(types: frozenset[str], statuses: frozenset[str]) -> list[ColumnElement[bool]]:
    """The conditions on `tickets` of a ticket of `types` waiting in `statuses`."""
    return [tickets.c.type.in_(sorted(types)), tickets.c.status.in_(sorted(statuses))]


class SqlDueCallbacks:
    """Implements `callcenter.tickets.callbacks.DueCallbacks`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due(
        self, types: frozenset[str], statuses: frozenset[str], limit: int, offset: int
    ) -> tuple[list[Ticket], int]:
        where = awaiting_callback(types, statuses)
        page = (
            select(tickets)
            .where(*where)
            .order_by(tickets.c.updated_at.asc().nulls_first(), tickets.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self._engine.connect() as conn:
            count = select(func.count()).select_from(tickets).where(*where)
            total = (await conn.execute(count)).scalar_one()
            rows = (await conn.execute(page)).all()
            ids = [row.id for row in rows]
            found = await conn.execute(
                select(ticket_events)
                .where(ticket_events.c.ticket_id.in_(ids))
                .order_by(ticket_events.c.id)
            )
            events: dict[int, list[TicketEvent]] = {}
            for e in found:
                event = TicketEvent(e.at, e.type, e.actor, e.data, e.actor_role, e.actor_user_id)
                events.setdefault(e.ticket_id, []).append(event)
        return [ticket_from(row, tuple(events.get(row.id, ()))) for row in rows], int(total)
