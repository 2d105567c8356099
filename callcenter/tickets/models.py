"""Ticket types, statuses and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from callcenter.core.errors import NotFoundError


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
    """Where a ticket stands."""

    OPEN = "open"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    AWAITING_CALLBACK = "awaiting_callback"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class NoSuchTicketError(NotFoundError):
    """No ticket has that id or number."""

    default_code = "no-such-ticket"


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


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One thing that happened to a ticket, and who did it."""

    at: datetime
    type: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


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
