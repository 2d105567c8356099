"""A ticket's deadlines (pure): its steps from the policy pack's rules, each with its clock on
the working-day calendar, where each stands, and the deadline the ticket is held to now.

A step is one deadline of the pack (`arrived`, `restored` for a fault repair; `contacted`,
`answered`, `done`, `on_site` for the others). It starts when the ticket is opened (or
reopened: a reopening starts a new run) or when the milestone it counts from is reached
(restoration counts from arrival), and it is reached when its milestone is recorded (fault
repairs) or when the ticket first takes a status that meets it (`STEP_MET`). Clocks stand
still while the ticket waits on the customer (the pack's pausing statuses). The ticket is
held to the earliest deadline of its running steps; while paused it has none (the timer
stands still), and with every step reached it keeps the last one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from callcenter.core.ticket_rules import DeadlineRule, TicketKey, TicketRules
from callcenter.core.work_calendar import WorkCalendar
from callcenter.tickets import sla
from callcenter.tickets.lifecycle import MILESTONE_STATUS
from callcenter.tickets.models import FINISHED, Milestone, Ticket, TicketStatus, TicketType
from callcenter.tickets.sla import Pause, SlaClock, SlaState

S = TicketStatus
_DONE = frozenset({S.RESOLVED, S.AWAITING_CALLBACK, S.CLOSED})
# the statuses that meet a step of a ticket that records no milestones
STEP_MET: Mapping[str, frozenset[TicketStatus]] = {
    "contacted": frozenset({S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_CUSTOMER}) | _DONE,
    "on_site": frozenset({S.IN_PROGRESS}) | _DONE,
    "answered": _DONE,
    "done": _DONE,
}


@dataclass(frozen=True, slots=True)
class Step:
    """One deadline of the ticket: started or not, reached or not, and its level (the level
    it had when reached, else the level now)."""

    name: str
    clock: SlaClock | None  # None: not started yet (its start milestone is not reached)
    reached_at: datetime | None
    state: SlaState
    due_at: datetime | None  # with the pauses so far; None while paused or not started
    calendar_missing: bool = False

    @property
    def running(self) -> bool:
        """Started and not reached."""
        return self.clock is not None and self.reached_at is None


@dataclass(frozen=True, slots=True)
class TicketDeadlines:
    """The ticket's steps, the deadline it is held to, and the step that sets it."""

    steps: tuple[Step, ...]
    due_at: datetime | None
    current: Step | None  # the running step due first (None: none runs)
    paused: bool = False

    @property
    def by_step(self) -> dict[str, datetime]:
        """Each step's deadline, where known."""
        return {s.name: s.due_at for s in self.steps if s.due_at is not None}

    @property
    def milestones(self) -> dict[Milestone, datetime]:
        """A fault repair's milestone deadlines."""
        names = {m.value for m in Milestone}
        return {Milestone(n): at for n, at in self.by_step.items() if n in names}

    @property
    def calendar_missing(self) -> bool:
        """A deadline was counted over a year with no working-day calendar."""
        return any(s.calendar_missing for s in self.steps)


def ticket_key(ticket: Ticket) -> TicketKey:
    """What the pack's rules look at."""
    return TicketKey(
        ticket.type.value,
        ticket.subtype,
        ticket.channel.value,
        ticket.customer_class,
        ticket.area_class,
    )


def status_history(ticket: Ticket) -> Iterator[tuple[datetime, TicketStatus]]:
    """The statuses the ticket took, oldest first (events that name the new status)."""
    yield ticket.created_at, S.OPEN
    for event in ticket.events:
        to = event.data.get("to")
        if to is None and "milestone" in event.data:
            to = MILESTONE_STATUS.get(Milestone(event.data["milestone"]))
        if to is not None and to in S.__members__.values():
            yield event.at, S(to)


History = tuple[tuple[datetime, TicketStatus], ...]


def run_start(history: History) -> datetime:
    """When the current run began: the last reopening, else the opening (the first entry)."""
    starts = [at for at, status in history if status is S.REOPENED]
    return starts[-1] if starts else history[0][0]


def given_deadline(ticket: Ticket) -> datetime | None:
    """A deadline given when the ticket was opened (a reconnection's 24 h)."""
    for event in ticket.events:
        if event.type == "created" and event.data.get("due_at"):
            return datetime.fromisoformat(event.data["due_at"])
    return None


def _reached(ticket: Ticket, name: str, context: _Context) -> datetime | None:
    if ticket.type is TicketType.FAULT_REPAIR and name in Milestone.__members__.values():
        return ticket.milestone_times().get(Milestone(name))
    met = STEP_MET.get(name, _DONE)
    return next((at for at, s in context.history if at >= context.since and s in met), None)


def _start(ticket: Ticket, rule: DeadlineRule, context: _Context) -> datetime | None:
    if rule.starts_at == "opened":
        return context.since
    return _reached(ticket, rule.starts_at, context)


def _step(ticket: Ticket, rule: DeadlineRule, given: datetime | None, context: _Context) -> Step:
    reached = _reached(ticket, rule.milestone, context)
    if reached is None and ticket.status in FINISHED:
        reached = ticket.closed_at or ticket.updated_at or context.now
    start = _start(ticket, rule, context)
    if start is None:
        return Step(rule.milestone, None, reached, SlaState.OK, None)
    clock = sla.start_clock(rule, start, context.calendar, context.pauses, context.warn)
    if given is not None:
        clock = dataclasses.replace(clock, due_at=given, working_days=False)
    at = reached or context.now
    due = sla.due(clock)
    return Step(
        rule.milestone,
        clock,
        reached,
        sla.sla_state(clock, at),
        None if due is None else due.at,
        due is not None and due.calendar_missing,
    )


@dataclass(frozen=True, slots=True)
class _Context:
    calendar: WorkCalendar
    history: History  # the statuses the ticket took
    since: datetime  # the current run's start
    pauses: tuple[Pause, ...]
    warn: tuple[int, int, int]
    now: datetime


def deadlines(
    ticket: Ticket, rules: TicketRules, calendar: WorkCalendar, now: datetime
) -> TicketDeadlines:
    """The ticket's steps and the deadline it is held to at `now`."""
    history = tuple(status_history(ticket))
    pauses = sla.pauses_from_history(
        ((at, status.value) for at, status in history), frozenset(rules.pausing_statuses)
    )
    since = run_start(history)
    context = _Context(calendar, history, since, pauses, rules.warn_percents, now)
    chosen = rules.deadlines_for(ticket_key(ticket))
    given = given_deadline(ticket)
    steps = tuple(
        _step(ticket, rule, given if rule is chosen[-1] else None, context) for rule in chosen
    )
    if not steps and given is not None:
        return TicketDeadlines((), given, None)
    running = [s for s in steps if s.running]
    timed = sorted((s for s in running if s.due_at is not None), key=lambda s: s.due_at or now)
    if timed:
        return TicketDeadlines(steps, timed[0].due_at, timed[0])
    if running:  # running with no deadline: paused, the deadlines move with the pause
        return TicketDeadlines(steps, None, running[0], paused=True)
    final = [s.due_at for s in steps if s.due_at is not None]
    return TicketDeadlines(steps, max(final) if final else ticket.due_at, None)
