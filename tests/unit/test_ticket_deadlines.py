"""A ticket's deadlines from the pack's rules on the real working-day calendar (one table per
rule), the clock paused while waiting on the customer, a reopening's new run, and the SLA
levels announced once each, per step, with the breach escalating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.ticket_rules import CN_TICKET_RULES
from callcenter.core.work_calendar import WorkCalendar, load_files
from callcenter.tickets.deadlines import TicketDeadlines, deadlines
from callcenter.tickets.models import Ticket, TicketEvent, TicketStatus, TicketType
from callcenter.tickets.sla import SlaState
from callcenter.tickets.sla_marks import sla_mark

BEIJING = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar(load_files(), BEIJING)
T, S = TicketType, TicketStatus


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


OPENED = local(2025, 9, 30, 10, 0)  # a Tuesday, the day before the National Day holidays


def ticket(
    type: TicketType,
    subtype: str | None = None,
    area_class: str | None = None,
    events: tuple[TicketEvent, ...] = (),
    status: TicketStatus = S.OPEN,
    **more: Any,
) -> Ticket:
    return Ticket(
        1, "n", type, subtype, status, 0, None, None, None, "s", "a", OPENED, None, None,
        events=events, area_class=area_class, **more,
    )  # fmt: skip


def status(to: TicketStatus, at: datetime) -> TicketEvent:
    return TicketEvent(at, "status", "agent", {"from": "x", "to": to.value})


def milestone(name: str, at: datetime) -> TicketEvent:
    return TicketEvent(at, "milestone", "crew", {"milestone": name, "at": at.isoformat()})


def found(t: Ticket, now: datetime = OPENED) -> TicketDeadlines:
    return deadlines(t, CN_TICKET_RULES, CALENDAR, now)


@pytest.mark.parametrize(
    ("type", "subtype", "area", "due"),
    [
        (T.FAULT_REPAIR, None, "urban", OPENED + timedelta(minutes=45)),  # crew on site
        (T.FAULT_REPAIR, None, "rural", OPENED + timedelta(minutes=90)),
        (T.FAULT_REPAIR, None, "remote", OPENED + timedelta(minutes=120)),
        (T.FAULT_REPAIR, None, None, OPENED + timedelta(minutes=90)),  # no area: rural
        (T.SERVICE_REQUEST, "reconnection", None, OPENED + timedelta(hours=24)),
        (T.SERVICE_REQUEST, "appliance_damage", None, OPENED + timedelta(hours=24)),
        # 1–8 October 2025 are holidays, Saturday 11 October a make-up working day:
        # the 4th working day after 30 September is Monday 13 October
        (T.SERVICE_REQUEST, "meter_fault", None, local(2025, 10, 14)),
        (T.SERVICE_REQUEST, "reading_anomaly", None, local(2025, 10, 16)),
        (T.SERVICE_REQUEST, "other", None, local(2025, 10, 15)),
        (T.COMPLAINT, "service", None, OPENED + timedelta(hours=24)),  # contact first
        (T.CONSULTATION, None, None, local(2025, 10, 10)),  # 1 working day: 9 October
        (T.REPORT, None, None, local(2025, 10, 21)),  # 9 working days: 20 October
        (T.OPINION, None, None, local(2025, 10, 21)),
        (T.SUGGESTION, None, None, local(2025, 10, 21)),
        (T.PRAISE, None, None, None),  # no deadline
    ],
)
def test_each_rule_gives_the_ticket_its_deadline(
    type: TicketType, subtype: str | None, area: str | None, due: datetime | None
) -> None:
    assert found(ticket(type, subtype, area)).due_at == due


def test_a_complaint_once_contacted_is_held_to_its_answer_in_4_working_days() -> None:
    contacted = ticket(T.COMPLAINT, "service", events=(status(S.ACCEPTED, OPENED),))
    result = found(contacted)
    assert result.due_at == local(2025, 10, 14)
    assert result.current is not None and result.current.name == "answered"


def test_restoration_counts_from_the_crew_arrival() -> None:
    arrived = OPENED + timedelta(minutes=30)
    fault = ticket(
        T.FAULT_REPAIR, area_class="urban", events=(milestone("arrived", arrived),),
        status=S.IN_PROGRESS, milestone=None,
    )  # fmt: skip
    result = found(fault, arrived)
    assert result.due_at == arrived + timedelta(hours=3)
    assert {m.value for m in result.milestones} == {"arrived", "restored"}


def test_waiting_on_the_customer_stops_the_timer_and_moves_the_deadline_on() -> None:
    wait, back = OPENED + timedelta(hours=2), OPENED + timedelta(hours=5)
    waiting = ticket(T.SERVICE_REQUEST, "reconnection", events=(status(S.AWAITING_CUSTOMER, wait),))
    paused = found(waiting, wait + timedelta(hours=1))
    assert paused.paused and paused.due_at is None
    resumed = ticket(
        T.SERVICE_REQUEST,
        "reconnection",
        events=(status(S.AWAITING_CUSTOMER, wait), status(S.IN_PROGRESS, back)),
    )
    assert found(resumed, back).due_at == OPENED + timedelta(hours=24 + 3)


def test_a_reopened_ticket_starts_a_new_run() -> None:
    reopened_at = OPENED + timedelta(days=20)
    events = (status(S.RESOLVED, OPENED + timedelta(days=1)), status(S.REOPENED, reopened_at))
    reopened = ticket(T.SERVICE_REQUEST, "reconnection", events=events, status=S.REOPENED)
    assert found(reopened, reopened_at).due_at == reopened_at + timedelta(hours=24)


def test_a_deadline_given_at_the_opening_is_kept() -> None:
    given = OPENED + timedelta(hours=20)
    created = TicketEvent(OPENED, "created", "x", {"due_at": given.isoformat()})
    assert found(ticket(T.SERVICE_REQUEST, "reconnection", events=(created,))).due_at == given


def test_a_resolved_ticket_runs_no_clock() -> None:
    done = ticket(T.REPORT, events=(status(S.RESOLVED, OPENED),), status=S.RESOLVED)
    result = found(done, OPENED + timedelta(days=30))
    assert result.current is None and result.due_at == local(2025, 10, 21)


# --- levels: announced once each, per step, with the moment reached; the breach escalates


def test_levels_passed_since_the_last_look_are_announced_with_their_moments() -> None:
    fault = ticket(T.FAULT_REPAIR, area_class="urban")  # 45 minutes to arrive
    mark = sla_mark(fault, found(fault, OPENED + timedelta(minutes=41)))
    assert [(r.state, r.at) for r in mark.reached] == [
        (SlaState.WARN70, OPENED + timedelta(minutes=31.5)),
        (SlaState.WARN80, OPENED + timedelta(minutes=36)),
        (SlaState.WARN90, OPENED + timedelta(minutes=40.5)),
    ]
    assert mark.state is SlaState.WARN90 and not mark.escalates
    assert mark.next_at == OPENED + timedelta(minutes=45)


def test_a_level_already_announced_is_not_announced_again_and_the_breach_escalates() -> None:
    fault = ticket(T.FAULT_REPAIR, area_class="urban", sla_state="warn90", sla_step="arrived")
    again = sla_mark(fault, found(fault, OPENED + timedelta(minutes=44)))
    assert again.reached == () and again.state is SlaState.WARN90
    late = sla_mark(fault, found(fault, OPENED + timedelta(minutes=46)))
    assert [r.state for r in late.reached] == [SlaState.BREACHED]
    assert late.escalates and late.next_at is None
    assert [r.event for r in late.reached] == ["sla_breached"]


def test_the_next_step_starts_from_ok() -> None:
    contacted = ticket(
        T.COMPLAINT, "service", events=(status(S.ACCEPTED, OPENED),),
        sla_state="breached", sla_step="contacted",
    )  # fmt: skip
    mark = sla_mark(contacted, found(contacted))
    assert (mark.step, mark.state, mark.reached) == ("answered", SlaState.OK, ())


def test_a_paused_ticket_is_not_looked_at_until_it_moves() -> None:
    waiting = ticket(T.REPORT, events=(status(S.AWAITING_CUSTOMER, OPENED),))
    mark = sla_mark(waiting, found(waiting, OPENED + timedelta(days=40)))
    assert mark.next_at is None and mark.due_at is None and mark.reached == ()
