"""What the ticket service needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.tickets.models import NewTicket, Ticket, TicketType


class TicketRepository(Protocol):
    """Tickets, their events and their links to calls."""

    async def create(self, ticket: NewTicket, at: datetime) -> Ticket:
        """Store a ticket with a `created` event (and its call link); numbers are unique."""

    async def get(self, ticket_id: int) -> Ticket | None:
        """A ticket with events and linked calls."""

    async def find_open(self, type: TicketType, service_point_id: int) -> int | None:
        """The oldest open ticket of `type` for a service point."""

    async def urge(self, ticket_id: int, call_id: str | None, actor: str, at: datetime) -> None:
        """Record a repeat contact (催办) on an open ticket and link the call."""
