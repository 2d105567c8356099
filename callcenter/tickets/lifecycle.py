"""The pure rules of a ticket's life: status moves per type and the fault milestones' order.

A fault repair's status follows its milestones (accepted, dispatched, arrived → in progress,
restored → resolved, closed): those statuses are reached by recording the milestone, or, once
the milestone of the current run is behind the ticket, by a status change (back from waiting
on the customer). A reopening restarts the run after `accepted`.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.tickets.models import (
    InvalidTransitionError,
    Milestone,
    MilestoneOrderError,
    TicketStatus,
    TicketType,
)

S = TicketStatus
Moves = Mapping[TicketStatus, frozenset[TicketStatus]]

_GENERAL: Moves = {
    S.OPEN: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.AWAITING_CUSTOMER, S.RESOLVED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.AWAITING_CUSTOMER, S.RESOLVED, S.CANCELLED}),
    S.AWAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.AWAITING_CUSTOMER, S.RESOLVED}),
    S.CLOSED: frozenset({S.REOPENED}),
}

# answered on the call: a consultation may close at once
_CONSULTATION: Moves = {**_GENERAL, S.OPEN: _GENERAL[S.OPEN] | {S.CLOSED}}

# a complaint waits for its callback (回访) before closing; an unsatisfied one reopens
_COMPLAINT: Moves = {
    **_GENERAL,
    S.RESOLVED: frozenset({S.AWAITING_CALLBACK, S.CLOSED, S.REOPENED}),
    S.AWAITING_CALLBACK: frozenset({S.CLOSED, S.REOPENED}),
}

_FAULT: Moves = {
    S.OPEN: frozenset({S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.DISPATCHED, S.AWAITING_CUSTOMER, S.RESOLVED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.IN_PROGRESS, S.AWAITING_CUSTOMER, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.AWAITING_CUSTOMER, S.RESOLVED}),
    S.AWAITING_CUSTOMER: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.AWAITING_CALLBACK, S.CLOSED, S.REOPENED}),
    S.AWAITING_CALLBACK: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.AWAITING_CUSTOMER, S.RESOLVED}),
    S.CLOSED: frozenset({S.REOPENED}),
}

_PRAISE: Moves = {
    S.OPEN: frozenset({S.ACCEPTED, S.CLOSED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.CLOSED, S.CANCELLED}),
}

MOVES: Mapping[TicketType, Moves] = {
    TicketType.FAULT_REPAIR: _FAULT,
    TicketType.CONSULTATION: _CONSULTATION,
    TicketType.SERVICE_REQUEST: _GENERAL,
    TicketType.COMPLAINT: _COMPLAINT,
    TicketType.REPORT: _GENERAL,
    TicketType.OPINION: _GENERAL,
    TicketType.SUGGESTION: _GENERAL,
    TicketType.PRAISE: _PRAISE,
}

MILESTONES: tuple[Milestone, ...] = tuple(Milestone)

# the status a fault repair takes when a milestone is recorded (departing changes none)
MILESTONE_STATUS: Mapping[Milestone, TicketStatus] = {
    Milestone.ACCEPTED: S.ACCEPTED,
    Milestone.DISPATCHED: S.DISPATCHED,
    Milestone.ARRIVED: S.IN_PROGRESS,
    Milestone.RESTORED: S.RESOLVED,
    Milestone.CLOSED: S.CLOSED,
}
_STATUS_MILESTONE = {status: milestone for milestone, status in MILESTONE_STATUS.items()}


def _reached(current: Milestone | None, milestone: Milestone) -> bool:
    return current is not None and MILESTONES.index(current) >= MILESTONES.index(milestone)


def check_transition(
    type: TicketType, current: TicketStatus, target: TicketStatus, milestone: Milestone | None
) -> None:
    """Raise `InvalidTransitionError` unless a `type` ticket may go `current` → `target`
    by a status change (`milestone`: the last one of a fault repair's current run)."""
    if target not in MOVES[type].get(current, frozenset()):
        raise InvalidTransitionError(f"a {type} ticket cannot go from {current} to {target}")
    needed = _STATUS_MILESTONE.get(target) if type is TicketType.FAULT_REPAIR else None
    if needed is not None and not _reached(milestone, needed):
        raise InvalidTransitionError(
            f"a fault repair becomes {target} when its milestone {needed} is recorded"
        )


def next_milestone(current: Milestone | None) -> Milestone | None:
    """The milestone that may be recorded next (None after `closed`)."""
    if current is None:
        return MILESTONES[0]
    position = MILESTONES.index(current) + 1
    return MILESTONES[position] if position < len(MILESTONES) else None


def check_milestone(
    type: TicketType, status: TicketStatus, current: Milestone | None, new: Milestone
) -> TicketStatus | None:
    """The status that recording `new` gives the ticket (None: unchanged); raise
    `MilestoneOrderError` when out of order and `InvalidTransitionError` when the status
    may not follow."""
    if type is not TicketType.FAULT_REPAIR:
        raise MilestoneOrderError(f"a {type} ticket has no milestones")
    expected = next_milestone(current)
    if new is not expected:
        raise MilestoneOrderError(
            f"milestone {new} is out of order: the next one is {expected or 'none (closed)'}"
        )
    target = MILESTONE_STATUS.get(new)
    if target is None or target is status:
        if status in (S.CLOSED, S.CANCELLED):
            raise InvalidTransitionError(f"a {status} ticket records no milestones")
        return None
    if target not in MOVES[type].get(status, frozenset()):
        raise InvalidTransitionError(f"a {type} ticket cannot go from {status} to {target}")
    return target


def milestone_after_reopening(type: TicketType) -> Milestone | None:
    """Where a reopened ticket's milestone run restarts: a fault keeps its acceptance."""
    return Milestone.ACCEPTED if type is TicketType.FAULT_REPAIR else None
