"""The ticket API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callcenter.tickets.models import TicketStatus, TicketType


class TicketIn(BaseModel):
    """A new ticket."""

    model_config = ConfigDict(extra="forbid")

    type: TicketType
    summary: str = Field(min_length=1, max_length=4000)
    subtype: str | None = Field(default=None, max_length=32)
    priority: int = Field(default=0, ge=0, le=9)
    customer_id: int | None = Field(default=None, ge=1)
    account_id: int | None = Field(default=None, ge=1)
    service_point_id: int | None = Field(default=None, ge=1)
    call_id: str | None = Field(default=None, min_length=26, max_length=26)


class TicketEventOut(BaseModel):
    """One event of a ticket's history."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    type: str
    actor: str
    data: dict[str, Any]


class TicketOut(BaseModel):
    """A ticket with its history and linked calls."""

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
    events: list[TicketEventOut]
    call_ids: list[str]
