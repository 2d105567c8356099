"""The SLA engine (pure): deadlines on the clock or in working days, clocks that pause while a
ticket waits on the customer, the warning levels and the breach.

A clock measures *active time* from its start: wall time for limits in minutes and hours,
working time (the whole local days the calendar says are worked) for limits in working
days, less the paused intervals in both cases. Its budget is the active time between the
start and the deadline of the rule, so a pause moves the deadline on by the time it took
(for working days: by the working time it took; a pause over a holiday costs nothing).
Levels are reached exactly at their share: 70 % of the budget used is `warn70`, all of it
is `breached`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from callcenter.core.ticket_rules import DeadlineRule, LimitUnit, TicketKey, TicketRules
from callcenter.core.work_calendar import WorkCalendar


class SlaState(StrEnum):
    """Where a clock stands, in increasing order of urgency."""

    OK = "ok"
    WARN70 = "warn70"
    WARN80 = "warn80"
    WARN90 = "warn90"
    BREACHED = "breached"


ORDER = tuple(SlaState)
DEFAULT_WARN_PERCENTS = (70, 80, 90)


@dataclass(frozen=True, slots=True)
class Pause:
    """An interval during which the clock stood still; `end` None: still paused."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a step is due; `calendar_missing` when working days were counted over a year
    with no calendar (weekends as the only days off: check it by hand)."""

    at: datetime
    calendar_missing: bool = False


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One deadline's clock: started at `started_at`, due at `due_at` before any pause."""

    started_at: datetime
    due_at: datetime
    calendar: WorkCalendar
    working_days: bool  # measure working time on the calendar, not wall time
    pauses: tuple[Pause, ...] = ()
    warn_percents: tuple[int, int, int] = DEFAULT_WARN_PERCENTS


@dataclass(frozen=True, slots=True)
class SlaEvent:
    """A level reached: a warning or the breach, and the moment it was reached."""

    state: SlaState
    at: datetime


def deadline(rule: DeadlineRule, opened_at: datetime, calendar: WorkCalendar) -> Deadline:
    """The rule's deadline for a step started at `opened_at` (no pauses yet)."""
    if rule.limit.unit is LimitUnit.MINUTES:
        return Deadline(opened_at + timedelta(minutes=rule.limit.amount))
    at = calendar.add_working_days(opened_at, rule.limit.amount)
    return Deadline(at, _missing(calendar, opened_at, at))


def _missing(calendar: WorkCalendar, start: datetime, end: datetime) -> bool:
    """True when a year with no calendar was counted (a deadline at midnight on 1 January
    counted no day of the new year)."""
    return bool(calendar.missing_between(start, end - timedelta(microseconds=1)))


def ticket_deadlines(
    rules: TicketRules, key: TicketKey, opened_at: datetime, calendar: WorkCalendar
) -> dict[str, Deadline]:
    """The deadline of each milestone that counts from the opening, by milestone; the
    others (restoration after arrival) start when their milestone is recorded."""
    return {
        r.milestone: deadline(r, opened_at, calendar)
        for r in rules.deadlines_for(key)
        if r.starts_at == "opened"
    }


def start_clock(
    rule: DeadlineRule,
    started_at: datetime,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    warn_percents: tuple[int, int, int] = DEFAULT_WARN_PERCENTS,
) -> SlaClock:
    """The clock of `rule` started at `started_at`, with the pauses so far."""
    due = deadline(rule, started_at, calendar)
    working = rule.limit.unit is LimitUnit.WORKING_DAYS
    return SlaClock(started_at, due.at, calendar, working, tuple(pauses), warn_percents)


def pauses_from_history(
    changes: Iterable[tuple[datetime, str]], pausing: frozenset[str]
) -> tuple[Pause, ...]:
    """The paused intervals of a ticket from its status changes `(at, new status)`, oldest
    first: paused from entering a pausing status until leaving for another one."""
    pauses: list[Pause] = []
    since: datetime | None = None
    for at, status in changes:
        if status in pausing and since is None:
            since = at
        elif status not in pausing and since is not None:
            pauses.append(Pause(since, at))
            since = None
    if since is not None:
        pauses.append(Pause(since))
    return tuple(pauses)


def _measure(clock: SlaClock, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return timedelta(0)
    if clock.working_days:
        return clock.calendar.working_time_between(start, end)
    return end - start


def _advance(clock: SlaClock, start: datetime, amount: timedelta) -> datetime:
    if clock.working_days:
        return clock.calendar.add_working_time(start, amount)
    return start + amount


def _intervals(clock: SlaClock, now: datetime | None) -> list[tuple[datetime, datetime | None]]:
    """The pauses from the clock's start on, merged, sorted, cut at `now` when given."""
    merged: list[tuple[datetime, datetime | None]] = []
    for pause in sorted(clock.pauses, key=lambda p: p.start):
        start, end = max(pause.start, clock.started_at), pause.end
        if now is not None:
            end = now if end is None else min(end, now)
            start = min(start, now)
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):  # overlapping
            last_end = merged[-1][1]
            later = None if last_end is None or end is None else max(last_end, end)
            merged[-1] = (merged[-1][0], later)
        elif end is None or end > start:
            merged.append((start, end))
    return merged


def budget(clock: SlaClock) -> timedelta:
    """The active time the rule allows."""
    return _measure(clock, clock.started_at, clock.due_at)


def used(clock: SlaClock, now: datetime) -> timedelta:
    """The active time spent by `now`: measured time less the paused intervals."""
    paused = sum(
        (_measure(clock, start, end or now) for start, end in _intervals(clock, now)),
        timedelta(0),
    )
    return _measure(clock, clock.started_at, now) - paused


def elapsed_share(clock: SlaClock, now: datetime) -> Fraction:
    """The share of the budget used by `now`, exact (1 is the deadline; above: overdue)."""
    total = budget(clock)
    if total <= timedelta(0):
        return Fraction(1)
    return Fraction(
        used(clock, now) // timedelta(microseconds=1), total // timedelta(microseconds=1)
    )


def _thresholds(clock: SlaClock) -> tuple[tuple[SlaState, int], ...]:
    return tuple(zip(ORDER[1:], (*clock.warn_percents, 100), strict=True))


def sla_state(clock: SlaClock, now: datetime) -> SlaState:
    """The highest level whose share the clock has reached by `now` (reached when exactly
    at it)."""
    share = elapsed_share(clock, now)
    reached = [state for state, percent in _thresholds(clock) if share * 100 >= percent]
    return reached[-1] if reached else SlaState.OK


def moment_of(clock: SlaClock, amount: timedelta) -> datetime | None:
    """When `amount` of active time will have been used, given the pauses known; None
    while a pause that has not ended stops the clock before then."""
    remaining, cursor = amount, clock.started_at
    for start, end in _intervals(clock, None):
        if start > cursor:
            segment = _measure(clock, cursor, start)
            if segment >= remaining:
                return _advance(clock, cursor, remaining)
            remaining -= segment
        if end is None:
            return None
        cursor = max(cursor, end)
    return _advance(clock, cursor, remaining)


def due(clock: SlaClock) -> Deadline | None:
    """The deadline with the pauses so far; None while paused (it moves with the pause)."""
    at = moment_of(clock, budget(clock))
    if at is None:
        return None
    return Deadline(at, clock.working_days and _missing(clock.calendar, clock.started_at, at))


def due_events(clock: SlaClock, since: datetime, until: datetime) -> tuple[SlaEvent, ...]:
    """The levels newly reached after a sweep at `since` and by one at `until`, each with
    the moment it was reached, lowest first."""
    return levels_between(clock, sla_state(clock, since), sla_state(clock, until))


def _percent_of(total: timedelta, percent: int) -> timedelta:
    """`percent` of `total`, rounded up to the microsecond (so the level holds then)."""
    micros = -(-(total // timedelta(microseconds=1)) * percent // 100)
    return timedelta(microseconds=micros)


def levels_between(clock: SlaClock, after: SlaState, upto: SlaState) -> tuple[SlaEvent, ...]:
    """The levels above `after` up to `upto`, each with the moment it was reached, lowest
    first (a moment not known while paused is None: such a level is not listed)."""
    total, low, high = budget(clock), ORDER.index(after), ORDER.index(upto)
    events = []
    for state, percent in _thresholds(clock):
        if low < ORDER.index(state) <= high:
            at = moment_of(clock, _percent_of(total, percent))
            if at is not None:
                events.append(SlaEvent(state, at))
    return tuple(events)


def next_level_at(clock: SlaClock, state: SlaState) -> datetime | None:
    """When the level after `state` will be reached, given the pauses known (None after the
    breach, or while a pause that has not ended stops the clock)."""
    for level, percent in _thresholds(clock):
        if ORDER.index(level) > ORDER.index(state):
            return moment_of(clock, _percent_of(budget(clock), percent))
    return None
