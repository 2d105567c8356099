"""The SLA engine at its edges: exact thresholds, pauses over holidays, the 2025 National Day
week and its 调休 Saturday, clock deadlines across midnight, years with no calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.ticket_rules import (
    CN_TICKET_RULES,
    DeadlineRule,
    Limit,
    TicketKey,
    hours,
    minutes,
    working_days,
)
from callcenter.core.work_calendar import WorkCalendar, load_files
from callcenter.tickets.sla import (
    Deadline,
    Pause,
    SlaEvent,
    SlaState,
    deadline,
    due,
    due_events,
    elapsed_share,
    pauses_from_history,
    sla_state,
    start_clock,
    ticket_deadlines,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar(load_files(), SHANGHAI)
T0 = datetime(2025, 3, 4, 10, tzinfo=SHANGHAI)  # a Tuesday


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def rule(limit: Limit) -> DeadlineRule:
    return DeadlineRule("complaint", "answered", limit)


@pytest.mark.parametrize(
    ("limit", "opened", "expected"),
    [
        # on the clock, across midnight and across a holiday alike
        (minutes(45), local(2025, 3, 4, 23, 40), Deadline(local(2025, 3, 5, 0, 25))),
        (hours(24), local(2025, 9, 30, 18), Deadline(local(2025, 10, 1, 18))),
        # 4 working days from Monday 29 Sep 2025: 30 Sep, 9 Oct, 10 Oct, Saturday 11 Oct
        (working_days(4), local(2025, 9, 29, 15), Deadline(local(2025, 10, 12))),
        (working_days(9), local(2025, 9, 29, 15), Deadline(local(2025, 10, 18))),
        # 2 working days from Friday 24 Jan 2025: Sunday 26 Jan (调休), Monday 27 Jan
        (working_days(2), local(2025, 1, 24, 9), Deadline(local(2025, 1, 28))),
        # into 2027, which has no calendar: flagged
        (working_days(5), local(2026, 12, 28, 9), Deadline(local(2027, 1, 5), True)),
        (working_days(1), local(2026, 12, 30, 9), Deadline(local(2027, 1, 1))),  # 31 Dec
    ],
)
def test_deadline(limit: Limit, opened: datetime, expected: Deadline) -> None:
    assert deadline(rule(limit), opened, CALENDAR) == expected


# a 100-minute clock started at T0: every minute is one percent
CLOCK = start_clock(rule(minutes(100)), T0, CALENDAR)


@pytest.mark.parametrize(
    ("after", "state"),
    [
        (timedelta(0), SlaState.OK),
        (timedelta(minutes=70) - timedelta(microseconds=1), SlaState.OK),
        (timedelta(minutes=70), SlaState.WARN70),
        (timedelta(minutes=80) - timedelta(microseconds=1), SlaState.WARN70),
        (timedelta(minutes=80), SlaState.WARN80),
        (timedelta(minutes=90), SlaState.WARN90),
        (timedelta(minutes=100) - timedelta(microseconds=1), SlaState.WARN90),
        (timedelta(minutes=100), SlaState.BREACHED),
        (timedelta(days=3), SlaState.BREACHED),
    ],
)
def test_state_at_the_thresholds(after: timedelta, state: SlaState) -> None:
    assert sla_state(CLOCK, T0 + after) is state


# 1 working day from Friday 7 Mar 2025 00:00: due Tuesday 00:00, 48 working hours
FRIDAY = start_clock(rule(working_days(1)), local(2025, 3, 7), CALENDAR)


@pytest.mark.parametrize(
    ("now", "share", "state"),
    [
        (local(2025, 3, 7, 12), Fraction(1, 4), SlaState.OK),
        (local(2025, 3, 9, 23), Fraction(1, 2), SlaState.OK),  # the weekend costs nothing
        (local(2025, 3, 10, 9, 36), Fraction(7, 10), SlaState.WARN70),
        (local(2025, 3, 11), Fraction(1), SlaState.BREACHED),
    ],
)
def test_working_day_shares(now: datetime, share: Fraction, state: SlaState) -> None:
    assert (elapsed_share(FRIDAY, now), sla_state(FRIDAY, now)) == (share, state)


# 4 working days from Monday 29 Sep 2025 15:00 (due 12 Oct 00:00: 9 + 4 * 24 = 105 h),
# paused from 30 Sep 12:00 to 9 Oct 12:00 over the National Day week: 24 working hours
NATIONAL_DAY = start_clock(
    rule(working_days(4)),
    local(2025, 9, 29, 15),
    CALENDAR,
    [Pause(local(2025, 9, 30, 12), local(2025, 10, 9, 12))],
)


@pytest.mark.parametrize(
    ("now", "share"),
    [
        (local(2025, 9, 30, 12), Fraction(21, 105)),
        (local(2025, 10, 5, 12), Fraction(21, 105)),  # paused, and a holiday anyway
        (local(2025, 10, 9, 12), Fraction(21, 105)),
        (local(2025, 10, 12, 0), Fraction(81, 105)),  # the old deadline: 24 h left
        (local(2025, 10, 14, 0), Fraction(1)),  # Sunday 12 Oct off, Monday 13 Oct worked
    ],
)
def test_a_pause_over_the_national_day_week(now: datetime, share: Fraction) -> None:
    assert elapsed_share(NATIONAL_DAY, now) == share


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (CLOCK, Deadline(T0 + timedelta(minutes=100))),
        (NATIONAL_DAY, Deadline(local(2025, 10, 14))),
        (
            start_clock(rule(minutes(60)), T0, CALENDAR, [Pause(T0 + timedelta(minutes=50))]),
            None,  # still paused: the deadline moves with the pause
        ),
        (
            start_clock(  # two overlapping pauses count once, one before the start not at all
                rule(minutes(60)),
                local(2025, 3, 4, 23, 30),
                CALENDAR,
                [
                    Pause(local(2025, 3, 4, 23), local(2025, 3, 4, 23, 40)),
                    Pause(local(2025, 3, 5, 0, 10), local(2025, 3, 5, 0, 30)),
                    Pause(local(2025, 3, 5, 0, 20), local(2025, 3, 5, 0, 40)),
                ],
            ),
            Deadline(local(2025, 3, 5, 1, 10)),
        ),
    ],
)
def test_due_with_pauses(clock: object, expected: Deadline | None) -> None:
    assert due(clock) == expected  # type: ignore[arg-type]


def test_an_open_pause_stops_the_clock() -> None:
    paused = start_clock(rule(minutes(60)), T0, CALENDAR, [Pause(T0 + timedelta(minutes=50))])
    assert sla_state(paused, T0 + timedelta(days=2)) is SlaState.WARN80
    assert elapsed_share(paused, T0 + timedelta(days=2)) == Fraction(5, 6)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


@pytest.mark.parametrize(
    ("since", "until", "events"),
    [
        (at(0), at(69), ()),
        (at(65), at(95), ((SlaState.WARN70, 70), (SlaState.WARN80, 80), (SlaState.WARN90, 90))),
        (at(70), at(75), ()),  # reached at the sweep at 70: not again
        (at(69), at(70), ((SlaState.WARN70, 70),)),
        (
            at(0),
            at(500),
            (
                (SlaState.WARN70, 70),
                (SlaState.WARN80, 80),
                (SlaState.WARN90, 90),
                (SlaState.BREACHED, 100),
            ),
        ),
        (at(100), at(500), ()),
    ],
)
def test_due_events(
    since: datetime, until: datetime, events: tuple[tuple[SlaState, int], ...]
) -> None:
    expected = tuple(SlaEvent(state, at(minute)) for state, minute in events)
    assert due_events(CLOCK, since, until) == expected


def test_due_events_of_a_paused_clock_are_dated_after_the_pause() -> None:
    clock = start_clock(rule(minutes(100)), T0, CALENDAR, [Pause(at(60), at(120))])
    assert due_events(clock, at(60), at(200)) == (
        SlaEvent(SlaState.WARN70, at(130)),
        SlaEvent(SlaState.WARN80, at(140)),
        SlaEvent(SlaState.WARN90, at(150)),
        SlaEvent(SlaState.BREACHED, at(160)),
    )


def test_a_working_day_breach_is_dated_at_the_deadline() -> None:
    events = due_events(NATIONAL_DAY, local(2025, 10, 12), local(2025, 10, 20))
    assert events[-1] == SlaEvent(SlaState.BREACHED, local(2025, 10, 14))


@pytest.mark.parametrize(
    ("changes", "pauses"),
    [
        ((), ()),
        (((at(0), "open"), (at(5), "in_progress")), ()),
        (
            ((at(0), "open"), (at(5), "awaiting_customer"), (at(9), "in_progress")),
            (Pause(at(5), at(9)),),
        ),
        (
            ((at(5), "awaiting_customer"), (at(6), "awaiting_customer"), (at(9), "closed")),
            (Pause(at(5), at(9)),),
        ),
        (((at(5), "awaiting_customer"),), (Pause(at(5)),)),
    ],
)
def test_pauses_from_history(
    changes: tuple[tuple[datetime, str], ...], pauses: tuple[Pause, ...]
) -> None:
    assert pauses_from_history(changes, frozenset({"awaiting_customer"})) == pauses


@pytest.mark.parametrize(
    ("key", "opened", "expected"),
    [
        (
            TicketKey("complaint", "service"),
            local(2025, 9, 30, 20),  # the eve of National Day: 9, 10, Saturday 11, 13 Oct
            {
                "contacted": Deadline(local(2025, 10, 1, 20)),
                "answered": Deadline(local(2025, 10, 14)),
            },
        ),
        (
            TicketKey("fault_repair", area="urban"),
            T0,
            {"arrived": Deadline(T0 + timedelta(minutes=45))},
        ),
        (TicketKey("praise"), T0, {}),
    ],
)
def test_ticket_deadlines(key: TicketKey, opened: datetime, expected: dict[str, Deadline]) -> None:
    assert ticket_deadlines(CN_TICKET_RULES, key, opened, CALENDAR) == expected
