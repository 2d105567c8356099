"""Ticket use cases: open (or attach a repeat fault report), read, search, and every change,
each stored with an event naming its actor."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.core.clock import Clock
from callcenter.core.errors import ConflictError, InvalidInputError
from callcenter.core.events import NO_EVENTS, Event, EventSink
from callcenter.core.ticket_rules import CN_TICKET_RULES, TicketRules
from callcenter.core.work_calendar import WorkCalendar, load_files
from callcenter.tickets import followup, lifecycle  # followup: 回访 (callbacks)
from callcenter.tickets.deadlines import TicketDeadlines, deadlines
from callcenter.tickets.models import (
    FINISHED,
    Actor,
    Assignee,
    Milestone,
    NewTicket,
    NoSuchTicketError,
    Opened,
    SlaMark,
    Ticket,
    TicketChange,
    TicketQuery,
    TicketStatus,
    TicketType,
)
from callcenter.tickets.ports import CalendarSource, TicketRepository
from callcenter.tickets.sla_marks import sla_mark

MAX_SUMMARY = 4000
SLA_ACTOR = Actor("sla", "system")
CALENDAR_TTL = timedelta(seconds=60)  # an operator's calendar edit counts within a minute
# a change of these recomputes the ticket's deadlines
CLOCK_FIELDS = frozenset({"status", "milestone", "reopen"})


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


class FileCalendars:
    """The calendar files shipped in the pack, in the pack's time zone (no operators'
    versions): the calendar of tools that run without the calendar API."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self._calendar = WorkCalendar(load_files(), ZoneInfo(timezone))

    async def calendar(self) -> WorkCalendar:
        return self._calendar


class TicketService:
    """Ticket operations; deadlines come from the pack's rules on the working-day calendar
    (`callcenter.tickets.deadlines`), recomputed at each change of status or milestone."""

    events: EventSink = NO_EVENTS  # set by setup_webhooks

    def __init__(
        self,
        repository: TicketRepository,
        clock: Clock,
        calendars: CalendarSource | None = None,
        rules: TicketRules = CN_TICKET_RULES,
    ) -> None:
        self._repo = repository
        self._clock = clock
        self._calendars = calendars or FileCalendars()
        self.rules = rules
        self._calendar: tuple[datetime, WorkCalendar] | None = None

    async def calendar(self) -> WorkCalendar:
        """The working-day calendar in force (read again after `CALENDAR_TTL`)."""
        now = self._clock.now()
        if self._calendar is None or now - self._calendar[0] >= CALENDAR_TTL:
            self._calendar = (now, await self._calendars.calendar())
        return self._calendar[1]

    async def deadlines(self, ticket: Ticket) -> TicketDeadlines:
        """The ticket's deadlines now."""
        return deadlines(ticket, self.rules, await self.calendar(), self._clock.now())

    async def _marked(self, found: list[tuple[Ticket, SlaMark]]) -> int:
        """Store the SLA columns that changed and publish the levels reached; how many
        levels were announced."""
        changed = [(t, m) for t, m in found if not m.same_as(t)]
        if not changed:
            return 0
        applied = set(await self._repo.mark_sla(changed, self._clock.now(), SLA_ACTOR))
        announced = 0
        for ticket, mark in changed:
            if ticket.id not in applied:
                continue
            brief = dataclasses.replace(ticket, events=(), sla_state=mark.state.value)
            for level in mark.reached:
                data = {"ticket": brief, "step": level.step, "level": level.state.value}
                await self.events.publish(Event.of(level.webhook, data | {"at": level.at}))
                announced += 1
        return announced

    async def _refresh(self, ticket: Ticket) -> Ticket:
        """The ticket with its SLA columns brought up to date."""
        mark = sla_mark(ticket, await self.deadlines(ticket))
        if mark.same_as(ticket):
            return ticket
        await self._marked([(ticket, mark)])
        return await self.get(ticket.id)

    async def sweep(self, batch: int = 500, batches: int = 20) -> int:
        """Announce the SLA levels fallen due (warnings, breaches with their escalation),
        `batch` tickets at a time, at most `batches` times; how many levels were announced."""
        announced = 0
        for _ in range(batches):
            due = await self._repo.due_for_sla(self._clock.now(), batch)
            if due:
                calendar, now = await self.calendar(), self._clock.now()
                marks = [(t, sla_mark(t, deadlines(t, self.rules, calendar, now))) for t in due]
                announced += await self._marked(marks)
            if len(due) < batch:
                break
        return announced

    async def open(self, ticket: NewTicket) -> Ticket:
        """Create a ticket and link the call it came from."""
        if not ticket.summary.strip():
            raise InvalidInputError("a ticket needs a summary", code="invalid-ticket")
        if len(ticket.summary) > MAX_SUMMARY:
            raise InvalidInputError(
                f"a ticket summary has at most {MAX_SUMMARY} characters", code="invalid-ticket"
            )
        created = await self._refresh(await self._repo.create(ticket, self._clock.now()))
        await self.events.publish(Event.of("ticket.created", created))
        return created

    async def report(self, ticket: NewTicket) -> Opened:
        """One open outage report per service point: a fault report for a service point with
        an open fault ticket is attached to it (a `repeat_report` event and the call);
        anything else opens a ticket. The IVR and the API both report through here."""
        if ticket.type is TicketType.FAULT_REPAIR and ticket.service_point_id is not None:
            existing = await self._repo.find_open(ticket.type, ticket.service_point_id)
            if existing is not None:
                found = await self.get(existing)
                data = {"call_id": ticket.call_id, "channel": ticket.channel.value}
                if ticket.summary.strip():
                    data["summary"] = ticket.summary
                actor = ticket.actor or Actor(ticket.created_by)
                await self._apply(found, "repeat_report", actor, data, call_id=ticket.call_id)
                return Opened(await self.get(existing), attached=True)
        return Opened(await self.open(ticket))

    async def get(self, ticket_id: int) -> Ticket:
        """A ticket, or `NoSuchTicketError`."""
        ticket = await self._repo.get(ticket_id)
        if ticket is None:
            raise NoSuchTicketError(f"no ticket with id {ticket_id}")
        return ticket

    async def search(self, query: TicketQuery) -> tuple[list[Ticket], int]:
        """A page of tickets matching `query`, and how many match in all."""
        return await self._repo.search(query)

    def now(self) -> datetime:
        """The service's clock (what "overdue" is measured against)."""
        return self._clock.now()

    async def record(
        self, ticket_id: int, event: str, actor: Actor, data: dict[str, Any], **values: Any
    ) -> Ticket:
        """Store one change of `ticket_id` (the `TicketChange` fields in `values`) with its
        event, published as `ticket.changed`: the one way other use cases (urges, callbacks,
        the SLA sweep) change a ticket."""
        return await self._apply(await self.get(ticket_id), event, actor, data, **values)

    async def _apply(
        self, ticket: Ticket, event: str, actor: Actor, data: dict[str, Any], **values: Any
    ) -> Ticket:
        if values.get("status") not in (None, ticket.status):  # the status history
            data = {"from": ticket.status.value, "to": values["status"].value} | data
        change = TicketChange(event, actor, self._clock.now(), ticket.status, data=data, **values)
        change = followup.guard(self.rules, ticket, change)  # 回访 (callbacks)
        if not await self._repo.change(ticket.id, change):
            raise ConflictError(
                f"ticket {ticket.number} changed meanwhile; read it again", code="ticket-changed"
            )
        after = await self.get(ticket.id)
        if CLOCK_FIELDS & {k for k, v in values.items() if v}:
            after = await self._refresh(after)
        await self.events.publish(Event.of("ticket.changed", {"event": event, "ticket": after}))
        return after

    @staticmethod
    def _check_status(ticket: Ticket, target: TicketStatus) -> None:
        if target is TicketStatus.CLOSED:
            raise InvalidInputError(
                "close a ticket with POST /api/tickets/{id}/close and its resolution",
                code="resolution-required",
            )
        lifecycle.check_transition(ticket.type, ticket.status, target, ticket.milestone)

    @staticmethod
    def _check_assignable(ticket: Ticket) -> None:
        if ticket.status in FINISHED:
            raise ConflictError(f"ticket {ticket.number} is {ticket.status}", code="ticket-closed")

    async def update(
        self,
        ticket_id: int,
        actor: Actor,
        status: TicketStatus | None = None,
        note: str | None = None,
        assignee: Assignee | None = None,
    ) -> Ticket:
        """Assign (a person and/or a team; both empty: unassigned), then move to `status` as
        the ticket's type allows; both are checked before either is stored."""
        ticket = await self.get(ticket_id)
        if assignee is not None:
            self._check_assignable(ticket)
        if status is not None:
            self._check_status(ticket, status)
        if assignee is not None:
            ticket = await self._assign(ticket, assignee, actor)
        if status is not None:
            ticket = await self._set_status(ticket, status, actor, note)
        return ticket

    async def _set_status(
        self, ticket: Ticket, target: TicketStatus, actor: Actor, note: str | None
    ) -> Ticket:
        data = {"from": ticket.status.value, "to": target.value, "note": note}
        if target is TicketStatus.REOPENED:
            restart = lifecycle.milestone_after_reopening(ticket.type)
            return await self._apply(
                ticket, "status", actor, data, status=target, reopen=True, milestone=restart
            )
        return await self._apply(ticket, "status", actor, data, status=target)

    async def _assign(self, ticket: Ticket, assignee: Assignee, actor: Actor) -> Ticket:
        data = {
            "from": {"user_id": ticket.assignee_user_id, "team": ticket.assignee_team},
            "to": {"user_id": assignee.user_id, "team": assignee.team},
        }
        return await self._apply(ticket, "assigned", actor, data, assignee=assignee)

    async def comment(self, ticket_id: int, text: str, actor: Actor) -> Ticket:
        """Add a comment (searchable by the list's `text` filter)."""
        if not text.strip():
            raise InvalidInputError("a comment needs text", code="invalid-comment")
        ticket = await self.get(ticket_id)
        return await self._apply(ticket, "comment", actor, {"text": text})

    async def attach_call(self, ticket_id: int, call_id: str, actor: Actor) -> Ticket:
        """Link a call to the ticket (a call already linked changes nothing)."""
        ticket = await self.get(ticket_id)
        if call_id in ticket.call_ids:
            return ticket
        return await self._apply(
            ticket, "call_linked", actor, {"call_id": call_id}, call_id=call_id
        )

    async def close(self, ticket_id: int, resolution: str, actor: Actor) -> Ticket:
        """Close with a resolution; a fault repair records its `closed` milestone."""
        if not resolution.strip():
            raise InvalidInputError("closing needs a resolution", code="resolution-required")
        ticket = await self.get(ticket_id)
        now = self._clock.now()
        data: dict[str, Any] = {"from": ticket.status.value, "resolution": resolution}
        if ticket.type is TicketType.FAULT_REPAIR:
            lifecycle.check_milestone(
                ticket.type, ticket.status, ticket.milestone, Milestone.CLOSED
            )
            data |= await self._milestone_data(ticket, Milestone.CLOSED, now)
        else:
            lifecycle.check_transition(ticket.type, ticket.status, TicketStatus.CLOSED, None)
        milestone = Milestone.CLOSED if ticket.type is TicketType.FAULT_REPAIR else None
        return await self._apply(
            ticket, "closed", actor, data, status=TicketStatus.CLOSED, closed_at=now,
            resolution=resolution, milestone=milestone,
        )  # fmt: skip

    async def _milestone_data(
        self, ticket: Ticket, milestone: Milestone, at: datetime
    ) -> dict[str, Any]:
        due = (await self.deadlines(ticket)).milestones.get(milestone)
        late = due is not None and at > due
        return {
            "milestone": milestone.value,
            "at": at.isoformat(),
            "due_at": _iso(due),
            "late": late,
        }

    def _check_time(self, ticket: Ticket, at: datetime) -> None:
        times = ticket.milestone_times()
        earliest = max(times.values(), default=ticket.created_at)
        if at > self._clock.now() or at < earliest:
            raise InvalidInputError(
                f"a milestone's time lies between {earliest.isoformat()} and now",
                code="invalid-milestone-time",
            )

    async def record_milestone(
        self, ticket_id: int, milestone: Milestone, actor: Actor, at: datetime | None = None
    ) -> Ticket:
        """Record a fault repair's next milestone (in order only) with its time and deadline;
        the ticket's status follows it and its due time is recomputed."""
        if milestone is Milestone.CLOSED:
            raise InvalidInputError(
                "the closed milestone is recorded by POST /api/tickets/{id}/close",
                code="resolution-required",
            )
        ticket = await self.get(ticket_id)
        status = lifecycle.check_milestone(ticket.type, ticket.status, ticket.milestone, milestone)
        when = at or self._clock.now()
        self._check_time(ticket, when)
        data = await self._milestone_data(ticket, milestone, when)
        return await self._apply(
            ticket, "milestone", actor, data, status=status, milestone=milestone
        )
