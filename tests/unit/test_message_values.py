"""The values a campaign's message flow speaks, from what the target queries store."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from callcenter.core.policy import CN_SGCC
from outbound.message_values import message_values
from outbound.models import ArrearsSequence, ArrearsStep, CampaignType

T = CampaignType
RULES = CN_SGCC.outbound
CUT = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)
SEQUENCE = ArrearsSequence(1, ArrearsStep.APPROVED, Decimal("100"), CUT, cut_at=CUT)


@pytest.mark.parametrize(
    ("kind", "stored", "expected"),
    [
        (T.BILL_REMINDER, {"amount_due": "80.00"}, {"amount": "80.00"}),
        (
            T.OUTAGE_NOTICE,
            {"outage_etr": "2026-03-10T08:00:00+08:00"},
            {"outage_restore": "2026-03-10T08:00:00+08:00"},
        ),
        (
            T.ETR_UPDATE,
            {"previous_etr": "x", "outage_etr": "y"},
            {"previous_restore": "x", "outage_restore": "y"},
        ),
        (T.LOW_BALANCE, {"balance": "12.50"}, {"threshold": "30.00"}),
        (T.BILL_REMINDER, {"amount_due": "80.00", "amount": "75.00"}, {"amount": "75.00"}),
    ],
)
def test_flow_names_come_from_the_stored_values(
    kind: CampaignType, stored: dict[str, str], expected: dict[str, str]
) -> None:
    values = message_values(kind, stored, RULES)
    assert all(values[k] == v for k, v in expected.items())
    assert all(values[k] == v for k, v in stored.items())  # nothing stored is lost


@pytest.mark.parametrize("kind", [T.DISCONNECTION_NOTICE, T.RE_NOTICE])
def test_disconnection_notices_name_the_cut_time_of_the_sequence(kind: CampaignType) -> None:
    assert message_values(kind, {}, RULES, SEQUENCE)["cut_at"] == "2026-03-20T09:00:00+08:00"
    assert "cut_at" not in message_values(kind, {}, RULES, None)


def test_times_are_spoken_in_the_callees_wall_time() -> None:
    stored = {"outage_start": "2026-03-10T01:00:00+00:00", "account_no": "3300000001"}
    values = message_values(T.OUTAGE_NOTICE, stored, RULES, timezone="Asia/Shanghai")
    assert values["outage_start"] == "2026-03-10T09:00:00+08:00"
    assert values["account_no"] == "3300000001"
