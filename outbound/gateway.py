"""The gateway port: who places an attempt's call (Twilio REST, Asterisk AMI Originate, or
the in-process simulated gateway), and how the dialer reconciles an attempt it may or may
not have sent before a crash."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from outbound.models import CampaignType, GatewayKind


@dataclass(frozen=True, slots=True)
class DialRequest:
    """One attempt's call: `key` is the attempt's idempotency key
    (`<campaign>:<target>:<attempt_no>`), carried to the provider so the call can be found
    again (a Twilio status-callback parameter, an Originate variable)."""

    key: str
    attempt_id: int
    to: str  # E.164
    caller_id: str  # the hotline's number shown to the callee
    campaign_type: CampaignType
    flow: str  # the message flow to run when answered
    machine_detection: bool = True
    ring_seconds: int = 30
    variables: dict[str, str] = field(default_factory=dict)  # the target's values


class GatewayError(Exception):
    """The gateway refused or failed a request; `transient` ones may be tried again later
    (rate limits, 5xx before the call was created), never blindly for a call that may exist."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Gateway(Protocol):
    """Places calls; results come back as provider events (webhooks, AMI events, the
    simulator's script) through the dialer's result use case."""

    kind: GatewayKind

    async def place(self, request: DialRequest) -> str:
        """Start the call; the provider's id for it. Raises `GatewayError`. Must not place a
        second call for one request (no automatic retry of a request that may have
        reached the provider)."""

    async def find(self, request: DialRequest, since: datetime) -> str | None:
        """After a crash: the provider's id of a call placed for `request` since `since`, or
        None when the provider has none (then the attempt is `uncertain` for a person, never
        redialled automatically)."""


# ---

from outbound.models import AttemptResult  # noqa: E402  (appended below the contract)


class CallMaybePlacedError(GatewayError):
    """The request may have reached the provider and created the call (a 5xx answer, a
    connection lost after sending, no answer in time): never send it again; reconcile with
    `Gateway.find` instead. Never transient."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)


class ResultSink(Protocol):
    """Where a gateway that learns results itself (the simulated one, AMI's
    OriginateResponse) delivers them: the dialer's result use case. Never called from inside
    `place`, but it may come before the dialer has stored the provider id `place` returned
    (as a fast webhook may): take it for an attempt still in `sending` too."""

    async def __call__(self, key: str, result: AttemptResult, provider_id: str) -> None: ...
