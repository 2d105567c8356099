"""催办 (urges): a call from a customer with open tickets is a repeat contact about each of
them, recorded as one `urge` event per ticket and call (never twice for one call), with the
call linked to the ticket; the count tells the desk which call about the ticket this is."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from callcenter.core.errors import CallcenterError, ConflictError
from callcenter.tickets.models import FINISHED, IVR_ACTOR, Ticket
from callcenter.tickets.service import TicketService

log = logging.getLogger(__name__)

URGE = "urge"
# routing bands, most urgent first: 0 hazard, 1 important, 2 vulnerable, 3 normal
HAZARD_BAND, HIGHEST_URGED_BAND = 0, 1


@dataclass(frozen=True, slots=True)
class Urge:
    """A ticket a call urges, and which call about the ticket it is (the report that opened
    it being the first: the first urge is the 2nd call)."""

    ticket_id: int
    number: str
    call_no: int

    def to_json(self) -> dict[str, Any]:
        """As the IVR session and the screen-pop keep it."""
        return {"ticket_id": self.ticket_id, "number": self.number, "call_no": self.call_no}


def call_no(urge_count: int) -> int:
    """Which call about a ticket the next urge is: the opening report is the first."""
    return urge_count + 2


def urged_band(band: int, boost: int) -> int:
    """The routing band of an urging caller's call: `boost` bands more urgent, never into
    the hazard band (a call already there, or above the highest urged band, stays)."""
    if band <= HIGHEST_URGED_BAND:
        return band
    return max(HIGHEST_URGED_BAND, band - max(boost, 0))


def _urged_by(ticket: Ticket, call_id: str) -> Urge | None:
    """The urge `call_id` already made on `ticket`, if any."""
    for event in ticket.events:
        if event.type == URGE and event.data.get("call_id") == call_id:
            number = int(event.data.get("call_no") or call_no(0))
            return Urge(ticket.id, ticket.number, number)
    return None


class TicketUrges:
    """Records urges through `TicketService.record` (the event, the call link, one more on
    `urge_count`, and `ticket.changed`)."""

    def __init__(self, tickets: TicketService) -> None:
        self._tickets = tickets

    async def urge(self, call_id: str, ticket_ids: Iterable[int]) -> tuple[Urge, ...]:
        """Urge each open ticket of `ticket_ids` once for `call_id`; the urges this call
        makes (also those it made before: asking again changes nothing). A ticket closed
        meanwhile, or the call already linked to it otherwise (it opened the ticket, or an
        agent attached it), is not urged."""
        urges: list[Urge] = []
        for ticket_id in dict.fromkeys(ticket_ids):
            try:
                urge = await self._urge_one(call_id, ticket_id)
            except CallcenterError as err:  # an urge must never stop the call
                log.warning("call %s: ticket %s not urged: %s", call_id, ticket_id, err.message)
                continue
            if urge is not None:
                urges.append(urge)
        return tuple(urges)

    async def _urge_one(self, call_id: str, ticket_id: int) -> Urge | None:
        for _ in range(2):  # a concurrent change of the ticket: read it again, once
            ticket = await self._tickets.get(ticket_id)
            done = _urged_by(ticket, call_id)
            if done is not None or ticket.status in FINISHED or call_id in ticket.call_ids:
                return done
            number = call_no(ticket.urge_count)
            data = {"call_id": call_id, "call_no": number}
            try:
                await self._tickets.record(
                    ticket.id, URGE, IVR_ACTOR, data, urged=True, call_id=call_id
                )
            except ConflictError:
                continue
            log.info("call %s urges ticket %s (call %d about it)", call_id, ticket.number, number)
            return Urge(ticket.id, ticket.number, number)
        return None
