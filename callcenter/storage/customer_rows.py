"""Rows (or decoded JSON objects with the same keys) to customer-domain objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

from callcenter.customers.models import (
    Account,
    AccountManager,
    AccountStatus,
    ActiveOutage,
    AreaClass,
    CallBrief,
    Customer,
    CustomerClass,
    ImportantGrade,
    PaymentMode,
    ServicePoint,
    TicketBrief,
    UnpaidBill,
    VulnerableFlag,
)

E = TypeVar("E", bound=Enum)


def _by_value(cls: type[E]) -> Callable[[Any], E]:
    """`cls(value)` by a dict look-up: an enum's own call costs a few µs, and a profile
    makes several (issue 17). An unknown value still raises `ValueError`."""
    members = {member.value: member for member in cls}

    def member(value: Any) -> E:
        found = members.get(value)
        return cls(value) if found is None else found

    return member


_payment_mode = _by_value(PaymentMode)
_account_status = _by_value(AccountStatus)
_area_class = _by_value(AreaClass)
_customer_class = _by_value(CustomerClass)
_important_grade = _by_value(ImportantGrade)
_vulnerable_flag = _by_value(VulnerableFlag)


def account_from(m: Mapping[str, Any]) -> Account:
    """An account from a row mapping (or a decoded JSON object with the same keys)."""
    return Account(
        id=m["id"],
        account_no=m["account_no"],
        customer_id=m["customer_id"],
        tariff_class=m["tariff_class"],
        payment_mode=_payment_mode(m["payment_mode"]),
        prepaid_balance=m["prepaid_balance"],
        credit_score=m["credit_score"],
        status=_account_status(m["status"]),
        service_point=ServicePoint(
            m["service_point_id"],
            m["address"],
            m["district"],
            m["feeder"],
            _area_class(m["area_class"]),
        ),
    )


def customer_from(m: Mapping[str, Any]) -> Customer:
    """A customer from a row mapping joined with its manager's name."""
    manager_id = m["account_manager_id"]
    manager = AccountManager(manager_id, m["manager_name"]) if manager_id is not None else None
    return Customer(
        id=m["id"],
        name=m["name"],
        customer_class=_customer_class(m["customer_class"]),
        important_grade=_important_grade(m["important_grade"]) if m["important_grade"] else None,
        account_manager=manager,
        vulnerable=frozenset(_vulnerable_flag(f) for f in m["vulnerable_flags"].split(",") if f),
    )


def bill_from(m: Mapping[str, Any]) -> UnpaidBill:
    """An unpaid bill."""
    return UnpaidBill(m["account_id"], m["period"], m["amount"], m["paid_amount"], m["due_date"])


def outage_from(m: Mapping[str, Any]) -> ActiveOutage:
    """An outage on one feeder, or on one service point (`service_point_id`, no feeder)."""
    return ActiveOutage(
        m["id"],
        m["kind"],
        m["status"],
        m["area"],
        m["cause"],
        m["start_at"],
        m["estimated_restoration_at"],
        m["feeder"],
        m.get("service_point_id"),
    )


def ticket_from(m: Mapping[str, Any]) -> TicketBrief:
    """An open ticket."""
    return TicketBrief(
        m["id"],
        m["number"],
        m["type"],
        m["status"],
        m["customer_id"],
        m["account_id"],
        m["created_at"],
        m["due_at"],
        m["summary"],
        int(m.get("urge_count") or 0),  # 催办 (issue 15)
        str(m.get("sla_state") or "ok"),
    )


def call_from(m: Mapping[str, Any]) -> CallBrief:
    """A recent call."""
    return CallBrief(
        m["id"],
        m["customer_id"],
        m["started_at"],
        m["direction"],
        m["state"],
        m["disposition"],
        m["agent_id"],
    )


# The parts of `ProfileData` after its accounts, in field order.
PART_CONVERTERS: tuple[Callable[[Mapping[str, Any]], Any], ...] = (
    customer_from,
    bill_from,
    outage_from,
    ticket_from,
    call_from,
)
