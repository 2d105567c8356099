"""What the telephony adapters (Twilio webhooks, FastAGI) need: the call record, the IVR and
the ACD (satisfied by their services)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from agents.models import QueuedInfo
from agents.ports import AgentInfo
from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from ivr_flows.models import Command, Event, Flow, Session

Render = Callable[[Session, list[Command]], str]


class CallLog(Protocol):
    """Start calls and append their events (`callcenter.calls.service.CallService`)."""

    async def start(
        self,
        direction: Direction,
        from_number: str,
        to_number: str,
        ref: ProviderRef | None = None,
        at: datetime | None = None,
    ) -> CallRecord: ...

    async def record(
        self,
        call_id: str,
        type: CallEventType,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> CallRecord: ...

    async def find_by_provider(self, ref: ProviderRef) -> CallRecord | None: ...


class Ivr(Protocol):
    """Run a call's IVR one request at a time (`ivr_flows.service.IvrService`)."""

    def flow(self, name: str) -> Flow: ...

    async def start(self, call_id: str, variables: Mapping[str, Any], render: Render) -> str: ...

    async def handle(
        self,
        call_id: str,
        event: Event,
        seq: int | None,
        render: Render,
        variables: Mapping[str, Any] | None = None,
    ) -> str: ...

    async def end(self, call_id: str) -> None: ...


class Queueing(Protocol):
    """The ACD as the telephony side sees it (`agents.center.Acd`)."""

    async def waiting_info(self, call_id: str) -> QueuedInfo | None: ...

    async def offer_for(self, call_id: str) -> AgentInfo | None: ...

    async def request_callback(self, call_id: str, phone: str) -> None: ...

    async def call_ended(self, call_id: str, reason: str) -> bool: ...

    async def device_answered(self, call_id: str, agent_id: int) -> None: ...

    async def device_unanswered(self, call_id: str, agent_id: int, status: str) -> bool: ...

    async def ringing(self, call_id: str, agent_id: int) -> bool: ...

    async def agent_left(self, call_id: str, agent_id: int, by: str) -> bool: ...
