"""Open and read tickets."""

from __future__ import annotations

from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.events import NO_EVENTS, Event, EventSink  # webhooks (issue 15)
from callcenter.tickets.models import NewTicket, NoSuchTicketError, Ticket, TicketType
from callcenter.tickets.ports import TicketRepository

MAX_SUMMARY = 4000


class TicketService:
    """Ticket operations; SLA deadlines are computed by a later feature."""

    events: EventSink = NO_EVENTS  # webhooks (issue 15): set by setup_webhooks

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
        created = await self._repo.create(ticket, self._clock.now())
        await self.events.publish(Event.of("ticket.created", created))  # webhooks (issue 15)
        return created

    async def open_or_urge(self, ticket: NewTicket) -> Ticket:
        """A repeat fault report for a service point with an open fault ticket is an urge
        (催办) on that ticket, not a new one; anything else opens a ticket."""
        if ticket.type is TicketType.FAULT_REPAIR and ticket.service_point_id is not None:
            existing = await self._repo.find_open(ticket.type, ticket.service_point_id)
            if existing is not None:
                await self._repo.urge(
                    existing, ticket.call_id, ticket.created_by, self._clock.now()
                )
                return await self.get(existing)
        return await self.open(ticket)

    async def get(self, ticket_id: int) -> Ticket:
        """A ticket, or `NoSuchTicketError`."""
        ticket = await self._repo.get(ticket_id)
        if ticket is None:
            raise NoSuchTicketError(f"no ticket with id {ticket_id}")
        return ticket
