"""The IVR's services, wired from the customer, ticket and call services (composition level)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from agents.center import Acd
from agents.models import Priority
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.errors import InvalidInputError, NotFoundError
from callcenter.customers.models import AccountProfile, CustomerProfile, ProfileLookup
from callcenter.customers.service import ProfileService
from callcenter.tickets.models import NewTicket, TicketType
from callcenter.tickets.service import TicketService

log = logging.getLogger(__name__)
CALLER_KEYS = (
    "caller",
    "called",
    "provider",
    "provider_call",
    "account_no",
    "customer_id",
    "account_id",
    "customer_name",
)
E = CallEventType


def _customer_values(profile: CustomerProfile, account: AccountProfile) -> dict[str, Any]:
    customer = profile.customer
    manager = customer.account_manager
    return {
        "account_no": account.account.account_no,
        "account_id": account.account.id,
        "service_point_id": account.account.service_point.id,
        "customer_id": customer.id,
        "customer_name": customer.name,
        "important_grade": customer.important_grade.value if customer.important_grade else None,
        "account_manager_id": manager.user_id if manager else None,
        "vulnerable": bool(customer.vulnerable),
        "payment_mode": account.account.payment_mode.value,
    }


def _step_events(data: Mapping[str, Any]) -> list[tuple[CallEventType, dict[str, Any]]]:
    if "survey" in data:
        return [(E.SURVEY_ANSWERED, {"score": int(data["survey"])})]
    if "lookup" in data:
        made = (E.LOOKUP_MADE, {"lookup": data["lookup"], "status": data["status"]})
        if data.get("customer_id") is None:
            return [made]
        ids = {"customer_id": data["customer_id"], "account_id": data.get("account_id")}
        return [made, (E.CUSTOMER_IDENTIFIED, ids)]
    if "ticket_number" in data:
        return [(E.TICKET_LINKED, {"number": data["ticket_number"]})]
    if "queued" in data:
        queued = {k: data.get(k) for k in ("priority", "skills", "preferred_agent")}
        return [(E.QUEUED, queued | {"queue": data["queued"]})]
    if {"digits", "speech", "exhausted"} & set(data):
        return [(E.DIGITS_RECEIVED, dict(data))]
    return [(E.IVR_STEP, dict(data))]


class IvrServicesAdapter:
    """Implements `ivr_flows.ports.IvrServices`."""

    def __init__(
        self,
        profiles: ProfileService,
        tickets: TicketService,
        calls: CallService,
        timezone: str,
        acd: Acd | None = None,
        preferred_wait_seconds: int = 30,
    ) -> None:
        self._profiles = profiles
        self._tickets = tickets
        self._calls = calls
        self._zone = ZoneInfo(timezone)
        self._acd = acd
        self._preferred_wait = preferred_wait_seconds

    async def enqueue(
        self, call_id: str, data: Mapping[str, Any], variables: Mapping[str, Any]
    ) -> None:
        if self._acd is None:
            return
        preferred = data.get("preferred_agent")
        meta = {k: variables.get(k) for k in CALLER_KEYS if variables.get(k) is not None}
        try:
            await self._acd.enqueue(
                call_id,
                str(data["queue"]),
                Priority.parse(data.get("priority") or 0),
                skills=[str(s) for s in data.get("skills") or ()],
                language=str(data.get("language") or "zh-CN"),
                preferred_agent=int(preferred) if preferred not in (None, "") else None,
                preferred_wait_seconds=self._preferred_wait,
                meta=meta,
            )
        except (InvalidInputError, ValueError) as err:
            log.error("call %s could not be queued for %r: %s", call_id, data.get("queue"), err)

    async def lookup(
        self, call_id: str, kind: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        try:
            return await self._lookup(call_id, kind, params)
        except (NotFoundError, InvalidInputError):
            return "not_found", {}

    async def _lookup(
        self, call_id: str, kind: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        if kind == "caller":
            return self._identify(await self._profiles.by_phone(params["phone"]))
        account_no = params.get("account_no")
        if not account_no:
            return "not_found", {}
        found = await self._profiles.by_account(str(account_no))
        if kind == "account":
            return self._identify(found)
        profile = found.profiles[0]
        account = profile.accounts[0]
        if kind == "bill":
            return "found", self._bill(account)
        if kind == "outage":
            return self._outage(account)
        if kind == "tickets":
            return "found", {"open_tickets": len(profile.open_tickets)}
        if kind == "notify_restore":
            await self._calls.record(
                call_id, E.NOTE_ADDED, {"kind": "notify_on_restore", "account_no": account_no}
            )
            return "found", {}
        return "not_found", {}

    @staticmethod
    def _identify(found: ProfileLookup) -> tuple[str, dict[str, Any]]:
        pairs = [(p, a) for p in found.profiles for a in p.accounts]
        if len(pairs) > 1:
            accounts = [{"account_no": a.account.account_no} for _, a in pairs]
            return "many", {"accounts": accounts}
        return "found", _customer_values(*pairs[0])

    @staticmethod
    def _bill(account: AccountProfile) -> dict[str, Any]:
        balance = account.account.prepaid_balance
        return {
            "payment_mode": account.account.payment_mode.value,
            "balance": str(balance) if balance is not None else None,
            "arrears": str(account.arrears.arrears),
            "late_fee": str(account.arrears.fee),
            "total_due": str(account.arrears.total_due),
        }

    def _outage(self, account: AccountProfile) -> tuple[str, dict[str, Any]]:
        active = [o for o in account.outages if o.status == "active"]
        if not active:
            return "not_found", {}
        outage = active[0]
        restore = outage.estimated_restoration_at
        return "found", {
            "outage_id": outage.id,
            "outage_kind": outage.kind,
            "outage_area": outage.area,
            "outage_cause": outage.cause,
            "outage_restore": restore.astimezone(self._zone).isoformat() if restore else None,
        }

    async def create_ticket(self, call_id: str, data: Mapping[str, Any]) -> str:
        ticket = await self._tickets.open_or_urge(
            NewTicket(
                type=TicketType(data["ticket_type"]),
                summary=str(data.get("summary") or "IVR"),
                created_by="ivr",
                customer_id=data.get("customer_id"),
                account_id=data.get("account_id"),
                service_point_id=data.get("service_point_id"),
                call_id=call_id,
            )
        )
        return ticket.number

    async def record_steps(self, call_id: str, steps: list[Mapping[str, Any]]) -> None:
        events = [event for data in steps for event in _step_events(data)]
        await self._calls.record_many(call_id, events)
