"""The tickets awaiting their satisfaction callback (回访): `SqlDueCallbacks` (the agent
task) and the `callbacks-due` campaign target query."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.errors import InvalidInputError
from callcenter.storage.tables import accounts, ticket_events, tickets
from callcenter.storage.target_queries import Plan, contacts, one_per_customer
from callcenter.storage.tickets_search import ticket_from
from callcenter.tickets.models import Ticket, TicketEvent, TicketStatus, TicketType
from outbound.models import TargetQuery

TICKET_VALUES = ("ticket_id", "ticket_number", "ticket_type")  # each target's message values


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


def _types(value: str) -> list[str]:
    wanted = value.strip()
    if wanted == "all":
        return [t.value for t in TicketType]
    if wanted in {t.value for t in TicketType}:
        return [wanted]
    raise InvalidInputError(
        f"target callbacks-due:{value} needs all or a ticket type", code="invalid-target-query"
    )


def awaiting_callback_plan(query: TargetQuery) -> Plan:
    """The customers of the tickets awaiting their callback (`all` types or one), each once
    with their oldest such ticket: its account when it names one, else the first reachable."""
    oldest = (
        select(tickets.c.customer_id, func.min(tickets.c.id).label("ticket_id"))
        .where(
            *awaiting_callback(
                frozenset(_types(query.value)), frozenset({TicketStatus.AWAITING_CALLBACK.value})
            ),
            tickets.c.customer_id.is_not(None),
        )
        .group_by(tickets.c.customer_id)
        .subquery()
    )
    found = (
        contacts(
            oldest.c.ticket_id,
            tickets.c.number.label("ticket_number"),
            tickets.c.type.label("ticket_type"),
        )
        .join(oldest, oldest.c.customer_id == accounts.c.customer_id)
        .join(tickets, tickets.c.id == oldest.c.ticket_id)
        .where(or_(tickets.c.account_id.is_(None), tickets.c.account_id == accounts.c.id))
    )
    return Plan(one_per_customer(found), row_values=TICKET_VALUES)
