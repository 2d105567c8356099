"""The compliance gate's table (cn-sgcc pack): every refusal reason, the allowed case, the
window edges in callee-local time, caps at the limit and one over, and where the gate waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.policy import CN_SGCC
from outbound.gate import (
    ContactHistory,
    DialContext,
    PastAttempt,
    Refusal,
    callee_zone,
    check,
    window,
)
from outbound.models import ArrearsStep, AttemptResult, CampaignType, RefusalReason, Target

RULES = CN_SGCC.outbound
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)  # a Tuesday, a working day
T = CampaignType
R = AttemptResult
Why = RefusalReason


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Shanghai wall-clock time as the UTC instant the dialer would pass."""
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI).astimezone(UTC)


NOON = local(DAY, 12)


def dial(
    campaign_type: CampaignType = T.OUTAGE_NOTICE,
    *,
    phone: str = "+8613800138000",
    vulnerable: bool = False,
    disputed: bool = False,
    opted_out: bool = False,
    suspended_areas: frozenset[str] = frozenset(),
    zone: str | None = None,
    hours: tuple[time, time] | None = None,
    step: ArrearsStep | None = None,
    cut_at: datetime | None = None,
) -> DialContext:
    """A dial; a disconnection notice (re-notice) is in step by default: an approved
    sequence cutting 5 days after noon (a delivered notice cutting an hour after noon)."""
    if campaign_type is T.DISCONNECTION_NOTICE and step is None:
        step, cut_at = ArrearsStep.NOTICE_DELIVERED, cut_at or NOON + timedelta(days=5)
    if campaign_type is T.RE_NOTICE and step is None:
        step, cut_at = ArrearsStep.NOTICE_DELIVERED, cut_at or NOON + timedelta(hours=1)
    return DialContext(
        campaign_type,
        7,
        phone,
        "dongcheng",
        vulnerable,
        disputed,
        opted_out,
        suspended_areas,
        zone,
        hours,
        step,
        cut_at,
    )


DN, RN = T.DISCONNECTION_NOTICE, T.RE_NOTICE
OVERDUE, APPROVED = ArrearsStep.OVERDUE, ArrearsStep.APPROVED
D, H = timedelta(days=1), timedelta(hours=1)
P = pytest.param


@pytest.mark.parametrize(
    ("context", "why", "retry_at"),
    [
        P(dial(DN), None, None, id="dn-in-step"),
        P(dial(DN, step=OVERDUE, cut_at=NOON + 5 * D), "seq", None, id="dn-unapproved"),
        P(dial(DN, step=APPROVED, cut_at=None), None, None, id="dn-first-notice"),
        P(dial(DN, cut_at=NOON + 9 * D), "seq", NOON + 2 * D, id="dn-too-early"),
        P(dial(DN, cut_at=NOON + 2 * D), "seq", None, id="dn-too-late"),
        P(dial(RN), None, None, id="rn-in-step"),
        P(dial(RN, step=APPROVED, cut_at=NOON + H), "seq", None, id="rn-no-notice"),
        P(dial(RN, cut_at=NOON + 5 * H), "seq", NOON + 3 * H, id="rn-too-early"),
        P(dial(RN, cut_at=NOON + H / 6), "seq", None, id="rn-too-late"),
        P(dial(hours=(time(13), time(17))), "win", local(DAY, 13), id="campaign-window"),
        P(dial(hours=(time(9), time(17))), None, None, id="in-campaign-window"),
    ],
)
def test_the_arrears_sequence_and_the_campaign_window(
    context: DialContext, why: str | None, retry_at: datetime | None
) -> None:
    refusal = check(context, ContactHistory(), RULES, NOON)
    expected = {"seq": Why.SEQUENCE, "win": Why.OUTSIDE_WINDOW, None: None}[why]
    assert (refusal.reason if refusal else None) == expected
    assert (refusal.retry_at if refusal else None) == retry_at


def calls(
    n: int, result: AttemptResult | None, kind: CampaignType = T.OUTAGE_NOTICE, *, at: datetime
) -> tuple[PastAttempt, ...]:
    return tuple(PastAttempt(at - timedelta(minutes=i), kind, result) for i in range(n))


def daily(n: int, result: AttemptResult | None, *, first: datetime) -> tuple[PastAttempt, ...]:
    """One call a day for `n` days, the newest on the day before `first`."""
    return tuple(
        PastAttempt(first - timedelta(days=i + 1), T.BILL_REMINDER, result) for i in range(n)
    )


SUSPENDED = frozenset({"dongcheng"})


@pytest.mark.parametrize(
    ("dial_", "history", "now", "reason"),
    [
        pytest.param(dial(), (), NOON, None, id="allowed"),
        # calling window, half-open [08:00, 21:00) callee-local
        pytest.param(dial(T.BILL_REMINDER), (), local(DAY, 7, 59), Why.OUTSIDE_WINDOW, id="07:59"),
        pytest.param(dial(T.BILL_REMINDER), (), local(DAY, 8, 0), None, id="08:00"),
        pytest.param(dial(T.BILL_REMINDER), (), local(DAY, 20, 59), None, id="20:59"),
        pytest.param(dial(T.BILL_REMINDER), (), local(DAY, 21, 0), Why.OUTSIDE_WINDOW, id="21:00"),
        pytest.param(
            dial(T.ARREARS_REMINDER), (), local(DAY, 21, 30), Why.OUTSIDE_WINDOW, id="arrears-21:30"
        ),
        pytest.param(dial(), (), local(DAY, 3), Why.OUTSIDE_WINDOW, id="night"),
        # opt-out wins over everything, for every type
        pytest.param(dial(opted_out=True), (), NOON, Why.OPTED_OUT, id="opted-out"),
        pytest.param(dial(opted_out=True), (), local(DAY, 3), Why.OPTED_OUT, id="opted-out-night"),
        # vulnerable and disputed: arrears types only
        pytest.param(dial(T.ARREARS_REMINDER, vulnerable=True), (), NOON, Why.VULNERABLE, id="v-r"),
        pytest.param(
            dial(T.DISCONNECTION_NOTICE, vulnerable=True), (), NOON, Why.VULNERABLE, id="v-dn"
        ),
        pytest.param(dial(T.RE_NOTICE, vulnerable=True), (), NOON, Why.VULNERABLE, id="v-rn"),
        pytest.param(dial(T.OUTAGE_NOTICE, vulnerable=True), (), NOON, None, id="v-outage"),
        pytest.param(dial(T.BILL_REMINDER, vulnerable=True), (), NOON, None, id="v-bill"),
        pytest.param(dial(T.RE_NOTICE, disputed=True), (), NOON, Why.DISPUTED_BILL, id="d-rn"),
        pytest.param(
            dial(T.ARREARS_REMINDER, disputed=True), (), NOON, Why.DISPUTED_BILL, id="d-r"
        ),
        pytest.param(dial(T.BILL_REMINDER, disputed=True), (), NOON, None, id="d-bill"),
        pytest.param(
            dial(T.ARREARS_REMINDER, vulnerable=True, disputed=True),
            (),
            NOON,
            Why.VULNERABLE,
            id="vulnerable-before-disputed",
        ),
        # area suspension: billing, arrears and surveys; never outage information
        pytest.param(
            dial(T.ARREARS_REMINDER, suspended_areas=SUSPENDED),
            (),
            NOON,
            Why.AREA_SUSPENDED,
            id="s-arrears",
        ),
        pytest.param(
            dial(T.BILL_REMINDER, suspended_areas=SUSPENDED), (), NOON, Why.AREA_SUSPENDED, id="s-b"
        ),
        pytest.param(
            dial(T.SATISFACTION_CALLBACK, suspended_areas=SUSPENDED),
            (),
            NOON,
            Why.AREA_SUSPENDED,
            id="s-survey",
        ),
        pytest.param(dial(suspended_areas=SUSPENDED), (), NOON, None, id="s-outage-notice"),
        pytest.param(
            dial(T.RESTORATION_NOTICE, suspended_areas=SUSPENDED), (), NOON, None, id="s-restored"
        ),
        pytest.param(
            dial(T.ARREARS_REMINDER, suspended_areas=frozenset({"xicheng"})),
            (),
            NOON,
            None,
            id="s-other-area",
        ),
        # public holidays: arrears types only; a make-up Saturday is a working day
        pytest.param(
            dial(T.ARREARS_REMINDER), (), local(date(2026, 10, 2), 10), Why.HOLIDAY, id="h-arrears"
        ),
        pytest.param(
            dial(T.DISCONNECTION_NOTICE), (), local(date(2026, 2, 17), 10), Why.HOLIDAY, id="h-dn"
        ),
        pytest.param(dial(), (), local(date(2026, 10, 2), 10), None, id="h-outage-notice"),
        pytest.param(
            dial(T.ARREARS_REMINDER), (), local(date(2026, 2, 14), 10), None, id="h-make-up-day"
        ),
        pytest.param(
            dial(T.ARREARS_REMINDER), (), local(date(2026, 10, 2), 7), Why.HOLIDAY, id="h-first"
        ),
        # daily cap: reached calls today, callee-local day, every campaign
        pytest.param(dial(), calls(2, R.ANSWERED, at=NOON), NOON, None, id="daily-2"),
        pytest.param(dial(), calls(3, R.ANSWERED, at=NOON), NOON, Why.DAILY_CAP, id="daily-3"),
        pytest.param(
            dial(), calls(3, R.CONFIRMED, T.BILL_REMINDER, at=NOON), NOON, Why.DAILY_CAP, id="d-mix"
        ),
        pytest.param(dial(), calls(3, None, at=NOON), NOON, Why.DAILY_CAP, id="daily-in-flight"),
        pytest.param(dial(), calls(3, R.UNCERTAIN, at=NOON), NOON, Why.DAILY_CAP, id="d-uncertain"),
        pytest.param(dial(), calls(5, R.NO_ANSWER, at=NOON), NOON, None, id="daily-unanswered"),
        pytest.param(dial(), calls(5, R.REFUSED, at=NOON), NOON, None, id="daily-refused"),
        pytest.param(
            dial(),
            calls(3, R.ANSWERED, at=local(DAY, 7, 30)),
            NOON,
            Why.DAILY_CAP,
            id="d-local-day",
        ),
        pytest.param(
            dial(),
            calls(3, R.ANSWERED, at=local(DAY, 0) - timedelta(minutes=1)),
            NOON,
            None,
            id="daily-yesterday",
        ),
        # monthly cap: reached calls in the last 30 days
        pytest.param(dial(), daily(9, R.ANSWERED, first=NOON), NOON, None, id="monthly-9"),
        pytest.param(
            dial(), daily(10, R.ANSWERED, first=NOON), NOON, Why.MONTHLY_CAP, id="monthly-10"
        ),
        pytest.param(
            dial(),
            (
                *daily(9, R.ANSWERED, first=NOON),
                PastAttempt(NOON - timedelta(days=30), T.BILL_REMINDER, R.ANSWERED),
            ),
            NOON,
            None,
            id="monthly-oldest-out",
        ),
        # unanswered arrears calls today: arrears calls only, against arrears dials only
        pytest.param(
            dial(T.ARREARS_REMINDER),
            calls(5, R.NO_ANSWER, T.ARREARS_REMINDER, at=NOON),
            NOON,
            None,
            id="unanswered-5",
        ),
        pytest.param(
            dial(T.ARREARS_REMINDER),
            calls(3, R.BUSY, T.ARREARS_REMINDER, at=NOON)
            + calls(3, R.MACHINE, T.DISCONNECTION_NOTICE, at=NOON),
            NOON,
            Why.ARREARS_UNANSWERED_CAP,
            id="unanswered-6",
        ),
        pytest.param(
            dial(T.RE_NOTICE),
            calls(6, R.FAILED, T.ARREARS_REMINDER, at=NOON),
            NOON,
            Why.ARREARS_UNANSWERED_CAP,
            id="unanswered-6-re-notice",
        ),
        pytest.param(
            dial(T.ARREARS_REMINDER),
            calls(6, R.NO_ANSWER, T.OUTAGE_NOTICE, at=NOON),
            NOON,
            None,
            id="unanswered-other-type",
        ),
        pytest.param(
            dial(T.BILL_REMINDER),
            calls(6, R.NO_ANSWER, T.ARREARS_REMINDER, at=NOON),
            NOON,
            None,
            id="unanswered-not-arrears-dial",
        ),
    ],
)
def test_gate_table(
    dial_: DialContext,
    history: tuple[PastAttempt, ...],
    now: datetime,
    reason: RefusalReason | None,
) -> None:
    refusal = check(dial_, ContactHistory(history), RULES, now)
    assert (refusal.reason if refusal else None) == reason
    assert refusal is None or refusal.message


@pytest.mark.parametrize(
    ("dial_", "history", "now", "retry_at"),
    [
        pytest.param(dial(), (), local(DAY, 7, 59), local(DAY, 8), id="window-opens-today"),
        pytest.param(dial(), (), local(DAY, 21), local(date(2026, 3, 11), 8), id="window-tomorrow"),
        pytest.param(
            dial(T.ARREARS_REMINDER),
            (),
            local(date(2026, 10, 1), 9),
            local(date(2026, 10, 8), 8),
            id="holiday-ends",
        ),
        pytest.param(
            dial(), calls(3, R.ANSWERED, at=NOON), NOON, local(date(2026, 3, 11), 8), id="daily"
        ),
        pytest.param(
            dial(), daily(10, R.ANSWERED, first=NOON), NOON, NOON + timedelta(days=20), id="monthly"
        ),
        pytest.param(dial(opted_out=True), (), NOON, None, id="opt-out-never"),
        pytest.param(dial(T.RE_NOTICE, vulnerable=True), (), NOON, None, id="vulnerable-never"),
    ],
)
def test_when_a_refused_dial_may_pass(
    dial_: DialContext, history: tuple[PastAttempt, ...], now: datetime, retry_at: datetime | None
) -> None:
    refusal = check(dial_, ContactHistory(history), RULES, now)
    assert isinstance(refusal, Refusal)
    assert refusal.retry_at == retry_at


@pytest.mark.parametrize(
    ("phone", "zone"),
    [
        ("+8613800138000", "Asia/Shanghai"),
        ("+861065123456", "Asia/Shanghai"),
        ("+12125550100", "Europe/London"),  # split by area code: the pack's zone for now
        ("+442079460000", "Europe/London"),
    ],
)
def test_callee_zone_from_the_number(phone: str, zone: str) -> None:
    assert callee_zone(phone, "Europe/London") == zone


@pytest.mark.parametrize(
    ("utc", "reason"),
    [
        # 2026-03-10 New York is on EDT (UTC-4): 12:00 UTC is 08:00 there
        (datetime(2026, 3, 10, 11, 59, tzinfo=UTC), Why.OUTSIDE_WINDOW),
        (datetime(2026, 3, 10, 12, 0, tzinfo=UTC), None),
        (datetime(2026, 3, 11, 0, 59, tzinfo=UTC), None),
        (datetime(2026, 3, 11, 1, 0, tzinfo=UTC), Why.OUTSIDE_WINDOW),
    ],
)
def test_window_in_the_packs_zone_for_other_countries(
    utc: datetime, reason: RefusalReason | None
) -> None:
    rules = replace(RULES, default_zone="America/New_York")
    refusal = check(dial(phone="+12125550100"), ContactHistory(), rules, utc)
    assert (refusal.reason if refusal else None) == reason


def test_a_known_zone_beats_the_number() -> None:
    urumqi_7_30 = datetime.combine(DAY, time(7, 30), tzinfo=ZoneInfo("Asia/Urumqi"))
    refusal = check(dial(zone="Asia/Urumqi"), ContactHistory(), RULES, urumqi_7_30)
    assert refusal is not None and refusal.reason is Why.OUTSIDE_WINDOW
    assert check(dial(), ContactHistory(), RULES, urumqi_7_30) is None  # 09:30 in Shanghai


@pytest.mark.parametrize(
    ("campaign_type", "hours"),
    [
        (T.OUTAGE_NOTICE, (time(8), time(21))),
        (T.ARREARS_REMINDER, (time(8), time(21))),  # inside the arrears 08:00-22:00 too
    ],
)
def test_window_per_type(campaign_type: CampaignType, hours: tuple[time, time]) -> None:
    assert window(campaign_type, RULES) == hours


def test_arrears_window_narrows_the_calling_window() -> None:
    rules = replace(RULES, calling_window=(time(7), time(23)))
    assert window(T.ARREARS_REMINDER, rules) == (time(8), time(22))
    assert window(T.OUTAGE_NOTICE, rules) == (time(7), time(23))


def test_dial_context_from_a_target() -> None:
    target = Target(1, 2, 3, 4, "+8613800138000", vulnerable=True, area="x", disputed=True)
    context = DialContext.for_target(
        T.RE_NOTICE, target, opted_out=False, suspended_areas=frozenset({"x"})
    )
    assert context == DialContext(
        T.RE_NOTICE, 3, "+8613800138000", "x", True, True, False, frozenset({"x"})
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(dial(), ContactHistory(), RULES, datetime(2026, 3, 10, 12))
