"""A ticket's deadlines: the one function the ticket service asks.

PLACEHOLDER: the figures below are a plain table of clock durations (an urban fault, calendar
days for the others) so that `due_at` and the milestone deadlines are stored and shown. The
SLA engine (policy pack rules, working days on the holiday calendar, paused clocks) replaces
the body of `deadlines` when it is merged; its signature stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from callcenter.tickets.models import Milestone, Ticket, TicketType

# placeholder: each fault milestone's deadline after the milestone it follows from
_FAULT_STEPS: tuple[tuple[Milestone, Milestone | None, timedelta], ...] = (
    (Milestone.ACCEPTED, None, timedelta(minutes=10)),
    (Milestone.DISPATCHED, None, timedelta(minutes=20)),
    (Milestone.DEPARTED, None, timedelta(minutes=30)),
    (Milestone.ARRIVED, None, timedelta(minutes=45)),  # urban crew arrival
    (Milestone.RESTORED, Milestone.ARRIVED, timedelta(hours=3)),  # urban, after arrival
    (Milestone.CLOSED, Milestone.RESTORED, timedelta(hours=24)),
)

# placeholder: calendar days from opening (the engine counts working days)
_DAYS: Mapping[TicketType, int] = {
    TicketType.CONSULTATION: 1,
    TicketType.SERVICE_REQUEST: 5,
    TicketType.COMPLAINT: 4,
    TicketType.REPORT: 9,
    TicketType.OPINION: 9,
    TicketType.SUGGESTION: 9,
}


@dataclass(frozen=True, slots=True)
class TicketDeadlines:
    """When the ticket is due, and (fault repairs) when each milestone is due."""

    due_at: datetime | None
    milestones: Mapping[Milestone, datetime] = field(default_factory=dict)


def _fault(ticket: Ticket) -> TicketDeadlines:
    reached = ticket.milestone_times()
    due: dict[Milestone, datetime] = {}
    for milestone, after, span in _FAULT_STEPS:
        start = ticket.created_at if after is None else reached.get(after, due[after])
        due[milestone] = start + span
    return TicketDeadlines(due[Milestone.RESTORED], due)


def deadlines(ticket: Ticket, now: datetime) -> TicketDeadlines:
    """The deadlines of `ticket` at `now` (PLACEHOLDER table, see the module docstring); a
    deadline given when the ticket was opened (a reconnection's 24 h) is kept."""
    del now  # the SLA engine pauses clocks up to now; the placeholder does not
    if ticket.type is TicketType.FAULT_REPAIR:
        return _fault(ticket)
    if ticket.due_at is not None:
        return TicketDeadlines(ticket.due_at)
    days = _DAYS.get(ticket.type)
    return TicketDeadlines(None if days is None else ticket.created_at + timedelta(days=days))
