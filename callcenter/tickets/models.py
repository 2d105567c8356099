"""Ticket types, statuses, milestones and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from callcenter.core.api import Principal
from callcenter.core.errors import ConflictError, NotFoundError
from callcenter.tickets.sla import SlaState


class TicketType(StrEnum):
    """The 95598 work-order taxonomy."""

    FAULT_REPAIR = "fault_repair"
    CONSULTATION = "consultation"
    SERVICE_REQUEST = "service_request"
    COMPLAINT = "complaint"
    REPORT = "report"
    OPINION = "opinion"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class TicketStatus(StrEnum):
    """Where a ticket stands (which moves are allowed depends on its type: `lifecycle`)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    AWAITING_CALLBACK = "awaiting_callback"
    REOPENED = "reopened"
    CLOSED = "closed"
    CANCELLED = "cancelled"


FINISHED = frozenset({TicketStatus.CLOSED, TicketStatus.CANCELLED})
# statuses whose deadline clock has stopped: such a ticket is never overdue
CLOCK_STOPPED = FINISHED | {TicketStatus.RESOLVED, TicketStatus.AWAITING_CALLBACK}


class Milestone(StrEnum):
    """A fault repair's milestones, in the only order they may be recorded."""

    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    RESTORED = "restored"
    CLOSED = "closed"


class TicketChannel(StrEnum):
    """Where a ticket was opened."""

    API = "api"
    DESK = "desk"
    IVR = "ivr"
    SYSTEM = "system"


class TicketSort(StrEnum):
    """Orders of the ticket list; the default puts overdue open tickets first."""

    DEFAULT = "default"
    CREATED = "created_at"
    CREATED_DESC = "-created_at"
    DUE = "due_at"


class NoSuchTicketError(NotFoundError):
    """No ticket has that id or number."""

    default_code = "no-such-ticket"


class InvalidTransitionError(ConflictError):
    """The ticket's type does not allow that move from its status."""

    default_code = "invalid-ticket-transition"


class MilestoneOrderError(ConflictError):
    """A milestone out of order, or on a ticket that has none."""

    default_code = "invalid-milestone"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes a ticket: a name, a role and a user id (none for the IVR or the system)."""

    name: str
    role: str | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor behind an API request."""
        return cls(principal.name, principal.role.value, principal.user_id)


IVR_ACTOR = Actor("ivr", "ivr")


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What it takes to open a ticket."""

    type: TicketType
    summary: str
    created_by: str
    subtype: str | None = None
    priority: int = 0
    customer_id: int | None = None
    account_id: int | None = None
    service_point_id: int | None = None
    call_id: str | None = None
    due_at: datetime | None = None  # a deadline known at opening (reconnection: 24 h)
    channel: TicketChannel = TicketChannel.API
    area: str | None = None  # else the service point's district
    actor: Actor | None = None  # else `created_by` with no role
    area_class: str | None = None  # urban, rural, remote; else the service point's
    customer_class: str | None = None  # else the customer's


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One thing that happened to a ticket, and who did it."""

    at: datetime
    type: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    actor_role: str | None = None
    actor_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A work order with its history and calls."""

    id: int
    number: str
    type: TicketType
    subtype: str | None
    status: TicketStatus
    priority: int
    customer_id: int | None
    account_id: int | None
    service_point_id: int | None
    summary: str
    created_by: str
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    events: tuple[TicketEvent, ...] = ()
    call_ids: tuple[str, ...] = ()
    channel: TicketChannel = TicketChannel.API
    area: str | None = None
    assignee_user_id: int | None = None
    assignee_team: str | None = None
    resolution: str | None = None
    milestone: Milestone | None = None
    updated_at: datetime | None = None
    area_class: str | None = None  # what the deadlines depend on: urban, rural, remote
    customer_class: str | None = None
    sla_state: str = "ok"  # the SLA level reached (`callcenter.tickets.sla.SlaState`)
    sla_step: str | None = None  # the deadline (step) `sla_state` is about
    sla_next_at: datetime | None = None  # when the sweep looks at the ticket again
    escalation_level: int = 0  # 0: not escalated; raised by a breach or an unsatisfied callback
    urge_count: int = 0  # repeat calls about the ticket (催办)

    def is_overdue(self, now: datetime) -> bool:
        """Past its due time with its clock still running."""
        return self.due_at is not None and self.due_at < now and self.status not in CLOCK_STOPPED

    def milestone_times(self) -> dict[Milestone, datetime]:
        """When each milestone of the current run was reached (a reopening restarts the run
        after `accepted`)."""
        times: dict[Milestone, datetime] = {}
        for event in self.events:
            if "milestone" in event.data and "at" in event.data:
                times[Milestone(event.data["milestone"])] = datetime.fromisoformat(event.data["at"])
            elif event.type == "status" and event.data.get("to") == TicketStatus.REOPENED:
                times = {m: t for m, t in times.items() if m is Milestone.ACCEPTED}
        return times


@dataclass(frozen=True, slots=True)
class Opened:
    """The ticket a report landed on, and whether it was attached to an open one."""

    ticket: Ticket
    attached: bool = False


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """Filters, order and page of the ticket list; `now` decides what is overdue."""

    now: datetime
    statuses: tuple[TicketStatus, ...] = ()
    type: TicketType | None = None
    customer_id: int | None = None
    account_id: int | None = None
    area: str | None = None
    assignee_user_id: int | None = None
    assignee_team: str | None = None
    overdue: bool | None = None
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: TicketSort = TicketSort.DEFAULT
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Assignee:
    """Who works a ticket: a person, a team, or both (both empty: unassigned)."""

    user_id: int | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class TicketChange:
    """One change to store with its event. Fields left `None` stay as they are; the change
    applies only while the ticket still has status `expected` (else a concurrent change won)."""

    event: str
    actor: Actor
    at: datetime
    expected: TicketStatus
    data: dict[str, Any] = field(default_factory=dict)
    status: TicketStatus | None = None
    assignee: Assignee | None = None
    resolution: str | None = None
    milestone: Milestone | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None
    reopen: bool = False  # clears `closed_at` and the resolution
    call_id: str | None = None
    sla_state: str | None = None
    escalation_level: int | None = None
    urged: bool = False  # adds one to `urge_count`


@dataclass(frozen=True, slots=True)
class LevelReached:
    """A level one step of a ticket reached: a warning or the breach."""

    step: str
    state: SlaState
    at: datetime
    due_at: datetime | None

    @property
    def event(self) -> str:
        """The ticket event's type (and, with `ticket.`, the webhook's)."""
        return "sla_breached" if self.state is SlaState.BREACHED else "sla_warning"

    @property
    def webhook(self) -> str:
        """The webhook event type."""
        return "ticket.breached" if self.state is SlaState.BREACHED else "ticket.warned"

    def data(self) -> dict[str, str | None]:
        """The ticket event's data."""
        return {
            "step": self.step,
            "level": self.state.value,
            "at": self.at.isoformat(),
            "due_at": None if self.due_at is None else self.due_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class SlaMark:
    """The SLA columns to store and the levels to announce."""

    step: str | None
    state: SlaState
    due_at: datetime | None
    next_at: datetime | None
    reached: tuple[LevelReached, ...] = ()

    @property
    def escalates(self) -> bool:
        """A breach is announced: the ticket goes one escalation level up."""
        return any(r.state is SlaState.BREACHED for r in self.reached)

    def same_as(self, ticket: Ticket) -> bool:
        """Nothing to store: the ticket already has these columns."""
        return not self.reached and (
            ticket.sla_step,
            ticket.sla_state,
            ticket.due_at,
            ticket.sla_next_at,
        ) == (self.step, self.state.value, self.due_at, self.next_at)
