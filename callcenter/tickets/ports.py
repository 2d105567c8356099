"""What the ticket service needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.tickets.models import NewTicket, Ticket


class TicketRepository(Protocol):
    """Tickets, their events and their links to calls."""

    async def create(self, ticket: NewTicket, at: datetime) -> Ticket:
        """Store a ticket with a `created` event (and its call link); numbers are unique."""

    async def get(self, ticket_id: int) -> Ticket | None:
        """A ticket with events and linked calls."""
