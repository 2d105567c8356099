"""Open and read tickets."""

from __future__ import annotations

from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.tickets.models import NewTicket, NoSuchTicketError, Ticket
from callcenter.tickets.ports import TicketRepository

MAX_SUMMARY = 4000


class TicketService:
    """Ticket operations; SLA deadlines are computed by a later feature."""

    def __init__(self, repository: TicketRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def open(self, ticket: NewTicket) -> Ticket:
        """Create a ticket and link the call it came from."""
        if not ticket.summary.strip():
            raise InvalidInputError("a ticket needs a summary", code="invalid-ticket")
        if len(ticket.summary) > MAX_SUMMARY:
            raise InvalidInputError(
                f"a ticket summary has at most {MAX_SUMMARY} characters", code="invalid-ticket"
            )
        return await self._repo.create(ticket, self._clock.now())

    async def get(self, ticket_id: int) -> Ticket:
        """A ticket, or `NoSuchTicketError`."""
        ticket = await self._repo.get(ticket_id)
        if ticket is None:
            raise NoSuchTicketError(f"no ticket with id {ticket_id}")
        return ticket
