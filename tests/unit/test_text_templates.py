"""The texts of notice campaigns (pure): every text type in both languages, filled with the
target's values, times in local time, the target's language chosen, a bad file refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from outbound.models import CampaignType
from outbound.texts.templates import (
    LANGUAGES,
    TEXT_TYPES,
    TextTemplateError,
    TextTemplates,
    language_of,
)

VALUES = {
    "account_no": "3300000042",
    "outage_kind": "fault",
    "outage_area": "文三路沿线",
    "outage_cause": "10kV线路故障跳闸",
    "outage_start": "2026-03-10T01:00:00+00:00",
    "outage_etr": "2026-03-10T04:00:00+00:00",
    "restored_at": "2026-03-10T05:30:00+00:00",
    "amount_due": "180.00",
    "due_date": "2026-03-12",
    "balance": "12.50",
}
TEMPLATES = TextTemplates.load("Asia/Shanghai")
EXPECTED = {
    CampaignType.OUTAGE_NOTICE: ("09:00", "12:00"),
    CampaignType.ETR_UPDATE: ("12:00",),
    CampaignType.RESTORATION_NOTICE: ("13:30",),
    CampaignType.BILL_REMINDER: ("180.00",),
    CampaignType.LOW_BALANCE: ("12.50",),
    CampaignType.ZERO_BALANCE: ("12.50",),
}


@pytest.mark.parametrize("kind", sorted(TEXT_TYPES), ids=str)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_type_reads_its_facts_in_each_language(kind: CampaignType, lang: str) -> None:
    body, language = TEMPLATES.render(kind, {**VALUES, "lang": lang})
    assert language == lang
    assert "0042" in body and "{" not in body and "None" not in body
    assert len(body) <= 160
    assert all(fact in body for fact in EXPECTED[kind]), body
    assert ("文三路" in body) == (lang == "zh-CN" and kind not in _BILLING)


_BILLING = {CampaignType.BILL_REMINDER, CampaignType.LOW_BALANCE, CampaignType.ZERO_BALANCE}


def test_times_are_local_and_the_etr_falls_back_to_outage_etr() -> None:
    body, _ = TEMPLATES.render(CampaignType.ETR_UPDATE, VALUES)
    assert "3月10日12:00" in body  # 04:00 UTC is noon in Beijing


def test_missing_values_read_as_empty() -> None:
    body, _ = TEMPLATES.render(CampaignType.RESTORATION_NOTICE, {"account_no": "3300000042"})
    assert "0042" in body and "{" not in body


@pytest.mark.parametrize(
    ("values", "expected"),
    [({}, "zh-CN"), ({"lang": "en-US"}, "en-US"), ({"lang": "fr-FR"}, "zh-CN")],
)
def test_the_targets_language(values: dict[str, str], expected: str) -> None:
    assert language_of(values) == expected


SHIPPED = (Path(__file__).parents[2] / "outbound" / "texts" / "templates.yaml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '  en-US: "95598: power is off',
            '  fr-FR: "95598: power is off',
            "no en-US text for outage-notice",
        ),
        ("尾号{account_tail}", "尾号{account_tail[0]}", "plain names"),
        ("尾号{account_tail}", "尾号{account_tail", "outage-notice.zh-CN"),
    ],
    ids=["missing", "indexed-field", "unclosed"],
)
def test_a_bad_templates_file_is_refused(tmp_path: Path, old: str, new: str, problem: str) -> None:
    assert old in SHIPPED
    path = tmp_path / "texts.yaml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TextTemplateError, match=problem):
        TextTemplates.load("Asia/Shanghai", path)
