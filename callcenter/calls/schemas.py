"""The call API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from callcenter.core.phone import InvalidNumberError, normalise_phone


class CallsQuery(BaseModel):
    """Filters of `GET /api/calls`; times need a UTC offset."""

    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    number: str | None = Field(default=None, description="caller or called number, any format")
    customer_id: int | None = Field(default=None, ge=1)
    agent_id: int | None = Field(default=None, ge=1)
    disposition: str | None = Field(default=None, max_length=32)
    direction: Literal["inbound", "outbound"] | None = Field(
        default=None, description="inbound, or outbound (campaign calls)"
    )
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)
    include_simulated: bool = Field(
        default=False, description="also calls placed by `callcenter ivr simulate --server`"
    )

    @field_validator("number")
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalise_phone(value)
        except InvalidNumberError as err:
            raise ValueError(err.message) from None


class RecordingOut(BaseModel):
    """The call's recording (issue 16): status (recording, paused, stopped, ready, failed,
    deleted), the provider and its handle, the file's location and length."""

    model_config = ConfigDict(from_attributes=True)

    status: str
    provider: str | None
    ref: str | None
    location: str | None
    duration_seconds: int | None


class CallOut(BaseModel):
    """A call record's summary."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    direction: str
    from_number: str
    to_number: str
    state: str
    started_at: datetime
    customer_id: int | None
    account_id: int | None
    queued_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    queue: str | None
    agent_id: int | None
    disposition: str | None
    ivr_path: list[str]
    wait_seconds: int | None
    talk_seconds: int | None
    end_reason: str | None
    survey_score: int | None
    simulated: bool
    recording: RecordingOut | None = None  # issue 16 (recordings)


class CallPage(BaseModel):
    """One page of call records, newest first."""

    items: list[CallOut]
    total: int
    limit: int
    offset: int


class CallEventOut(BaseModel):
    """One event of a call's timeline."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    type: str
    data: dict[str, Any]


class LinkedTicketOut(BaseModel):
    """A ticket the call created or touched."""

    model_config = ConfigDict(from_attributes=True)

    ticket_id: int
    number: str
    type: str
    status: str
    relation: str


class CallDetailOut(BaseModel):
    """A call with its timeline and tickets."""

    call: CallOut
    events: list[CallEventOut]
    tickets: list[LinkedTicketOut]
