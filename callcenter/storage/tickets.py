"""`SqlTicketRepository`: tickets, ticket events and ticket-call links."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import NoSuchCallError
from callcenter.storage.tables import ticket_calls, ticket_events, tickets
from callcenter.tickets.models import (
    NewTicket,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)

LOCAL = ZoneInfo("Asia/Shanghai")


def ticket_number(ticket_id: int, at: datetime) -> str:
    """Work-order number: local date and the ticket id (unique because the id is)."""
    return f"{at.astimezone(LOCAL):%Y%m%d}{ticket_id:08d}"


class SqlTicketRepository:
    """Implements `TicketRepository`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, ticket: NewTicket, at: datetime) -> Ticket:
        try:
            ticket_id = await self._insert(ticket, at)
        except IntegrityError as err:
            raise NoSuchCallError(f"no call with id {ticket.call_id!r}") from err
        stored = await self.get(ticket_id)
        assert stored is not None
        return stored

    async def _insert(self, ticket: NewTicket, at: datetime) -> int:
        async with self._engine.begin() as conn:
            ticket_id = (
                await conn.execute(
                    insert(tickets)
                    .values(
                        number=f"pending-{secrets.token_hex(6)}",
                        type=ticket.type.value,
                        subtype=ticket.subtype,
                        status=TicketStatus.OPEN.value,
                        priority=ticket.priority,
                        customer_id=ticket.customer_id,
                        account_id=ticket.account_id,
                        service_point_id=ticket.service_point_id,
                        summary=ticket.summary,
                        created_by=ticket.created_by,
                        created_at=at,
                        due_at=ticket.due_at,
                    )
                    .returning(tickets.c.id)
                )
            ).scalar_one()
            await conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(number=ticket_number(ticket_id, at))
            )
            data = {"call_id": ticket.call_id} if ticket.call_id else {}
            await conn.execute(
                insert(ticket_events).values(
                    ticket_id=ticket_id, at=at, type="created", actor=ticket.created_by, data=data
                )
            )
            if ticket.call_id:
                await conn.execute(
                    insert(ticket_calls).values(
                        ticket_id=ticket_id, call_id=ticket.call_id, relation="created", at=at
                    )
                )
        return int(ticket_id)

    async def find_open(self, type: TicketType, service_point_id: int) -> int | None:
        query = (
            select(tickets.c.id)
            .where(
                tickets.c.type == type.value,
                tickets.c.service_point_id == service_point_id,
                tickets.c.status.not_in(("closed", "cancelled")),
            )
            .order_by(tickets.c.id)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        return None if found is None else int(found)

    async def urge(self, ticket_id: int, call_id: str | None, actor: str, at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(ticket_events).values(
                    ticket_id=ticket_id,
                    at=at,
                    type="urged",
                    actor=actor,
                    data={"call_id": call_id} if call_id else {},
                )
            )
            if call_id:
                linked = await conn.execute(
                    select(ticket_calls.c.call_id).where(
                        ticket_calls.c.ticket_id == ticket_id, ticket_calls.c.call_id == call_id
                    )
                )
                if linked.first() is None:
                    await conn.execute(
                        insert(ticket_calls).values(
                            ticket_id=ticket_id, call_id=call_id, relation="urged", at=at
                        )
                    )

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).first()
            if row is None:
                return None
            events = (
                await conn.execute(
                    select(ticket_events)
                    .where(ticket_events.c.ticket_id == ticket_id)
                    .order_by(ticket_events.c.id)
                )
            ).all()
            call_ids = (
                (
                    await conn.execute(
                        select(ticket_calls.c.call_id)
                        .where(ticket_calls.c.ticket_id == ticket_id)
                        .order_by(ticket_calls.c.at)
                    )
                )
                .scalars()
                .all()
            )
        return Ticket(
            id=row.id,
            number=row.number,
            type=TicketType(row.type),
            subtype=row.subtype,
            status=TicketStatus(row.status),
            priority=row.priority,
            customer_id=row.customer_id,
            account_id=row.account_id,
            service_point_id=row.service_point_id,
            summary=row.summary,
            created_by=row.created_by,
            created_at=row.created_at,
            due_at=row.due_at,
            closed_at=row.closed_at,
            events=tuple(TicketEvent(e.at, e.type, e.actor, e.data) for e in events),
            call_ids=tuple(call_ids),
        )
