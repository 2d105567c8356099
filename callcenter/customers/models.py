"""Customer, account and profile value objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from callcenter.core.errors import NotFoundError
from callcenter.core.latefee import LateFee


class CustomerClass(StrEnum):
    """Tariff-relevant class of customer."""

    RESIDENTIAL = "residential"
    NON_RESIDENTIAL_LV = "non_residential_lv"
    HV_SINGLE_SOURCE = "hv_single_source"
    HV_DUAL_SOURCE = "hv_dual_source"


class ImportantGrade(StrEnum):
    """重要电力用户 grade."""

    SPECIAL = "special"  # 特级
    FIRST = "first"  # 一级
    SECOND = "second"  # 二级
    TEMPORARY = "temporary"  # 临时


class AreaClass(StrEnum):
    """Where the service point is; drives the fault-repair deadlines."""

    URBAN = "urban"
    RURAL = "rural"
    REMOTE = "remote"


class PaymentMode(StrEnum):
    """How the account pays."""

    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class AccountStatus(StrEnum):
    """Supply status of the account."""

    ACTIVE = "active"
    DISCONNECTED_ARREARS = "disconnected_arrears"
    CLOSED = "closed"


class VulnerableFlag(StrEnum):
    """Flags that block automated disconnection and give an agent on one key."""

    LIFE_SUPPORT = "life_support"
    ELDERLY_ALONE = "elderly_alone"


def credit_rating(score: int) -> str:
    """Payment credit rating: A (>= 90), B (70-89), C (< 70)."""
    if score >= 90:
        return "A"
    return "B" if score >= 70 else "C"


class NoSuchCustomerError(NotFoundError):
    """No customer has that phone number or account number."""

    default_code = "no-such-customer"


@dataclass(frozen=True, slots=True)
class ServicePoint:
    """Where the power is delivered."""

    id: int
    address: str
    district: str
    feeder: str
    area_class: AreaClass


@dataclass(frozen=True, slots=True)
class AccountManager:
    """A big customer's named account manager (客户经理)."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Customer:
    """The party that holds accounts."""

    id: int
    name: str
    customer_class: CustomerClass
    important_grade: ImportantGrade | None
    account_manager: AccountManager | None
    vulnerable: frozenset[VulnerableFlag]

    @property
    def residential(self) -> bool:
        """True for residential customers (they pay the residential late-fee rate)."""
        return self.customer_class is CustomerClass.RESIDENTIAL


@dataclass(frozen=True, slots=True)
class Account:
    """An account (户号) with its service point."""

    id: int
    account_no: str
    customer_id: int
    tariff_class: str
    payment_mode: PaymentMode
    prepaid_balance: Decimal | None
    credit_score: int
    status: AccountStatus
    service_point: ServicePoint


@dataclass(frozen=True, slots=True)
class UnpaidBill:
    """A bill with money still owed."""

    account_id: int
    period: str
    amount: Decimal
    paid_amount: Decimal
    due_date: date


@dataclass(frozen=True, slots=True)
class ActiveOutage:
    """An outage affecting a feeder, or (`service_point_id` set, `feeder` empty) one service
    point."""

    id: int
    kind: str
    status: str
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None
    feeder: str
    service_point_id: int | None = None

    def cuts(self, point: ServicePoint) -> bool:
        """Whether the outage cuts this service point (on its feeder, or by its id)."""
        return (
            self.feeder == point.feeder
            if self.service_point_id is None
            else (self.service_point_id == point.id)
        )


@dataclass(frozen=True, slots=True)
class TicketBrief:
    """An open ticket, as the profile lists it."""

    id: int
    number: str
    type: str
    status: str
    customer_id: int | None
    account_id: int | None
    created_at: datetime
    due_at: datetime | None
    summary: str
    urge_count: int = 0  # 催办 (issue 15): repeat calls about it
    sla_state: str = "ok"  # the SLA level reached


@dataclass(frozen=True, slots=True)
class CallBrief:
    """A recent call, as the profile lists it."""

    id: str
    customer_id: int | None
    started_at: datetime
    direction: str
    state: str
    disposition: str | None
    agent_id: int | None


@dataclass(frozen=True, slots=True)
class ProfileData:
    """Everything a profile is assembled from, read in one go."""

    accounts: tuple[Account, ...]
    customers: tuple[Customer, ...]
    unpaid_bills: tuple[UnpaidBill, ...]
    outages: tuple[ActiveOutage, ...]
    open_tickets: tuple[TicketBrief, ...]
    recent_calls: tuple[CallBrief, ...]


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """One account with what an agent needs to know about it."""

    account: Account
    arrears: LateFee
    outages: tuple[ActiveOutage, ...]


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """One customer with the accounts the look-up matched."""

    customer: Customer
    accounts: tuple[AccountProfile, ...]
    open_tickets: tuple[TicketBrief, ...]
    recent_calls: tuple[CallBrief, ...]


@dataclass(frozen=True, slots=True)
class ProfileLookup:
    """The answer to a look-up: one number may reach several customers."""

    phone: str | None
    account_no: str | None
    profiles: tuple[CustomerProfile, ...]
