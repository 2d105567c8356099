"""What the telephony adapters (Twilio webhooks, FastAGI, AMI) need: the call record, the IVR,
the end of a call and the ACD (satisfied by their services and use cases)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from agents.models import QueuedInfo
from agents.ports import AgentInfo
from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from ivr_flows.commands import IvrReply, SessionStatus
from ivr_flows.events import IvrEvent
from ivr_flows.models import Flow
from outbound.models import AttemptResult


class CallLog(Protocol):
    """Start calls and append their events (`callcenter.calls.service.CallService`)."""

    async def start(
        self,
        direction: Direction,
        from_number: str,
        to_number: str,
        ref: ProviderRef | None = None,
        at: datetime | None = None,
        *,
        simulated: bool = False,
        then: Sequence[tuple[CallEventType, dict[str, Any]]] = (),
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

    async def start(self, call_id: str, variables: Mapping[str, Any]) -> IvrReply: ...

    async def handle(
        self,
        call_id: str,
        event: IvrEvent,
        seq: int | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> IvrReply: ...

    async def status(self, call_id: str) -> SessionStatus: ...


class Deliveries(Protocol):
    """Which provider callbacks were delivered already (`callcenter.state.deliveries`)."""

    async def first(self, key: str) -> bool:
        """True on the first delivery of `key` (it is marked delivered), False on a retry."""

    async def forget(self, key: str) -> None:
        """`key` was not handled after all: its retry is handled as a first delivery."""


class CallEnd(Protocol):
    """The caller's call is over (`callcenter.callflow.ending.CallEnding`)."""

    async def ended(self, call_id: str, reason: str, *, failed: bool = False) -> None: ...


class Queueing(Protocol):
    """The ACD as the telephony side sees it (`agents.center.Acd`)."""

    async def waiting_info(self, call_id: str) -> QueuedInfo | None: ...

    async def offer_for(self, call_id: str) -> AgentInfo | None: ...

    async def request_callback(self, call_id: str, phone: str) -> None: ...

    async def call_ended(self, call_id: str, reason: str) -> bool: ...

    async def device_answered(self, call_id: str, agent_id: int) -> bool: ...

    async def agent_on(self, call_id: str) -> int | None: ...

    async def device_unanswered(
        self, call_id: str, agent_id: int, status: str, *, requeue: bool = False
    ) -> bool: ...

    async def ringing(self, call_id: str, agent_id: int) -> bool: ...

    async def agent_left(self, call_id: str, agent_id: int, by: str) -> bool: ...


class CampaignCalls(Protocol):
    """Campaign calls as the telephony side sees them (`callcenter.campaigns.answering`):
    `key` is the attempt's key the provider carries back (a webhook's query, a channel
    variable)."""

    async def answered(
        self, key: str, provider: str, provider_id: str, answered_by: str
    ) -> IvrReply | None:
        """The callee answered (`answered_by`: human, machine or unknown): the call enters
        its campaign's message flow; None when no attempt has that key."""

    async def ended(self, key: str, provider_id: str, status: AttemptResult) -> None:
        """The call is over with the provider's `status` (answered, busy, no answer,
        failed); the attempt's result also takes what the flow recorded."""
