"""Status moves per ticket type and the fault milestones' order: tables over the pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.tickets import lifecycle
from callcenter.tickets.models import (
    InvalidTransitionError,
    Milestone,
    MilestoneOrderError,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)

S = TicketStatus
T = TicketType
M = Milestone
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

ALLOWED = [
    (T.CONSULTATION, S.OPEN, S.ACCEPTED, None),
    (T.CONSULTATION, S.OPEN, S.CLOSED, None),  # answered on the call
    (T.SERVICE_REQUEST, S.ACCEPTED, S.IN_PROGRESS, None),
    (T.SERVICE_REQUEST, S.IN_PROGRESS, S.AWAITING_CUSTOMER, None),
    (T.SERVICE_REQUEST, S.AWAITING_CUSTOMER, S.IN_PROGRESS, None),
    (T.SERVICE_REQUEST, S.RESOLVED, S.CLOSED, None),
    (T.SERVICE_REQUEST, S.RESOLVED, S.REOPENED, None),
    (T.REPORT, S.CLOSED, S.REOPENED, None),
    (T.OPINION, S.REOPENED, S.IN_PROGRESS, None),
    (T.SUGGESTION, S.OPEN, S.CANCELLED, None),
    (T.COMPLAINT, S.RESOLVED, S.AWAITING_CALLBACK, None),
    (T.COMPLAINT, S.AWAITING_CALLBACK, S.REOPENED, None),
    (T.PRAISE, S.OPEN, S.CLOSED, None),
    (T.FAULT_REPAIR, S.OPEN, S.CANCELLED, None),
    (T.FAULT_REPAIR, S.ACCEPTED, S.AWAITING_CUSTOMER, M.ACCEPTED),
    (T.FAULT_REPAIR, S.AWAITING_CUSTOMER, S.IN_PROGRESS, M.ARRIVED),  # back on site
    (T.FAULT_REPAIR, S.RESOLVED, S.AWAITING_CALLBACK, M.RESTORED),
    (T.FAULT_REPAIR, S.CLOSED, S.REOPENED, M.CLOSED),
]

REFUSED = [
    (T.CONSULTATION, S.CLOSED, S.IN_PROGRESS, None),
    (T.SERVICE_REQUEST, S.OPEN, S.CLOSED, None),  # only a consultation closes at once
    (T.SERVICE_REQUEST, S.CANCELLED, S.REOPENED, None),
    (T.SERVICE_REQUEST, S.OPEN, S.AWAITING_CALLBACK, None),
    (T.REPORT, S.RESOLVED, S.AWAITING_CALLBACK, None),
    (T.COMPLAINT, S.OPEN, S.OPEN, None),
    (T.PRAISE, S.OPEN, S.IN_PROGRESS, None),
    (T.PRAISE, S.CLOSED, S.REOPENED, None),
    (T.FAULT_REPAIR, S.OPEN, S.ACCEPTED, None),  # by the accepted milestone only
    (T.FAULT_REPAIR, S.ACCEPTED, S.DISPATCHED, M.ACCEPTED),
    (T.FAULT_REPAIR, S.AWAITING_CUSTOMER, S.IN_PROGRESS, M.DEPARTED),  # not arrived yet
    (T.FAULT_REPAIR, S.IN_PROGRESS, S.RESOLVED, M.ARRIVED),  # by the restored milestone
    (T.FAULT_REPAIR, S.DISPATCHED, S.CANCELLED, M.DISPATCHED),  # a crew is on its way
]


@pytest.mark.parametrize(("type", "current", "target", "milestone"), ALLOWED)
def test_allowed_moves(
    type: TicketType, current: TicketStatus, target: TicketStatus, milestone: Milestone | None
) -> None:
    lifecycle.check_transition(type, current, target, milestone)


@pytest.mark.parametrize(("type", "current", "target", "milestone"), REFUSED)
def test_refused_moves(
    type: TicketType, current: TicketStatus, target: TicketStatus, milestone: Milestone | None
) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        lifecycle.check_transition(type, current, target, milestone)
    assert caught.value.code == "invalid-ticket-transition"


def test_every_type_has_a_machine_and_nothing_leaves_cancelled() -> None:
    assert set(lifecycle.MOVES) == set(TicketType)
    assert all(not moves.get(S.CANCELLED) for moves in lifecycle.MOVES.values())


MILESTONE_STEPS = [
    (S.OPEN, None, M.ACCEPTED, S.ACCEPTED),
    (S.ACCEPTED, M.ACCEPTED, M.DISPATCHED, S.DISPATCHED),
    (S.DISPATCHED, M.DISPATCHED, M.DEPARTED, None),
    (S.AWAITING_CUSTOMER, M.DEPARTED, M.ARRIVED, S.IN_PROGRESS),
    (S.IN_PROGRESS, M.ARRIVED, M.RESTORED, S.RESOLVED),
    (S.AWAITING_CALLBACK, M.RESTORED, M.CLOSED, S.CLOSED),
    (S.REOPENED, M.ACCEPTED, M.DISPATCHED, S.DISPATCHED),
]


@pytest.mark.parametrize(("status", "current", "new", "becomes"), MILESTONE_STEPS)
def test_milestones_in_order_move_the_status(
    status: TicketStatus, current: Milestone | None, new: Milestone, becomes: TicketStatus | None
) -> None:
    assert lifecycle.check_milestone(T.FAULT_REPAIR, status, current, new) is becomes


MILESTONE_REFUSALS = [
    (T.FAULT_REPAIR, S.OPEN, None, M.DISPATCHED, "invalid-milestone"),
    (T.FAULT_REPAIR, S.DISPATCHED, M.DISPATCHED, M.ARRIVED, "invalid-milestone"),
    (T.FAULT_REPAIR, S.DISPATCHED, M.DISPATCHED, M.DISPATCHED, "invalid-milestone"),
    (T.FAULT_REPAIR, S.CLOSED, M.CLOSED, M.CLOSED, "invalid-milestone"),
    (T.FAULT_REPAIR, S.CANCELLED, M.ACCEPTED, M.DISPATCHED, "invalid-ticket-transition"),
    (T.FAULT_REPAIR, S.CANCELLED, M.DISPATCHED, M.DEPARTED, "invalid-ticket-transition"),
    (T.COMPLAINT, S.OPEN, None, M.ACCEPTED, "invalid-milestone"),
]


@pytest.mark.parametrize(("type", "status", "current", "new", "code"), MILESTONE_REFUSALS)
def test_milestones_out_of_order_are_refused(
    type: TicketType,
    status: TicketStatus,
    current: Milestone | None,
    new: Milestone,
    code: str,
) -> None:
    with pytest.raises((MilestoneOrderError, InvalidTransitionError)) as caught:
        lifecycle.check_milestone(type, status, current, new)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("current", "expected"),
    [(None, M.ACCEPTED), (M.ACCEPTED, M.DISPATCHED), (M.RESTORED, M.CLOSED), (M.CLOSED, None)],
)
def test_next_milestone(current: Milestone | None, expected: Milestone | None) -> None:
    assert lifecycle.next_milestone(current) is expected


def _fault(*events: TicketEvent) -> Ticket:
    return Ticket(
        1, "n", T.FAULT_REPAIR, None, S.OPEN, 0, None, None, 1, "没电", "ivr", START, None, None,
        events=events,
    )  # fmt: skip


def _reached(milestone: Milestone, minutes: int) -> TicketEvent:
    at = START + timedelta(minutes=minutes)
    return TicketEvent(at, "milestone", "crew", {"milestone": milestone, "at": at.isoformat()})


def test_reopening_restarts_the_milestone_run_after_acceptance() -> None:
    reopened = TicketEvent(START, "status", "x", {"from": "closed", "to": "reopened"})
    ticket = _fault(_reached(M.ACCEPTED, 1), _reached(M.ARRIVED, 30), reopened)
    assert set(ticket.milestone_times()) == {M.ACCEPTED}
    assert lifecycle.milestone_after_reopening(T.FAULT_REPAIR) is M.ACCEPTED
