"""The dialer's settings, ports and reports, and the attempt key (see `outbound.dialer`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from outbound.models import Attempt
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
