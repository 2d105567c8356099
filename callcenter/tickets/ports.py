"""What the ticket service needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.tickets.models import (
    NewTicket,
    Ticket,
    TicketChange,
    TicketQuery,
    TicketType,
)


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

    async def search(self, query: TicketQuery) -> tuple[list[Ticket], int]:
        """One page of tickets (without events) and the number matching the filters."""
