"""The screen-pop: what an agent's desk shows when a call is offered, as a domain object.

The composition side assembles it from the customer profiles and the call record; `to_json`
is the one place that turns it into what the desk receives (the same shape as the customer
look-up API for each customer: money as decimal strings, times in ISO 8601).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from callcenter.core.latefee import LateFee


@dataclass(frozen=True, slots=True)
class PopServicePoint:
    """Where the account's power is delivered."""

    id: int
    address: str
    district: str
    feeder: str
    area_class: str


@dataclass(frozen=True, slots=True)
class PopOutage:
    """An active or scheduled outage at the account's service point."""

    id: int
    kind: str
    status: str
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None


@dataclass(frozen=True, slots=True)
class PopAccount:
    """One account: payment, credit, status, service point, arrears with the late fee to
    date, outages."""

    account_no: str
    tariff_class: str
    payment_mode: str
    prepaid_balance: Decimal | None
    credit_score: int
    credit_rating: str
    status: str
    service_point: PopServicePoint
    arrears: LateFee
    outages: tuple[PopOutage, ...] = ()
    id: int | None = None  # for a ticket opened from the pop (issue 15)


@dataclass(frozen=True, slots=True)
class PopManager:
    """A big customer's account manager."""

    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class PopTicket:
    """An open ticket of the customer."""

    id: int
    number: str
    type: str
    status: str
    created_at: datetime
    due_at: datetime | None
    summary: str
    urge_count: int = 0  # 催办: repeat calls about it so far
    sla_state: str = "ok"
    call_no: int | None = None  # this call urges it: which call about it this is (2nd…)


@dataclass(frozen=True, slots=True)
class PopCall:
    """A recent call of the customer."""

    id: str
    started_at: datetime
    direction: str
    state: str
    disposition: str | None
    agent_id: int | None


@dataclass(frozen=True, slots=True)
class PopCustomer:
    """One customer the caller may be, with the accounts the look-up matched."""

    id: int
    name: str
    customer_class: str
    important_grade: str | None
    account_manager: PopManager | None
    vulnerable: tuple[str, ...]
    accounts: tuple[PopAccount, ...]
    open_tickets: tuple[PopTicket, ...] = ()
    recent_calls: tuple[PopCall, ...] = ()


@dataclass(frozen=True, slots=True)
class PopKey:
    """What the caller keyed or said at an IVR node (absent parts are left out)."""

    node: str | None = None
    digits: str | None = None
    speech: str | None = None


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """The offered call: caller, queue and wait, callback or transfer, the IVR path and keys,
    the customers the caller may be, and the day the arrears are computed to."""

    call_id: str
    caller: str
    queue: str | None
    queued_at: datetime | None
    callback: bool
    transferred_by: int | None
    ivr_path: tuple[str, ...]
    keyed: tuple[PopKey, ...]
    customers: tuple[PopCustomer, ...]
    as_of: date
    # a campaign call: the campaign, the reason for the call, the script, the target's
    # values and the attempt (`outbound.campaign_pop.CampaignPop.to_json`)
    campaign: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """What the desk receives (kept in Redis with the call while it is handled)."""
        extra = {} if self.campaign is None else {"campaign": dict(self.campaign)}
        return extra | {
            "call_id": self.call_id,
            "caller": self.caller,
            "queue": self.queue,
            "queued_at": self.queued_at.isoformat() if self.queued_at else None,
            "callback": self.callback,
            "transferred_by": self.transferred_by,
            "ivr_path": list(self.ivr_path),
            "keyed": [_key_json(k) for k in self.keyed],
            "customers": [_customer_json(c) for c in self.customers],
            "as_of": self.as_of.isoformat(),
            "urges": [_urge_json(t) for c in self.customers for t in c.open_tickets if t.call_no],
        }


def _time(value: datetime | None) -> str | None:
    """ISO 8601 with `Z` for UTC, as the look-up API writes times."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _key_json(key: PopKey) -> dict[str, str]:
    parts = {"node": key.node, "digits": key.digits, "speech": key.speech}
    return {name: value for name, value in parts.items() if value is not None}


def _arrears_json(fee: LateFee) -> dict[str, Any]:
    return {
        "arrears": _money(fee.arrears),
        "fee": _money(fee.fee),
        "total_due": _money(fee.total_due),
        "lines": [
            {
                "period": line.period,
                "outstanding": _money(line.outstanding),
                "days_overdue": line.days_overdue,
                "daily_rate": _money(line.daily_rate),
                "fee": _money(line.fee),
            }
            for line in fee.lines
        ],
    }


def _outage_json(outage: PopOutage) -> dict[str, Any]:
    return {
        "id": outage.id,
        "kind": outage.kind,
        "status": outage.status,
        "area": outage.area,
        "cause": outage.cause,
        "start_at": _time(outage.start_at),
        "estimated_restoration_at": _time(outage.estimated_restoration_at),
    }


def _account_json(account: PopAccount) -> dict[str, Any]:
    point = account.service_point
    return {
        "id": account.id,
        "account_no": account.account_no,
        "tariff_class": account.tariff_class,
        "payment_mode": account.payment_mode,
        "prepaid_balance": _money(account.prepaid_balance),
        "credit_score": account.credit_score,
        "credit_rating": account.credit_rating,
        "status": account.status,
        "service_point": {
            "id": point.id,
            "address": point.address,
            "district": point.district,
            "feeder": point.feeder,
            "area_class": point.area_class,
        },
        "arrears": _arrears_json(account.arrears),
        "outages": [_outage_json(o) for o in account.outages],
    }


def _customer_json(customer: PopCustomer) -> dict[str, Any]:
    manager = customer.account_manager
    return {
        "id": customer.id,
        "name": customer.name,
        "customer_class": customer.customer_class,
        "important_grade": customer.important_grade,
        "account_manager": (
            {"user_id": manager.user_id, "name": manager.name} if manager else None
        ),
        "vulnerable": list(customer.vulnerable),
        "accounts": [_account_json(a) for a in customer.accounts],
        "open_tickets": [_ticket_json(t) for t in customer.open_tickets],
        "recent_calls": [_call_json(c) for c in customer.recent_calls],
    }


def _ticket_json(ticket: PopTicket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "type": ticket.type,
        "status": ticket.status,
        "created_at": _time(ticket.created_at),
        "due_at": _time(ticket.due_at),
        "summary": ticket.summary,
        "urge_count": ticket.urge_count,
        "sla_state": ticket.sla_state,
        "call_no": ticket.call_no,
    }


def _urge_json(ticket: PopTicket) -> dict[str, Any]:
    """A ticket this call urges (催办): the desk flags it as the `call_no`-th call about it."""
    return {"ticket_id": ticket.id, "number": ticket.number, "call_no": ticket.call_no}


def _call_json(call: PopCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "started_at": _time(call.started_at),
        "direction": call.direction,
        "state": call.state,
        "disposition": call.disposition,
        "agent_id": call.agent_id,
    }
