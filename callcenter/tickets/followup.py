"""回访, the pure rule: which tickets close only after a satisfaction callback, and whether a
ticket has had one since it was last resolved or reopened (read from its events).

A ticket of one of the pack's `callback_types` (fault repair, complaint) that is resolved
goes to `awaiting_callback` at once; it may close only after a satisfied callback, or after
the pack's number of unreachable ones (the centre then closes it as "callback unreachable").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.errors import ConflictError
from callcenter.core.ticket_rules import TicketRules
from callcenter.tickets.lifecycle import MOVES
from callcenter.tickets.models import (
    Milestone,
    Ticket,
    TicketChange,
    TicketEvent,
    TicketStatus,
    TicketType,
)

CALLBACK_EVENT = "callback"
# a callback may be recorded on these (resolved: stored before callbacks were required)
DUE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.AWAITING_CALLBACK})
_RESTARTS = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.AWAITING_CALLBACK, TicketStatus.REOPENED}
)


class CallbackOutcome(StrEnum):
    """What a callback found out."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"


class CallbackRequiredError(ConflictError):
    """Closing a ticket that still needs its satisfaction callback."""

    default_code = "callback-required"


class CallbackNotDueError(ConflictError):
    """A callback on a ticket that does not wait for one."""

    default_code = "callback-not-due"


@dataclass(frozen=True, slots=True)
class CallbackState:
    """The callbacks since the ticket was last resolved or reopened."""

    satisfied: bool = False
    unreachable: int = 0  # unreachable callbacks counted


def needs_callback(rules: TicketRules, type: TicketType) -> bool:
    """True when the pack closes tickets of `type` only after a callback."""
    return type.value in rules.callback_types


def awaits_callback(type: TicketType) -> bool:
    """True when the type's lifecycle has the `awaiting_callback` status (fault repair,
    complaint); another type the pack names waits for its callback while `resolved`."""
    return TicketStatus.AWAITING_CALLBACK in MOVES[type].get(TicketStatus.RESOLVED, ())


def _restarts(event: TicketEvent) -> bool:
    """A status change to resolved / awaiting callback / reopened, or the restored milestone."""
    if event.type == "status":
        return event.data.get("to") in _RESTARTS
    return event.type == "milestone" and event.data.get("milestone") == Milestone.RESTORED


def callback_state(ticket: Ticket) -> CallbackState:
    """What the callbacks since the last resolution or reopening found."""
    state = CallbackState()
    for event in ticket.events:
        if _restarts(event):
            state = CallbackState()
        elif event.type == CALLBACK_EVENT:
            outcome = event.data.get("outcome")
            if outcome == CallbackOutcome.SATISFIED:
                state = dataclasses.replace(state, satisfied=True)
            elif outcome == CallbackOutcome.UNREACHABLE:
                state = dataclasses.replace(state, unreachable=state.unreachable + 1)
    return state


def may_close(rules: TicketRules, ticket: Ticket) -> bool:
    """True unless the ticket still needs its callback: satisfied, or unreachable the pack's
    number of times."""
    if not needs_callback(rules, ticket.type):
        return True
    state = callback_state(ticket)
    return state.satisfied or state.unreachable >= rules.callback_unreachable_tries


def check_close(rules: TicketRules, ticket: Ticket) -> None:
    """Raise `CallbackRequiredError` (409) unless the ticket may close."""
    if not may_close(rules, ticket):
        raise CallbackRequiredError(
            f"ticket {ticket.number} closes after a satisfied callback "
            f"(or {rules.callback_unreachable_tries} unreachable ones): "
            "POST /api/tickets/{id}/callbacks"
        )


def check_due(rules: TicketRules, ticket: Ticket) -> None:
    """Raise `CallbackNotDueError` (409) unless the ticket waits for a callback."""
    if not needs_callback(rules, ticket.type):
        raise CallbackNotDueError(f"a {ticket.type} ticket needs no callback")
    if ticket.status not in DUE_STATUSES:
        raise CallbackNotDueError(
            f"ticket {ticket.number} is {ticket.status}: callbacks follow its resolution"
        )


def outcome_for_score(rules: TicketRules, score: int | None) -> CallbackOutcome:
    """A keyed rating's outcome: none is unreachable, from `callback_satisfied_from` up
    satisfied, below it unsatisfied."""
    if score is None:
        return CallbackOutcome.UNREACHABLE
    if score >= rules.callback_satisfied_from:
        return CallbackOutcome.SATISFIED
    return CallbackOutcome.UNSATISFIED


def guard(rules: TicketRules, ticket: Ticket, change: TicketChange) -> TicketChange:
    """Every change of a ticket passes here before it is stored: closing needs the callback
    (`CallbackRequiredError`), and resolving a ticket that needs one makes it await it."""
    if not needs_callback(rules, ticket.type):
        return change
    if change.status is TicketStatus.CLOSED:
        check_close(rules, ticket)
    if change.status is not TicketStatus.RESOLVED or not awaits_callback(ticket.type):
        return change
    data = {**change.data, "callback_due": True}
    if data.get("to") == TicketStatus.RESOLVED:
        data["to"] = TicketStatus.AWAITING_CALLBACK.value
    return dataclasses.replace(change, status=TicketStatus.AWAITING_CALLBACK, data=data)
