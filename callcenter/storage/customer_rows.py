"""Rows (or decoded JSON objects with the same keys) to customer-domain objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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


def account_from(m: Mapping[str, Any]) -> Account:
    """An account from a row mapping (or a decoded JSON object with the same keys)."""
    return Account(
        id=m["id"],
        account_no=m["account_no"],
        customer_id=m["customer_id"],
        tariff_class=m["tariff_class"],
        payment_mode=PaymentMode(m["payment_mode"]),
        prepaid_balance=m["prepaid_balance"],
        credit_score=m["credit_score"],
        status=AccountStatus(m["status"]),
        service_point=ServicePoint(
            m["service_point_id"],
            m["address"],
            m["district"],
            m["feeder"],
            AreaClass(m["area_class"]),
        ),
    )


def customer_from(m: Mapping[str, Any]) -> Customer:
    """A customer from a row mapping joined with its manager's name."""
    manager_id = m["account_manager_id"]
    manager = AccountManager(manager_id, m["manager_name"]) if manager_id is not None else None
    return Customer(
        id=m["id"],
        name=m["name"],
        customer_class=CustomerClass(m["customer_class"]),
        important_grade=ImportantGrade(m["important_grade"]) if m["important_grade"] else None,
        account_manager=manager,
        vulnerable=frozenset(VulnerableFlag(f) for f in m["vulnerable_flags"].split(",") if f),
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
