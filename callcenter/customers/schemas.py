"""The customer look-up API's shapes. Money is a decimal string in yuan (`"123.40"`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class LookupQuery(BaseModel):
    """Exactly one of `phone` and `account`."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=40)
    account: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _one_of(self) -> LookupQuery:
        if (self.phone is None) == (self.account is None):
            raise ValueError("give exactly one of phone and account")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ServicePointOut(_Out):
    id: int
    address: str
    district: str
    feeder: str
    area_class: str


class BillLateFeeOut(_Out):
    period: str
    outstanding: Decimal
    days_overdue: int
    daily_rate: Decimal
    fee: Decimal


class ArrearsOut(_Out):
    arrears: Decimal = Field(description="overdue amount still unpaid, without fees")
    fee: Decimal = Field(description="late-payment fee to date")
    total_due: Decimal
    lines: list[BillLateFeeOut]


class OutageOut(_Out):
    id: int
    kind: str
    status: str
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None


class AccountOut(BaseModel):
    id: int
    account_no: str
    tariff_class: str
    payment_mode: str
    prepaid_balance: Decimal | None
    credit_score: int
    credit_rating: str
    status: str
    service_point: ServicePointOut
    arrears: ArrearsOut
    outages: list[OutageOut]


class ManagerOut(_Out):
    user_id: int
    name: str


class TicketBriefOut(_Out):
    id: int
    number: str
    type: str
    status: str
    created_at: datetime
    due_at: datetime | None
    summary: str
    urge_count: int = 0  # 催办: repeat calls about it so far
    sla_state: str = "ok"
    call_no: int | None = None  # in a screen-pop: which call about the ticket this call is


class CallBriefOut(_Out):
    id: str
    started_at: datetime
    direction: str
    state: str
    disposition: str | None
    agent_id: int | None


class CustomerOut(BaseModel):
    id: int
    name: str
    customer_class: str
    important_grade: str | None
    account_manager: ManagerOut | None
    vulnerable: list[str]
    accounts: list[AccountOut]
    open_tickets: list[TicketBriefOut]
    recent_calls: list[CallBriefOut]


class LookupOut(BaseModel):
    """Everyone the number or account reaches, with profile and arrears to date."""

    phone: str | None
    account: str | None
    as_of: date
    customers: list[CustomerOut]
