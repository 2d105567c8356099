"""What operations read about a campaign beyond its counts: why its unfinished attempts
wait (a retry not yet due waits for the time its previous attempt's result or refusal set:
the calling window, a busy line's backoff, a cap; an attempt left `sending` for
reconciliation; an `uncertain` one for a person), and every attempt for an export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SENDING = "sending"  # stuck between the request and its answer: the next reconciliation
UNCERTAIN = "uncertain"  # the gateway did not know the call: a person decides
SCHEDULED = "scheduled"  # a first attempt due later (no previous attempt to explain it)


@dataclass(frozen=True, slots=True)
class AttemptWait:
    """`count` attempts waiting for one reason: the previous attempt's refusal reason
    (`outside-window`, `daily-cap`, …) or result (`busy`, `no_answer`, …), or `sending`,
    `uncertain`, `scheduled`; `earliest` is the first time one of them may be dialled
    (None: not up to the clock)."""

    reason: str
    count: int
    earliest: datetime | None = None


class AttemptLine:
    """One attempt as exported: its target's account number (None when the account is
    gone) and number as stored, its state and outcome, and its provider and call ids."""

    campaign_id: int
    target_id: int
    account_no: str | None
    phone: str
    attempt_no: int
    state: str
    result: str | None
    reason: str | None
    provider_id: str | None
    call_id: str | None
    updated_at: datetime
