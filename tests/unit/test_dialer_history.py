"""The gate's history made from the stores' contact counts: the caps hold as counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.core.policy import CN_SGCC
from outbound.gate import DialContext, check
from outbound.history import day_start, history_from_counts
from outbound.models import CampaignType, ContactCounts, RefusalReason

RULES = CN_SGCC.outbound
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, a Tuesday
PHONE = "+8613800000001"


def test_the_day_starts_at_the_callee_midnight() -> None:
    assert day_start(PHONE, RULES, NOW) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("campaign_type", "counts", "reason"),
    [
        (CampaignType.OUTAGE_NOTICE, ContactCounts(2, 2, 0), None),
        (CampaignType.OUTAGE_NOTICE, ContactCounts(3, 3, 0), RefusalReason.DAILY_CAP),
        (CampaignType.BILL_REMINDER, ContactCounts(0, 10, 0), RefusalReason.MONTHLY_CAP),
        (
            CampaignType.ARREARS_REMINDER,
            ContactCounts(6, 6, 6),
            RefusalReason.ARREARS_UNANSWERED_CAP,
        ),
        (CampaignType.OUTAGE_NOTICE, ContactCounts(6, 6, 6), None),  # unanswered: not reached
    ],
)
def test_counts_become_a_history_the_gate_caps(
    campaign_type: CampaignType, counts: ContactCounts, reason: RefusalReason | None
) -> None:
    history = history_from_counts(counts, day_start(PHONE, RULES, NOW), NOW)
    dial = DialContext(campaign_type, 1, PHONE)
    refusal = check(dial, history, RULES, NOW)
    assert (refusal.reason if refusal else None) is reason
    if refusal:
        assert refusal.retry_at is not None and refusal.retry_at > NOW
