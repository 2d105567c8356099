"""The ticket API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from callcenter.tickets.models import (
    Assignee,
    Milestone,
    Ticket,
    TicketChannel,
    TicketSort,
    TicketStatus,
    TicketType,
)

CallId = Field(min_length=26, max_length=26)
Team = Field(default=None, min_length=1, max_length=64)
# query parameters are documented inline: plain strings with the allowed values
_TYPES = "^(" + "|".join(t.value for t in TicketType) + ")$"
_SORTS = "^(" + "|".join(s.value for s in TicketSort) + ")$"


class TicketIn(BaseModel):
    """A new ticket; a fault report for a service point with an open fault ticket is
    attached to that ticket instead."""

    model_config = ConfigDict(extra="forbid")

    type: TicketType
    summary: str = Field(min_length=1, max_length=4000)
    subtype: str | None = Field(default=None, max_length=32)
    priority: int = Field(default=0, ge=0, le=9)
    customer_id: int | None = Field(default=None, ge=1)
    account_id: int | None = Field(default=None, ge=1)
    service_point_id: int | None = Field(default=None, ge=1)
    call_id: str | None = Field(default=None, min_length=26, max_length=26)
    channel: TicketChannel = TicketChannel.API
    area: str | None = Field(default=None, min_length=1, max_length=64)
    # what the deadlines depend on, where no service point or customer on file says it
    area_class: Literal["urban", "rural", "remote"] | None = None
    customer_class: str | None = Field(default=None, pattern=r"^[a-z_]{1,32}$")


class TicketsQuery(BaseModel):
    """Filters of `GET /api/tickets`; `status` is one status or several, comma-separated;
    times need a UTC offset; `text` looks in summaries and comments."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, pattern=r"^[a-z_]+(,[a-z_]+)*$", max_length=200)
    type: str | None = Field(default=None, pattern=_TYPES)
    customer_id: int | None = Field(default=None, ge=1)
    account_id: int | None = Field(default=None, ge=1)
    area: str | None = Field(default=None, min_length=1, max_length=64)
    assignee_user_id: int | None = Field(default=None, ge=1)
    assignee_team: str | None = Team
    overdue: bool | None = None
    text: str | None = Field(default=None, min_length=1, max_length=200)
    created_from: AwareDatetime | None = None
    created_to: AwareDatetime | None = None
    sort: str = Field(default=TicketSort.DEFAULT.value, pattern=_SORTS)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)

    def ticket_type(self) -> TicketType | None:
        """The type asked for."""
        return None if self.type is None else TicketType(self.type)

    def statuses(self) -> tuple[TicketStatus, ...]:
        """The statuses asked for (validated when the query is parsed)."""
        return tuple(TicketStatus(s) for s in (self.status or "").split(",") if s)

    @model_validator(mode="after")
    def _known_statuses(self) -> TicketsQuery:
        known = {s.value for s in TicketStatus}
        unknown = [s for s in (self.status or "").split(",") if s and s not in known]
        if unknown:
            raise ValueError(f"unknown status {', '.join(unknown)}")
        return self


class TicketPatch(BaseModel):
    """A status change (with an optional note) and/or an assignment; `assignee_user_id`
    and `assignee_team` given as null unassign."""

    model_config = ConfigDict(extra="forbid")

    status: TicketStatus | None = None
    note: str | None = Field(default=None, max_length=4000)
    assignee_user_id: int | None = Field(default=None, ge=1)
    assignee_team: str | None = Team

    @model_validator(mode="after")
    def _something(self) -> TicketPatch:
        fields = self.model_fields_set
        if self.status is None and not fields & {"assignee_user_id", "assignee_team"}:
            raise ValueError("give a status, an assignee_user_id or an assignee_team")
        return self

    def assignee(self, current: Ticket) -> Assignee | None:
        """The new assignment (a field left out keeps its value), or None: unchanged."""
        given = self.model_fields_set
        if not given & {"assignee_user_id", "assignee_team"}:
            return None
        return Assignee(
            self.assignee_user_id if "assignee_user_id" in given else current.assignee_user_id,
            self.assignee_team if "assignee_team" in given else current.assignee_team,
        )


class CommentIn(BaseModel):
    """A comment on a ticket."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class CallLinkIn(BaseModel):
    """A call to link to the ticket."""

    model_config = ConfigDict(extra="forbid")

    call_id: str = CallId


class CloseIn(BaseModel):
    """Closing with a resolution."""

    model_config = ConfigDict(extra="forbid")

    resolution: str = Field(min_length=1, max_length=4000)


class MilestoneIn(BaseModel):
    """A fault repair's next milestone, at a time (default: now)."""

    model_config = ConfigDict(extra="forbid")

    milestone: Milestone
    at: AwareDatetime | None = None


class TicketEventOut(BaseModel):
    """One event of a ticket's history, with its actor."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    type: str
    actor: str
    actor_role: str | None
    actor_user_id: int | None
    data: dict[str, Any]


class MilestoneOut(BaseModel):
    """A fault milestone: its deadline and when it was reached (null: not yet)."""

    milestone: Milestone
    due_at: datetime
    at: datetime | None


class StepOut(BaseModel):
    """One deadline of the ticket: when due (null: not started, or paused), when reached,
    and its SLA level (at reaching, else now)."""

    step: str
    due_at: datetime | None
    reached_at: datetime | None
    state: str
    started: bool
    calendar_missing: bool = False


class TicketBase(BaseModel):
    """A ticket's own fields."""

    model_config = ConfigDict(from_attributes=True)

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
    channel: TicketChannel
    area: str | None
    assignee_user_id: int | None
    assignee_team: str | None
    resolution: str | None
    milestone: Milestone | None
    updated_at: datetime | None
    area_class: str | None = None
    customer_class: str | None = None
    sla_state: str = "ok"
    sla_step: str | None = None
    escalation_level: int = 0
    urge_count: int = 0
    overdue: bool = False


class TicketOut(TicketBase):
    """A ticket with its history, linked calls and (fault repairs) milestones."""

    events: list[TicketEventOut]
    call_ids: list[str]
    milestones: list[MilestoneOut] = []
    deadlines: list[StepOut] = []
    sla_paused: bool = False  # waiting on the customer: the deadlines stand still
    calendar_missing: bool = False  # a deadline counted over a year with no calendar
    attached: bool = False


class TicketPage(BaseModel):
    """One page of the ticket list."""

    items: list[TicketBase]
    total: int
    limit: int
    offset: int
