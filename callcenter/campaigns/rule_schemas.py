"""The shapes of the outbound rules' API: opt-outs, area suspensions, arrears sequences and
payments. Times are ISO 8601; without a zone they are local time at the utility."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from outbound.arrears_service import ArrearsView, StepName


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(_In):
    """Pagination (and an optional number to look for)."""

    phone: str | None = Field(default=None, max_length=32)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class OptOutIn(_In):
    """A number that must not be called any more, and where the wish came from."""

    phone: str = Field(max_length=32)
    source: str = Field(default="api", min_length=1, max_length=32)
    customer_id: int | None = Field(default=None, ge=1)


class OptOutOut(BaseModel):
    """An opt-out."""

    model_config = ConfigDict(from_attributes=True)

    phone: str
    customer_id: int | None
    at: datetime
    source: str


class OptOutListOut(BaseModel):
    """A page of opt-outs, newest first."""

    total: int
    limit: int
    offset: int
    opt_outs: list[OptOutOut]


class SuspensionQuery(_In):
    """`all=true` lists ended suspensions too."""

    all: bool = False


class SuspensionIn(_In):
    """Suspend campaign calls into an area (a district) from `from_at` (default now) to
    `until` (default: until ended)."""

    area: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=128)
    from_at: datetime | None = None
    until: datetime | None = None


class SuspensionOut(BaseModel):
    """An area suspension."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    area: str
    reason: str
    from_at: datetime
    until: datetime | None
    created_by: str


class SuspensionListOut(BaseModel):
    """Area suspensions, newest first."""

    suspensions: list[SuspensionOut]


class ArrearsStepIn(_In):
    """A step of the procedure: `notice-delivered` names the notified `cut_at`."""

    step: StepName
    cut_at: datetime | None = None
    note: str = Field(default="", max_length=500)


class ArrearsEventOut(BaseModel):
    """One step taken, with who took it."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    from_step: str | None
    to_step: str
    actor_role: str
    actor_id: int | None
    data: dict[str, Any]


class ArrearsOut(BaseModel):
    """An account's place in the arrears procedure (`step` null: never started)."""

    account_id: int
    step: str | None
    arrears: Decimal | None
    overdue_since: datetime | None
    cut_at: datetime | None
    approved_by: int | None
    updated_at: datetime | None
    reconnection_due: datetime | None
    history: list[ArrearsEventOut]
    paused_until: datetime | None = None  # desk: an open promise to pay pauses the sequence

    @classmethod
    def of(cls, view: ArrearsView) -> ArrearsOut:
        """The API view of a sequence."""
        s = view.sequence
        return cls(
            account_id=view.account_id,
            step=None if s is None else s.step.value,
            arrears=None if s is None else s.arrears,
            overdue_since=None if s is None else s.overdue_since,
            cut_at=None if s is None else s.cut_at,
            approved_by=None if s is None else s.approved_by,
            updated_at=None if s is None else s.updated_at,
            reconnection_due=view.reconnection_due,
            history=[ArrearsEventOut.model_validate(e, from_attributes=True) for e in view.history],
            paused_until=None if s is None else s.paused_until,
        )


class PaymentIn(_In):
    """A payment received (`paid_at` default now, never in the future)."""

    amount: Decimal = Field(max_digits=12, decimal_places=2)
    paid_at: datetime | None = None


class PaymentRecordOut(BaseModel):
    """A stored payment; `applied` settled unpaid bills."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    amount: Decimal
    paid_at: datetime
    applied: Decimal


class TicketRefOut(BaseModel):
    """The reconnection ticket a payment after the cut opened."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    due_at: datetime


class PaymentOut(BaseModel):
    """The payment, the account's arrears procedure after it, and a reconnection ticket."""

    payment: PaymentRecordOut
    arrears: ArrearsOut
    reconnection_ticket: TicketRefOut | None
