"""The campaign API's shapes. Times are ISO 8601; a time without a zone is local time at the
utility (`server.timezone`). Types, targets and gateways are taken as text and checked by
the handlers, so a wrong one gets its own stable code rather than a generic `invalid-body`."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from callcenter.core.errors import InvalidInputError
from outbound.models import (
    AttemptResult,
    AttemptState,
    CampaignMode,
    CampaignRecord,
    CampaignType,
    GatewayKind,
    RefusalReason,
    TargetQuery,
    TargetQueryKind,
)

E = TypeVar("E", bound=StrEnum)
NUMERIC_TARGETS = frozenset(
    {TargetQueryKind.OUTAGE, TargetQueryKind.BILLS_DUE, TargetQueryKind.ARREARS_OVER}
    | {TargetQueryKind.TICKET}
)
DEFAULT_NAMES = {
    CampaignType.OUTAGE_NOTICE: "停电通知",
    CampaignType.RESTORATION_NOTICE: "复电通知",
    CampaignType.ETR_UPDATE: "预计复电时间更新",
    CampaignType.BILL_REMINDER: "电费提醒",
    CampaignType.LOW_BALANCE: "余额不足提醒",
    CampaignType.ZERO_BALANCE: "余额为零通知",
    CampaignType.ARREARS_REMINDER: "欠费催交",
    CampaignType.DISCONNECTION_NOTICE: "停电催费通知",
    CampaignType.RE_NOTICE: "停电前再次通知",
    CampaignType.SATISFACTION_CALLBACK: "满意度回访",
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowIn(_In):
    """The daily calling window, callee-local wall time (`end` excluded)."""

    start: time
    end: time

    @field_validator("start", "end")
    @classmethod
    def _wall_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a calling window is wall time, without a zone or offset")
        return value


class CampaignIn(_In):
    """A campaign from a type template: `target` is `kind:value` (`outage:12`,
    `bills-due:3`, `arrears-over:30`, `balance-below:20`, `ticket:5`, `csv:<name>` with the
    file's text in `csv`)."""

    name: str | None = Field(default=None, max_length=128)
    type: str = Field(max_length=32)
    target: str = Field(max_length=200)
    csv: str | None = None
    gateway: str = Field(default=GatewayKind.SIMULATED.value, max_length=16)
    start_at: datetime | None = None
    end_at: datetime | None = None
    window: WindowIn | None = None
    priority: int = Field(default=0, ge=-100, le=100)
    max_attempts: int = Field(default=3, ge=1, le=10)
    sms: bool = False
    mode: str = Field(default=CampaignMode.AUTOMATED.value, max_length=16)
    queue: str | None = Field(default=None, min_length=1, max_length=32)


class PreviewIn(_In):
    """A target query to preview (nothing is written)."""

    target: str = Field(max_length=200)
    csv: str | None = None
    sample: int = Field(default=10, ge=0, le=100)


class SampleQuery(_In):
    """How many sample rows a preview shows."""

    sample: int = Field(default=10, ge=0, le=100)


class CampaignQuery(_In):
    """`state`: comma-separated campaign states (draft, running, paused, completed,
    cancelled)."""

    state: str | None = Field(default=None, max_length=64)


class AttemptQuery(_In):
    """Filters of the attempt list, paginated (newest first)."""

    result: str | None = Field(default=None, max_length=32)  # an attempt result
    state: str | None = Field(default=None, max_length=32)  # an attempt state
    reason: str | None = Field(default=None, max_length=32)  # a refusal reason
    phone: str | None = Field(default=None, max_length=32)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)
    since: datetime | None = None  # last changed at or after (no zone: server.timezone)
    until: datetime | None = None  # last changed before

    def filters(self) -> tuple[AttemptResult | None, AttemptState | None, RefusalReason | None]:
        """The enum filters, or `invalid-query` (400) naming the bad one."""
        return (
            _member(AttemptResult, "result", self.result),
            _member(AttemptState, "state", self.state),
            _member(RefusalReason, "reason", self.reason),
        )


def _member(enum: type[E], name: str, text: str | None) -> E | None:
    return None if text is None else _named(enum, name, text, "invalid-query")


def _named(enum: type[E], name: str, text: str, code: str) -> E:
    try:
        return enum(text)
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise InvalidInputError(f"unknown {name} {text!r}; one of: {known}", code=code) from None


class WindowOut(BaseModel):
    """A daily window."""

    start: time
    end: time


class CampaignOut(BaseModel):
    """A campaign."""

    id: int
    name: str
    type: str
    state: str
    gateway: str
    target: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    start_at: datetime | None
    end_at: datetime | None
    window: WindowOut | None
    priority: int
    max_attempts: int
    sms: bool
    mode: str
    queue: str | None

    @classmethod
    def of(cls, record: CampaignRecord) -> CampaignOut:
        """The API view of a stored campaign."""
        c = record.campaign
        window = record.window
        return cls(
            id=c.id,
            name=c.name,
            type=c.type.value,
            state=c.state.value,
            gateway=c.gateway.value,
            target=f"{c.query.kind.value}:{c.query.value}",
            created_by=c.created_by,
            created_at=c.created_at,
            updated_at=record.updated_at,
            start_at=c.start_at,
            end_at=c.end_at,
            window=None if window is None else WindowOut(start=window.start, end=window.end),
            priority=c.priority,
            max_attempts=c.max_attempts,
            sms=c.sms,
            mode=c.mode.value,
            queue=c.queue,
        )


class CampaignListOut(BaseModel):
    """Campaigns, highest priority first, then oldest."""

    campaigns: list[CampaignOut]


class CampaignStatusOut(BaseModel):
    """A campaign with its progress: the keys of `callcenter campaign status --json`."""

    campaign: CampaignOut
    targets: int
    results: dict[str, int]
    refused: dict[str, int]
    waiting: dict[str, int]


class CandidateOut(BaseModel):
    """A target a query finds."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: int
    account_id: int
    account_no: str
    phone: str
    values: dict[str, str]
    vulnerable: bool
    area: str
    disputed: bool


class PreviewOut(BaseModel):
    """How many targets, and the first few."""

    model_config = ConfigDict(from_attributes=True)

    count: int
    sample: list[CandidateOut]


class AttemptOut(BaseModel):
    """One attempt with its target."""

    id: int
    attempt_no: int
    state: str
    result: str | None
    reason: str | None
    provider_id: str | None
    call_id: str | None
    not_before: datetime | None
    updated_at: datetime | None
    target_id: int
    customer_id: int
    account_id: int
    account_no: str
    phone: str


class AttemptListOut(BaseModel):
    """A page of attempts and the total that match."""

    total: int
    limit: int
    offset: int
    attempts: list[AttemptOut]


def campaign_type(text: str) -> CampaignType:
    """The campaign type named, or `unknown-campaign-type` (400)."""
    return _named(CampaignType, "campaign type", text, "unknown-campaign-type")


def campaign_mode(text: str) -> CampaignMode:
    """The dialing mode named, or `unknown-campaign-mode` (400)."""
    return _named(CampaignMode, "campaign mode", text, "unknown-campaign-mode")


def gateway_kind(text: str) -> GatewayKind:
    """The gateway named, or `unknown-gateway` (400)."""
    return _named(GatewayKind, "gateway", text, "unknown-gateway")


def target_query(text: str) -> TargetQuery:
    """`kind:value` as a target query, or `invalid-target-query` (400) saying why."""
    kind_text, sep, value = text.partition(":")
    value = value.strip()
    try:
        kind = TargetQueryKind(kind_text.strip())
    except ValueError:
        kind = None
    if kind is None or not sep or not value:
        known = ", ".join(f"{k.value}:…" for k in TargetQueryKind)
        raise InvalidInputError(
            f"target {text!r} is not one of {known}", code="invalid-target-query"
        )
    if kind in NUMERIC_TARGETS and not (value.isdigit() and len(value) <= 9):
        raise InvalidInputError(
            f"target {text!r}: {kind.value} takes a whole number", code="invalid-target-query"
        )
    if kind is TargetQueryKind.BALANCE_BELOW and not _is_amount(value):
        raise InvalidInputError(
            f"target {text!r}: balance-below takes an amount in yuan", code="invalid-target-query"
        )
    return TargetQuery(kind, value)


def _is_amount(value: str) -> bool:
    whole, _, cents = value.partition(".")
    return whole.isdigit() and len(whole) <= 9 and (cents == "" or cents.isdigit())
