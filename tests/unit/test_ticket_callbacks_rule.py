"""回访, the pure rule: which tickets need a callback, what the callbacks since the last
resolution found, when closing is allowed, and what resolving a ticket becomes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.core.errors import InvalidInputError
from callcenter.core.ticket_rules import CN_TICKET_RULES
from callcenter.tickets import followup
from callcenter.tickets.callbacks import Callback
from callcenter.tickets.followup import (
    CallbackNotDueError,
    CallbackOutcome,
    CallbackRequiredError,
    CallbackState,
)
from callcenter.tickets.models import (
    Actor,
    Ticket,
    TicketChange,
    TicketEvent,
    TicketStatus,
    TicketType,
)

S = TicketStatus
T = TicketType
O = CallbackOutcome  # noqa: E741
AT = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
RULES = CN_TICKET_RULES


def _event(type: str, **data: Any) -> TicketEvent:
    return TicketEvent(AT, type, "agent1", data)


UNREACHABLE = _event("callback", outcome="unreachable")
SATISFIED = _event("callback", outcome="satisfied")
RESOLVED = _event("status", to="awaiting_callback", callback_due=True)
RESTORED = _event("milestone", milestone="restored")
REOPENED = _event("status", to="reopened")
COMMENT = _event("comment", text="x")


def _callback(outcome: CallbackOutcome) -> TicketEvent:
    return _event("callback", outcome=outcome.value)


def _ticket(
    type: TicketType = T.COMPLAINT, status: TicketStatus = S.AWAITING_CALLBACK, *events: TicketEvent
) -> Ticket:
    return Ticket(
        1, "2026031000000001", type, None, status, 0, 1, None, None, "x", "agent1", AT, None,
        None, events=events,
    )  # fmt: skip


def test_the_pack_names_fault_repairs_and_complaints() -> None:
    needed = {t for t in TicketType if followup.needs_callback(RULES, t)}
    assert needed == {T.FAULT_REPAIR, T.COMPLAINT}
    assert (RULES.callback_satisfied_from, RULES.callback_unreachable_tries) == (3, 3)


@pytest.mark.parametrize(
    ("events", "state"),
    [
        ((), CallbackState()),
        ((RESOLVED, _callback(O.SATISFIED)), CallbackState(satisfied=True)),
        ((RESOLVED, UNREACHABLE, COMMENT, UNREACHABLE), CallbackState(unreachable=2)),
        ((RESTORED, _callback(O.UNREACHABLE), _callback(O.SATISFIED)), CallbackState(True, 1)),
        ((RESOLVED, _callback(O.UNSATISFIED)), CallbackState()),
        # a reopening or a new resolution forgets the callbacks before it
        ((RESOLVED, _callback(O.SATISFIED), REOPENED), CallbackState()),
        ((_callback(O.UNREACHABLE),) * 3 + (RESTORED,), CallbackState()),
        ((RESOLVED, SATISFIED, REOPENED, RESOLVED, UNREACHABLE), CallbackState(unreachable=1)),
    ],
)  # fmt: skip
def test_callback_state_since_the_last_resolution(
    events: tuple[TicketEvent, ...], state: CallbackState
) -> None:
    assert followup.callback_state(_ticket(T.COMPLAINT, S.AWAITING_CALLBACK, *events)) == state


@pytest.mark.parametrize(
    ("type", "events", "allowed"),
    [
        (T.COMPLAINT, (RESOLVED,), False),
        (T.FAULT_REPAIR, (RESTORED,), False),
        (T.COMPLAINT, (RESOLVED, _callback(O.SATISFIED)), True),
        (T.FAULT_REPAIR, (RESTORED, _callback(O.UNSATISFIED)), False),
        (T.COMPLAINT, (RESOLVED,) + (_callback(O.UNREACHABLE),) * 2, False),
        (T.COMPLAINT, (RESOLVED,) + (_callback(O.UNREACHABLE),) * 3, True),  # the pack's 3
        (T.COMPLAINT, (RESOLVED, _callback(O.SATISFIED), REOPENED, RESOLVED), False),
        (T.CONSULTATION, (), True),
        (T.SERVICE_REQUEST, (), True),
        (T.PRAISE, (), True),
    ],
)
def test_may_close(type: TicketType, events: tuple[TicketEvent, ...], allowed: bool) -> None:
    ticket = _ticket(type, S.AWAITING_CALLBACK, *events)
    assert followup.may_close(RULES, ticket) is allowed
    if not allowed:
        with pytest.raises(CallbackRequiredError) as raised:
            followup.check_close(RULES, ticket)
        assert (raised.value.status, raised.value.code) == (409, "callback-required")


def test_a_site_pack_sets_its_own_types_and_tries() -> None:
    site = dataclasses.replace(
        RULES, callback_types=frozenset({"complaint"}), callback_unreachable_tries=1
    )
    assert followup.may_close(site, _ticket(T.FAULT_REPAIR, S.RESOLVED))
    unreachable = _ticket(T.COMPLAINT, S.AWAITING_CALLBACK, RESOLVED, _callback(O.UNREACHABLE))
    assert followup.may_close(site, unreachable)


def _change(status: TicketStatus | None, **data: Any) -> TicketChange:
    return TicketChange("status", Actor("agent1"), AT, S.IN_PROGRESS, data=data, status=status)


@pytest.mark.parametrize(
    ("type", "status", "becomes", "to"),
    [
        (T.COMPLAINT, S.RESOLVED, S.AWAITING_CALLBACK, "awaiting_callback"),
        (T.FAULT_REPAIR, S.RESOLVED, S.AWAITING_CALLBACK, "awaiting_callback"),
        (T.COMPLAINT, S.IN_PROGRESS, S.IN_PROGRESS, "in_progress"),
        (T.COMPLAINT, S.REOPENED, S.REOPENED, "reopened"),
        (T.SERVICE_REQUEST, S.RESOLVED, S.RESOLVED, "resolved"),
        (T.COMPLAINT, None, None, None),
    ],
)
def test_resolving_a_ticket_that_needs_a_callback_makes_it_wait(
    type: TicketType, status: TicketStatus | None, becomes: TicketStatus | None, to: str | None
) -> None:
    change = _change(status, to=None if status is None else status.value)
    guarded = followup.guard(RULES, _ticket(type, S.IN_PROGRESS), change)
    assert (guarded.status, guarded.data["to"]) == (becomes, to)
    assert guarded.data.get("callback_due", False) is (becomes is S.AWAITING_CALLBACK)


def test_a_type_without_the_awaiting_status_waits_while_resolved() -> None:
    site = dataclasses.replace(RULES, callback_types=frozenset({"service_request"}))
    change = _change(S.RESOLVED, to="resolved")
    assert followup.guard(site, _ticket(T.SERVICE_REQUEST, S.IN_PROGRESS), change) is change
    with pytest.raises(CallbackRequiredError):
        followup.guard(site, _ticket(T.SERVICE_REQUEST, S.RESOLVED), _change(S.CLOSED))


@pytest.mark.parametrize(
    ("events", "refused"),
    [((RESOLVED,), True), ((RESOLVED, _callback(O.SATISFIED)), False)],
)
def test_closing_passes_the_guard_only_after_the_callback(
    events: tuple[TicketEvent, ...], refused: bool
) -> None:
    ticket = _ticket(T.FAULT_REPAIR, S.AWAITING_CALLBACK, *events)
    if refused:
        with pytest.raises(CallbackRequiredError):
            followup.guard(RULES, ticket, _change(S.CLOSED))
    else:
        assert followup.guard(RULES, ticket, _change(S.CLOSED)).status is S.CLOSED


@pytest.mark.parametrize(
    ("type", "status", "due"),
    [
        (T.COMPLAINT, S.AWAITING_CALLBACK, True),
        (T.FAULT_REPAIR, S.RESOLVED, True),  # resolved before callbacks were required
        (T.COMPLAINT, S.IN_PROGRESS, False),
        (T.FAULT_REPAIR, S.CLOSED, False),
        (T.CONSULTATION, S.RESOLVED, False),
    ],
)
def test_a_callback_is_due_after_the_resolution(
    type: TicketType, status: TicketStatus, due: bool
) -> None:
    if due:
        followup.check_due(RULES, _ticket(type, status))
    else:
        with pytest.raises(CallbackNotDueError) as raised:
            followup.check_due(RULES, _ticket(type, status))
        assert raised.value.code == "callback-not-due"


@pytest.mark.parametrize(
    ("score", "outcome"),
    [
        (None, O.UNREACHABLE),
        (1, O.UNSATISFIED),
        (2, O.UNSATISFIED),
        (3, O.SATISFIED),
        (5, O.SATISFIED),
    ],
)
def test_a_keyed_rating_gives_the_outcome(score: int | None, outcome: CallbackOutcome) -> None:
    assert followup.outcome_for_score(RULES, score) is outcome


@pytest.mark.parametrize(
    ("outcome", "score", "note"),
    [
        (O.SATISFIED, None, None),
        (O.UNSATISFIED, None, None),
        (O.SATISFIED, 0, None),
        (O.UNREACHABLE, 6, None),
        (O.UNREACHABLE, None, "x" * 4001),
    ],
)
def test_a_callback_is_checked(
    outcome: CallbackOutcome, score: int | None, note: str | None
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        Callback(outcome, score, note)
    assert raised.value.code == "invalid-callback"
