"""What the ACD needs from the call record and the customer profiles (composition level):
call events, whether a call has ended, and the screen-pop."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from agents.ports import AgentInfo, Bridge
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.errors import CallcenterError
from callcenter.customers.http import customer_out
from callcenter.customers.models import ProfileLookup
from callcenter.customers.service import ProfileService

log = logging.getLogger(__name__)
E = CallEventType
IVR_EVENTS = frozenset({E.DIGITS_RECEIVED, E.IVR_STEP})


class AcdCallEvents:
    """Implements `agents.ports.CallEvents` on the call service."""

    def __init__(self, calls: CallService) -> None:
        self._calls = calls

    async def record_event(self, call_id: str, type: str, data: Mapping[str, Any]) -> None:
        try:
            await self._calls.record(call_id, CallEventType(type), dict(data))
        except CallcenterError as err:  # a call unknown to the record must not stop routing
            log.warning("call %s: %s not recorded: %s", call_id, type, err.message)

    async def has_ended(self, call_id: str) -> bool:
        try:
            return (await self._calls.get(call_id)).is_over
        except CallcenterError:
            return False


class ProfilePops:
    """Implements `agents.ports.ScreenPops`: the caller's profile (as the lookup API gives
    it: accounts, address, class and grade, manager, credit, balance, arrears and late fee
    to date, open tickets, last calls, outages), the IVR path and keys, queue and wait."""

    def __init__(self, profiles: ProfileService, calls: CallService) -> None:
        self._profiles = profiles
        self._calls = calls

    async def build(self, call_id: str, meta: Mapping[str, Any]) -> dict[str, Any]:
        detail = await self._calls.detail(call_id)
        record = detail.record
        found = await self._lookup(meta, record.from_number)
        customers = []
        if found is not None:
            chosen = [
                p
                for p in found.profiles
                if meta.get("customer_id") is None or p.customer.id == meta.get("customer_id")
            ] or list(found.profiles)
            customers = [customer_out(p).model_dump(mode="json") for p in chosen]
        keyed = [
            {k: v for k, v in e.data.items() if k in ("node", "digits", "speech")}
            for e in detail.events
            if e.type is E.DIGITS_RECEIVED
        ]
        return {
            "call_id": call_id,
            "caller": record.from_number,
            "queue": meta.get("queue"),
            "queued_at": record.queued_at.isoformat() if record.queued_at else None,
            "callback": bool(meta.get("callback")),
            "transferred_by": meta.get("transferred_by"),
            "ivr_path": list(record.ivr_path),
            "keyed": keyed,
            "customers": customers,
            "as_of": self._profiles.today().isoformat(),
        }

    async def _lookup(self, meta: Mapping[str, Any], caller: str) -> ProfileLookup | None:
        try:
            if meta.get("account_no"):
                return await self._profiles.by_account(str(meta["account_no"]))
            return await self._profiles.by_phone(caller)
        except CallcenterError:
            return None


class BridgeByProvider:
    """Implements `agents.ports.Bridge`: each offer goes to the adapter of the provider the
    call came in on (`provider` in the call's routing data), Twilio when it is not known."""

    def __init__(self, bridges: Mapping[str, Bridge], default: str) -> None:
        self._bridges = dict(bridges)
        self._default = bridges[default]

    def _for(self, meta: Mapping[str, Any]) -> Bridge:
        return self._bridges.get(str(meta.get("provider") or ""), self._default)

    async def connect(self, call_id: str, meta: Mapping[str, Any], agent: AgentInfo) -> None:
        await self._for(meta).connect(call_id, meta, agent)

    async def withdraw(self, call_id: str, meta: Mapping[str, Any]) -> None:
        await self._for(meta).withdraw(call_id, meta)

    async def hang_up(self, call_id: str, meta: Mapping[str, Any]) -> None:
        await self._for(meta).hang_up(call_id, meta)

    async def is_live(self, meta: Mapping[str, Any]) -> bool | None:
        return await self._for(meta).is_live(meta)
