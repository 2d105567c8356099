"""The dialer's settings, ports and reports, and the attempt key (see `outbound.dialer`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from outbound.assisted import AgentSeats
from outbound.gateway import DialRequest
from outbound.models import Attempt, Campaign, CampaignState, Target
from outbound.pacing import PacingLimits
from outbound.ports import (
    AreaSuspensions,
    ArrearsStore,
    BatchAttemptStore,
    CampaignStore,
    ContactHistory,
    OptOuts,
    OutboundCallLog,
)


@dataclass(frozen=True, slots=True)
class DialerSettings:
    """How the dialer places calls: the number shown to callees, the pacing limits, the
    name it claims attempts under (one per instance), ring time and answering-machine
    detection."""

    caller_id: str
    limits: PacingLimits
    claimer: str = "dialer"
    ring_seconds: int = 30
    machine_detection: bool = True
    handle_seconds: int = 180  # an agent's mean handle time (predictive pacing)


@dataclass(frozen=True, slots=True)
class DialerPorts:
    """The stores the dialer reads and writes; `calls` opens and closes the call records."""

    campaigns: CampaignStore
    attempts: BatchAttemptStore
    history: ContactHistory
    opt_outs: OptOuts
    suspensions: AreaSuspensions
    calls: OutboundCallLog | None = None
    arrears: ArrearsStore | None = None  # the sequences disconnection notices need
    seats: AgentSeats | None = None  # the agents of agent-assisted campaigns (the ACD)


@dataclass(slots=True)
class RoundReport:
    """What one round did. `skipped` says why it dialled nothing (`not-running`,
    `not-started`, `ended`, `completed`)."""

    claimed: int = 0
    placed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    retry_later: int = 0  # transient gateway errors: the attempt is retried later
    failed: int = 0  # the gateway refused the request for good
    maybe_placed: int = 0  # left in `sending` for reconciliation
    held: int = 0  # in line for an agent before dialling (progressive, preview)
    completed: bool = False
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """Attempts found stuck in `sending`: placed (the gateway knows the call), uncertain
    (it does not: left for a person), or left as they were (the lookup failed)."""

    placed: int = 0
    uncertain: int = 0
    unresolved: int = 0


def attempt_key(attempt: Attempt) -> str:
    """The attempt's idempotency key `<campaign>:<target>:<attempt_no>`."""
    return f"{attempt.campaign_id}:{attempt.target_id}:{attempt.attempt_no}"


def campaign_of(key: str) -> int | None:
    """The campaign id at the head of an attempt key, None when it is malformed."""
    head = key.split(":", 1)[0]
    return int(head) if head.isdigit() and len(head) <= 18 else None


def skip_reason(campaign: Campaign, now: datetime) -> str | None:
    """Why a round dials nothing now, or None."""
    if campaign.state is not CampaignState.RUNNING:
        return "not-running"
    if campaign.start_at is not None and now < campaign.start_at:
        return "not-started"
    if campaign.end_at is not None and now >= campaign.end_at:
        return "ended"
    return None


def before_end(campaign: Campaign, retry_at: datetime | None) -> datetime | None:
    """A retry time before the campaign's end, else None."""
    if retry_at is None or (campaign.end_at is not None and retry_at >= campaign.end_at):
        return None
    return retry_at


def dial_request(
    campaign: Campaign, attempt: Attempt, target: Target, s: DialerSettings
) -> DialRequest:
    """What the gateway is asked to place for an attempt."""
    return DialRequest(
        key=attempt_key(attempt),
        attempt_id=attempt.id,
        to=target.phone,
        caller_id=s.caller_id,
        campaign_type=campaign.type,
        flow=campaign.type.value,
        machine_detection=s.machine_detection,
        ring_seconds=s.ring_seconds,
        variables=dict(target.values),
    )
