"""`SqlTicketRepository`: tickets, ticket events and ticket-call links."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.calls.models import NoSuchCallError
from callcenter.storage.tables import (
    customers,
    service_points,
    ticket_calls,
    ticket_events,
    tickets,
)
from callcenter.storage.tickets_search import search_tickets, ticket_from
from callcenter.tickets.models import (
    FINISHED,
    Actor,
    NewTicket,
    SlaMark,
    Ticket,
    TicketChange,
    TicketEvent,
    TicketQuery,
    TicketStatus,
    TicketType,
)

LOCAL = ZoneInfo("Asia/Shanghai")
FINISHED_VALUES = tuple(s.value for s in FINISHED)


def ticket_number(ticket_id: int, at: datetime) -> str:
    """Work-order number: local date and the ticket id (unique because the id is)."""
    return f"{at.astimezone(LOCAL):%Y%m%d}{ticket_id:08d}"


def _event_row(
    ticket_id: int, at: datetime, type: str, actor: Actor, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "at": at,
        "type": type,
        "actor": actor.name,
        "actor_role": actor.role,
        "actor_user_id": actor.user_id,
        "data": data,
        "text": data.get("text"),
    }


def _changed_values(change: TicketChange) -> dict[str, Any]:
    values: dict[str, Any] = {"updated_at": change.at}
    if change.status is not None:
        values["status"] = change.status.value
    if change.assignee is not None:
        values["assignee_user_id"] = change.assignee.user_id
        values["assignee_team"] = change.assignee.team
    if change.reopen:
        values |= {"closed_at": None, "resolution": None}
    if change.milestone is not None or change.reopen:
        values["milestone"] = None if change.milestone is None else change.milestone.value
    for name in ("resolution", "due_at", "closed_at", "sla_state", "escalation_level"):
        if getattr(change, name) is not None:
            values[name] = getattr(change, name)
    if change.urged:
        values["urge_count"] = tickets.c.urge_count + 1
    return values


def _event_from(row: Row[Any]) -> TicketEvent:
    return TicketEvent(row.at, row.type, row.actor, row.data, row.actor_role, row.actor_user_id)


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

    async def _places(self, conn: AsyncConnection, ticket: NewTicket) -> dict[str, Any]:
        """The area (the service point's district) and the classes the deadlines depend on,
        where the ticket does not give them."""
        values = {
            "area": ticket.area,
            "area_class": ticket.area_class,
            "customer_class": ticket.customer_class,
        }
        if ticket.service_point_id is not None:
            query = select(service_points.c.district, service_points.c.area_class).where(
                service_points.c.id == ticket.service_point_id
            )
            point = (await conn.execute(query)).first()
            if point is not None:
                values["area"] = values["area"] or point.district
                values["area_class"] = values["area_class"] or point.area_class
        if ticket.customer_id is not None and values["customer_class"] is None:
            query = select(customers.c.customer_class).where(customers.c.id == ticket.customer_id)
            values["customer_class"] = (await conn.execute(query)).scalar_one_or_none()
        return values

    async def _insert(self, ticket: NewTicket, at: datetime) -> int:
        async with self._engine.begin() as conn:
            values = {
                "number": f"pending-{secrets.token_hex(6)}",
                "type": ticket.type.value,
                "subtype": ticket.subtype,
                "status": TicketStatus.OPEN.value,
                "priority": ticket.priority,
                "customer_id": ticket.customer_id,
                "account_id": ticket.account_id,
                "service_point_id": ticket.service_point_id,
                "summary": ticket.summary,
                "created_by": ticket.created_by,
                "created_at": at,
                "due_at": ticket.due_at,
                "channel": ticket.channel.value,
                "updated_at": at,
            } | await self._places(conn, ticket)
            inserted = await conn.execute(insert(tickets).values(values).returning(tickets.c.id))
            ticket_id = int(inserted.scalar_one())
            await conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(number=ticket_number(ticket_id, at))
            )
            data: dict[str, Any] = {"call_id": ticket.call_id} if ticket.call_id else {}
            if ticket.due_at is not None:
                data["due_at"] = ticket.due_at.isoformat()  # a deadline given at opening
            actor = ticket.actor or Actor(ticket.created_by)
            await conn.execute(
                insert(ticket_events).values(_event_row(ticket_id, at, "created", actor, data))
            )
            if ticket.call_id:
                await self._link(conn, ticket_id, ticket.call_id, "created", at)
        return ticket_id

    async def _link(
        self, conn: AsyncConnection, ticket_id: int, call_id: str, relation: str, at: datetime
    ) -> None:
        linked = await conn.execute(
            select(ticket_calls.c.call_id).where(
                ticket_calls.c.ticket_id == ticket_id, ticket_calls.c.call_id == call_id
            )
        )
        if linked.first() is None:
            await conn.execute(
                insert(ticket_calls).values(
                    ticket_id=ticket_id, call_id=call_id, relation=relation[:16], at=at
                )
            )

    async def find_open(self, type: TicketType, service_point_id: int) -> int | None:
        query = (
            select(tickets.c.id)
            .where(
                tickets.c.type == type.value,
                tickets.c.service_point_id == service_point_id,
                tickets.c.status.not_in(FINISHED_VALUES),
            )
            .order_by(tickets.c.id)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        return None if found is None else int(found)

    async def change(self, ticket_id: int, change: TicketChange) -> bool:
        try:
            async with self._engine.begin() as conn:
                done = await conn.execute(
                    update(tickets)
                    .where(tickets.c.id == ticket_id, tickets.c.status == change.expected.value)
                    .values(_changed_values(change))
                )
                if done.rowcount != 1:
                    return False  # nothing written: a concurrent change moved the status
                row = _event_row(ticket_id, change.at, change.event, change.actor, change.data)
                await conn.execute(insert(ticket_events).values(row))
                if change.call_id:
                    await self._link(conn, ticket_id, change.call_id, change.event, change.at)
        except IntegrityError as err:
            raise NoSuchCallError(f"no call with id {change.call_id!r}") from err
        return True

    async def mark_sla(
        self, marks: Sequence[tuple[Ticket, SlaMark]], at: datetime, actor: Actor
    ) -> list[int]:
        applied: list[int] = []
        async with self._engine.begin() as conn:
            for ticket, mark in marks:
                if await self._mark(conn, ticket, mark, at, actor):
                    applied.append(ticket.id)
        return applied

    async def _mark(
        self, conn: AsyncConnection, ticket: Ticket, mark: SlaMark, at: datetime, actor: Actor
    ) -> bool:
        """Store one ticket's SLA columns while they are still the ones it was read with
        (else a concurrent sweep or change won), with an event per level reached."""
        c = tickets.c
        values: dict[str, Any] = {
            "sla_step": mark.step,
            "sla_state": mark.state.value,
            "due_at": mark.due_at,
            "sla_next_at": mark.next_at,
        }
        if mark.escalates:
            values["escalation_level"] = c.escalation_level + 1
        done = await conn.execute(
            update(tickets)
            .where(
                c.id == ticket.id,
                c.status == ticket.status.value,
                c.sla_state == ticket.sla_state,
                c.sla_step.is_(None) if ticket.sla_step is None else c.sla_step == ticket.sla_step,
            )
            .values(values)
        )
        if done.rowcount != 1:
            return False
        rows = [_event_row(ticket.id, r.at, r.event, actor, r.data()) for r in mark.reached]
        if mark.escalates:
            data = {"level": ticket.escalation_level + 1, "reason": "breached", "step": mark.step}
            rows.append(_event_row(ticket.id, at, "escalated", actor, data))
        if rows:
            await conn.execute(insert(ticket_events), rows)
        return True

    async def due_for_sla(self, now: datetime, limit: int) -> list[Ticket]:
        async with self._engine.connect() as conn:
            found = (
                await conn.execute(
                    select(tickets)
                    .where(tickets.c.sla_next_at <= now, tickets.c.status.not_in(FINISHED_VALUES))
                    .order_by(tickets.c.sla_next_at)
                    .limit(limit)
                )
            ).all()
            if not found:
                return []
            events = (
                await conn.execute(
                    select(ticket_events)
                    .where(ticket_events.c.ticket_id.in_([row.id for row in found]))
                    .order_by(ticket_events.c.id)
                )
            ).all()
        by_ticket: dict[int, list[TicketEvent]] = {}
        for event in events:
            by_ticket.setdefault(event.ticket_id, []).append(_event_from(event))
        return [ticket_from(row, tuple(by_ticket.get(row.id, ()))) for row in found]

    async def search(self, query: TicketQuery) -> tuple[list[Ticket], int]:
        async with self._engine.connect() as conn:
            return await search_tickets(conn, query)

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
                await conn.execute(
                    select(ticket_calls.c.call_id)
                    .where(ticket_calls.c.ticket_id == ticket_id)
                    .order_by(ticket_calls.c.at)
                )
            ).scalars()
            return ticket_from(row, tuple(_event_from(e) for e in events), tuple(call_ids))
