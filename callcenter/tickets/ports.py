"""What the ticket service needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.core.work_calendar import WorkCalendar
from callcenter.tickets.models import (
    Actor,
    NewTicket,
    SlaMark,
    Ticket,
    TicketChange,
    TicketQuery,
    TicketType,
)


class CalendarSource(Protocol):
    """The working-day calendar in force (`CalendarService` implements it)."""

    async def calendar(self) -> WorkCalendar:
        """The calendar now (files, operators' versions over them)."""


class TicketRepository(Protocol):
    """Tickets, their events and their links to calls."""

    async def create(self, ticket: NewTicket, at: datetime) -> Ticket:
        """Store a ticket with a `created` event (and its call link); numbers are unique."""

    async def get(self, ticket_id: int) -> Ticket | None:
        """A ticket with events and linked calls."""

    async def find_open(self, type: TicketType, service_point_id: int) -> int | None:
        """The oldest open ticket of `type` for a service point."""

    async def change(self, ticket_id: int, change: TicketChange) -> bool:
        """Apply `change` and append its event (and call link) in one transaction; False
        when the ticket no longer has the expected status (nothing is written)."""

    async def mark_sla(
        self, marks: Sequence[tuple[Ticket, SlaMark]], at: datetime, actor: Actor
    ) -> list[int]:
        """Store each ticket's SLA columns with an event per level reached (and an
        `escalated` one after a breach) while its status and SLA columns are still the ones
        it was read with; the ids of the tickets stored."""

    async def due_for_sla(self, now: datetime, limit: int) -> list[Ticket]:
        """Up to `limit` unfinished tickets whose next SLA level is due by `now` (with
        their events), the longest due first."""

    async def search(self, query: TicketQuery) -> tuple[list[Ticket], int]:
        """One page of tickets (without events) and the number matching the filters."""
