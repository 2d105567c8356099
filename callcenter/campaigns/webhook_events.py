"""The outbound events published to webhook subscribers (issue 15): an attempt's result
and a campaign's completion."""

from __future__ import annotations

from callcenter.core.events import Event
from outbound.models import Attempt, AttemptResult, Campaign, Target

FINISHED_STOPS = frozenset({"completed", "ended"})  # drive stops that may complete it


def attempt_result(attempt: Attempt, target: Target, result: AttemptResult) -> Event:
    """`attempt.result`: which campaign, target and try, and how it went."""
    return Event.of(
        "attempt.result",
        {
            "campaign_id": attempt.campaign_id,
            "attempt_id": attempt.id,
            "target_id": attempt.target_id,
            "attempt_no": attempt.attempt_no,
            "result": result,
            "call_id": attempt.call_id,
            "customer_id": target.customer_id,
            "account_id": target.account_id,
        },
    )


def campaign_finished(campaign: Campaign, why: str) -> Event:
    """`campaign.finished`: the campaign that completed, and why (`completed`: nothing left
    to dial; `ended`: past its end time)."""
    return Event.of(
        "campaign.finished",
        {
            "campaign_id": campaign.id,
            "name": campaign.name,
            "type": campaign.type,
            "mode": campaign.mode,
            "state": campaign.state,
            "stopped": why,
        },
    )
