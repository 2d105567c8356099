"""The campaign block of an outbound pop: the reason line per type and language filled from
the target's values (a missing value shows as a dash), a script for every type in both
languages, and attempt keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.core.errors import CallcenterError
from outbound import scripts
from outbound.campaign_pop import campaign_pop_of
from outbound.desk.models import AttemptFacts, AttemptKey
from outbound.models import (
    Attempt,
    AttemptState,
    Campaign,
    CampaignMode,
    CampaignState,
    CampaignType,
    GatewayKind,
    Target,
    TargetQuery,
    TargetQueryKind,
)

ARREARS = {"arrears": "356.20", "overdue_since": "2026-11-05", "late_fee": "3.56"}


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en-US", "Arrears reminder: 356.20 yuan overdue since 2026-11-05, late fee to date 3.56"),
        ("zh-CN", "欠费提醒：自 2026-11-05 起欠费 356.20 元，截至目前违约金 3.56 元"),
    ],
)
def test_the_reason_line_is_filled_from_the_values(lang: str, line: str) -> None:
    assert scripts.reason(CampaignType.ARREARS_REMINDER, ARREARS)[lang] == line


def test_a_missing_value_shows_as_a_dash() -> None:
    line = scripts.reason(CampaignType.BILL_REMINDER, {"amount_due": "80.00"})["en-US"]
    assert line == "Bill reminder: 80.00 yuan due on —"


@pytest.mark.parametrize("kind", list(CampaignType))
def test_every_type_has_its_texts_in_both_languages(kind: CampaignType) -> None:
    texts = [*scripts.reason(kind, {}).values(), *scripts.script(kind).values()]
    assert len(texts) == 4 and all(texts)


def test_the_block_of_an_attempt() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    campaign = Campaign(
        3, "十二月催费", CampaignType.ARREARS_REMINDER, CampaignState.RUNNING,
        GatewayKind.SIMULATED, TargetQuery(TargetQueryKind.ARREARS_OVER, "30"), None, at,
        mode=CampaignMode.PROGRESSIVE,
    )  # fmt: skip
    attempt = Attempt(11, 3, 9, 2, AttemptState.PLACED)
    target = Target(9, 3, 5, 6, "+8613900000201", {"account_no": "3300000201", **ARREARS})
    block = campaign_pop_of(AttemptFacts(campaign, attempt, target)).to_json()
    assert (block["id"], block["type"], block["mode"]) == (3, "arrears-reminder", "progressive")
    assert (block["attempt"], block["attempt_no"], block["account_no"]) == (
        "3:9:2",
        2,
        "3300000201",
    )
    assert block["reason"]["en-US"].startswith("Arrears reminder: 356.20 yuan")
    assert set(block["script"]) == {"zh-CN", "en-US"}


@pytest.mark.parametrize("text", ["3:9", "a:b:c", "3:9:1:1", "", "3:9:-1"])
def test_a_bad_attempt_key(text: str) -> None:
    with pytest.raises(CallcenterError) as err:
        AttemptKey.parse(text)
    assert err.value.code == "no-such-attempt"


def test_an_attempt_key_round_trips() -> None:
    assert str(AttemptKey.parse("3:9:2")) == "3:9:2"
