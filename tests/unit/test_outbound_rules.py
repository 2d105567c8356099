"""Campaign creation: outage notices need the pack's lead time (cn: 7 days planned, 24 h for
temporary maintenance to important users), naming the rule; and the pack's outbound part."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.core.errors import CallcenterError
from callcenter.core.policy import CN_2026_CALENDAR, CN_OUTBOUND, pack_in_force
from outbound.models import CampaignType
from outbound.rules import OutageKind, creation_refusal, require_creation_allowed

RULES = CN_OUTBOUND
NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
T = CampaignType
K = OutageKind


@pytest.mark.parametrize(
    ("campaign_type", "kind", "lead", "important", "rule"),
    [
        (T.OUTAGE_NOTICE, K.PLANNED, timedelta(days=7), True, None),
        (T.OUTAGE_NOTICE, K.PLANNED, timedelta(days=8), True, None),
        (T.OUTAGE_NOTICE, K.PLANNED, timedelta(days=7) - timedelta(seconds=1), True, "planned"),
        (T.OUTAGE_NOTICE, K.PLANNED, timedelta(days=2), False, "planned"),
        (T.OUTAGE_NOTICE, K.PLANNED, timedelta(hours=-1), True, "planned"),  # already started
        (T.OUTAGE_NOTICE, K.TEMPORARY, timedelta(hours=24), True, None),
        (T.OUTAGE_NOTICE, K.TEMPORARY, timedelta(hours=23, minutes=59), True, "temporary"),
        (T.OUTAGE_NOTICE, K.TEMPORARY, timedelta(hours=2), False, None),  # no important users
        (T.OUTAGE_NOTICE, K.FAULT, timedelta(0), True, None),
        (T.BILL_REMINDER, K.PLANNED, timedelta(hours=1), True, None),  # not an outage notice
        (T.RESTORATION_NOTICE, K.PLANNED, timedelta(hours=1), True, None),
    ],
)
def test_notice_lead_table(
    campaign_type: CampaignType,
    kind: OutageKind,
    lead: timedelta,
    important: bool,
    rule: str | None,
) -> None:
    refusal = creation_refusal(
        campaign_type, NOW + lead, kind, NOW, RULES, important_users=important
    )
    assert (refusal is None) == (rule is None)
    assert rule is None or (refusal is not None and rule in refusal)


def test_the_refusal_says_how_long_is_needed_and_left() -> None:
    refusal = creation_refusal(
        T.OUTAGE_NOTICE, NOW + timedelta(days=3, hours=4), K.PLANNED, NOW, RULES
    )
    assert refusal == (
        "rule planned-outage notice lead: notice at least 7 d 0 h before the outage; "
        "it starts in 3 d 4 h"
    )


@pytest.mark.parametrize(
    ("start", "kind", "code"),
    [
        (None, K.PLANNED, "outage-start-missing"),
        (None, K.TEMPORARY, "outage-start-missing"),
        (NOW + timedelta(hours=5), K.TEMPORARY, "notice-too-late"),
        (NOW + timedelta(days=1), K.PLANNED, "notice-too-late"),
    ],
)
def test_refusals_as_api_errors(start: datetime | None, kind: OutageKind, code: str) -> None:
    with pytest.raises(CallcenterError) as caught:
        require_creation_allowed(T.OUTAGE_NOTICE, start, kind, NOW, RULES)
    assert caught.value.code == code


@pytest.mark.parametrize(("start", "kind"), [(None, K.FAULT), (NOW + timedelta(days=7), K.PLANNED)])
def test_allowed_creation_raises_nothing(start: datetime | None, kind: OutageKind) -> None:
    require_creation_allowed(T.OUTAGE_NOTICE, start, kind, NOW, RULES)


def test_the_cn_pack_in_force_has_the_outbound_rules() -> None:
    assert pack_in_force("cn-sgcc", date(2026, 3, 10)).outbound is CN_OUTBOUND


@pytest.mark.parametrize(
    ("day", "holiday", "working"),
    [
        (date(2026, 1, 1), True, False),  # New Year
        (date(2026, 1, 4), False, True),  # make-up Sunday
        (date(2026, 2, 14), False, True),  # make-up Saturday before Spring Festival
        (date(2026, 2, 15), True, False),  # Spring Festival, first day (a Sunday)
        (date(2026, 2, 23), True, False),  # Spring Festival, last day (a Monday)
        (date(2026, 2, 24), False, True),
        (date(2026, 2, 28), False, True),  # make-up Saturday after
        (date(2026, 3, 7), False, False),  # a plain Saturday
        (date(2026, 3, 10), False, True),  # a plain Tuesday
        (date(2026, 4, 6), True, False),  # Qingming (Monday)
        (date(2026, 5, 5), True, False),  # Labour Day, last
        (date(2026, 5, 9), False, True),  # make-up Saturday
        (date(2026, 6, 19), True, False),  # Dragon Boat
        (date(2026, 9, 20), False, True),  # make-up Sunday
        (date(2026, 9, 25), True, False),  # Mid-Autumn
        (date(2026, 10, 7), True, False),  # National Day, last
        (date(2026, 10, 8), False, True),
        (date(2026, 10, 10), False, True),  # make-up Saturday
    ],
)
def test_2026_calendar(day: date, holiday: bool, working: bool) -> None:
    assert (CN_2026_CALENDAR.is_holiday(day), CN_2026_CALENDAR.is_working_day(day)) == (
        holiday,
        working,
    )


def test_2026_has_33_days_off_and_6_make_up_days() -> None:
    assert (len(CN_2026_CALENDAR.holidays), len(CN_2026_CALENDAR.make_up_workdays)) == (33, 6)
