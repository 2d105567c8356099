"""回访 use cases: record a satisfaction callback on a ticket (by an agent or a campaign call)
and list the tickets that wait for one.

A satisfied callback closes the ticket (with the resolution given, or one saying so); an
unsatisfied one reopens it and escalates it one level; an unreachable one leaves it awaiting
its callback, counted (`followup.may_close` lets the centre close it after the pack's number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from callcenter.core.errors import InvalidInputError
from callcenter.core.ticket_rules import TicketRules
from callcenter.tickets import followup
from callcenter.tickets.followup import CALLBACK_EVENT, CallbackOutcome
from callcenter.tickets.models import Actor, Ticket, TicketStatus
from callcenter.tickets.service import TicketService

MAX_NOTE = 4000


class DueCallbacks(Protocol):
    """Where the tickets awaiting a callback are found."""

    async def due(
        self, types: frozenset[str], statuses: frozenset[str], limit: int, offset: int
    ) -> tuple[list[Ticket], int]:
        """One page of the tickets of `types` in `statuses`, longest unchanged first, with
        their events; and how many there are."""


@dataclass(frozen=True, slots=True)
class Callback:
    """One callback's answer: `score` 1-5 (required unless unreachable)."""

    outcome: CallbackOutcome
    score: int | None = None
    note: str | None = None
    call_id: str | None = None
    via: str = "agent"  # agent (the desk task) or campaign (a satisfaction-callback call)
    resolution: str | None = None  # closing text when satisfied

    def __post_init__(self) -> None:
        if self.score is not None and not 1 <= self.score <= 5:
            raise InvalidInputError("a callback's score is 1 to 5", code="invalid-callback")
        if self.score is None and self.outcome is not CallbackOutcome.UNREACHABLE:
            raise InvalidInputError(
                f"a {self.outcome} callback needs a score from 1 to 5", code="invalid-callback"
            )
        if self.note is not None and len(self.note) > MAX_NOTE:
            raise InvalidInputError(
                f"a callback note has at most {MAX_NOTE} characters", code="invalid-callback"
            )

    def data(self) -> dict[str, Any]:
        """The `callback` event's data."""
        return {
            "outcome": self.outcome.value,
            "score": self.score,
            "note": self.note,
            "call_id": self.call_id,
            "via": self.via,
        }


def _resolution(callback: Callback) -> str:
    return callback.resolution or f"customer satisfied on callback (score {callback.score}/5)"


class CallbackService:
    """Satisfaction callbacks (回访) over the ticket service."""

    def __init__(self, tickets: TicketService, due: DueCallbacks, rules: TicketRules) -> None:
        self._tickets = tickets
        self._due = due
        self._rules = rules

    @property
    def tickets(self) -> TicketService:
        """The ticket service it records through."""
        return self._tickets

    @property
    def rules(self) -> TicketRules:
        """The pack's ticket rules in force."""
        return self._rules

    async def due(self, limit: int, offset: int) -> tuple[list[Ticket], int]:
        """The agent task: tickets awaiting their callback, longest unchanged first."""
        statuses = frozenset(s.value for s in followup.DUE_STATUSES)
        return await self._due.due(self._rules.callback_types, statuses, limit, offset)

    async def record(self, ticket_id: int, callback: Callback, actor: Actor) -> Ticket:
        """Store the `callback` event, then close (satisfied) or reopen and escalate
        (unsatisfied); an unreachable one moves a resolved ticket to awaiting its callback."""
        ticket = await self._tickets.get(ticket_id)
        followup.check_due(self._rules, ticket)
        values: dict[str, Any] = {}
        if callback.call_id is not None and callback.call_id not in ticket.call_ids:
            values["call_id"] = callback.call_id
        if ticket.status is TicketStatus.RESOLVED and followup.awaits_callback(ticket.type):
            values["status"] = TicketStatus.AWAITING_CALLBACK
        after = await self._tickets.record(
            ticket_id, CALLBACK_EVENT, actor, callback.data(), **values
        )
        if callback.outcome is CallbackOutcome.SATISFIED:
            return await self._tickets.close(ticket_id, _resolution(callback), actor)
        if callback.outcome is CallbackOutcome.UNSATISFIED:
            return await self._reopen(after, callback, actor)
        return after

    async def _reopen(self, ticket: Ticket, callback: Callback, actor: Actor) -> Ticket:
        note = f"unsatisfied on callback (score {callback.score}/5)"
        if callback.note:
            note = f"{note}: {callback.note}"
        await self._tickets.update(ticket.id, actor, status=TicketStatus.REOPENED, note=note)
        level = ticket.escalation_level + 1
        data = {"from": ticket.escalation_level, "to": level, "reason": "unsatisfied_callback"}
        return await self._tickets.record(
            ticket.id, "escalated", actor, data, escalation_level=level
        )
