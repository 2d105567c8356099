"""The arrears disconnection procedure (cn-sgcc pack): every transition allowed and refused,
the blocks with their codes, payments before and after the cut."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.errors import CallcenterError
from callcenter.core.policy import CN_OUTBOUND
from outbound.arrears import (
    AccountStanding,
    ApprovalGiven,
    ArrearsEvent,
    CutTimeReached,
    NoticeDelivered,
    PaymentRecorded,
    ReminderRecorded,
    ReNoticeGiven,
    Withdrawn,
    advance,
    open_sequence,
    reconnection_due,
)
from outbound.models import ArrearsSequence, ArrearsStep

RULES = CN_OUTBOUND
S = ArrearsStep
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


OVERDUE_SINCE = local(2026, 1, 20, 0)
APPROVE_AT = OVERDUE_SINCE + timedelta(days=31)
CUT = local(2026, 3, 16, 10)  # a Monday, a working day
HOLIDAY_CUT = local(2026, 4, 4, 1)  # Qingming in Shanghai, still 3 April in UTC
NEAR_HOLIDAY_CUT = local(2026, 4, 7, 0, 30)  # the day after Qingming, 6 April in UTC
CLEAR = AccountStanding(area_suspended=False, vulnerable=False, disputed=False)
SUPERVISOR = ApprovalGiven(approver_id=9, role="supervisor", important=False)
PAID = PaymentRecorded(Decimal("300.00"))


def seq(step: ArrearsStep, cut_at: datetime | None = None) -> ArrearsSequence:
    return ArrearsSequence(1, step, Decimal("300.00"), OVERDUE_SINCE, cut_at=cut_at)


def after(start: ArrearsSequence, now: datetime, **changes: object) -> ArrearsSequence:
    return replace(start, updated_at=now, **changes)  # type: ignore[arg-type]


STOPPED: dict[str, object] = {"step": S.STOPPED}
OPEN = (S.OVERDUE, S.REMINDED, S.APPROVED, S.NOTICE_DELIVERED, S.RE_NOTIFIED)
ALLOWED: list[
    tuple[str, ArrearsSequence, ArrearsEvent, datetime, AccountStanding, dict[str, object]]
] = [
    ("remind", seq(S.OVERDUE), ReminderRecorded(), APPROVE_AT, CLEAR, {"step": S.REMINDED}),
    (
        "remind-early",
        seq(S.OVERDUE),
        ReminderRecorded(),
        OVERDUE_SINCE,
        CLEAR,
        {"step": S.REMINDED},
    ),
    ("remind-again", seq(S.REMINDED), ReminderRecorded(), APPROVE_AT, CLEAR, {"step": S.REMINDED}),
    (
        "remind-vulnerable",
        seq(S.OVERDUE),
        ReminderRecorded(),
        APPROVE_AT,
        replace(CLEAR, vulnerable=True),
        {"step": S.REMINDED},
    ),
    (
        "approve",
        seq(S.REMINDED),
        SUPERVISOR,
        APPROVE_AT,
        CLEAR,
        {"step": S.APPROVED, "approved_by": 9},
    ),
    (
        "approve-admin",
        seq(S.REMINDED),
        ApprovalGiven(8, "admin", important=False),
        APPROVE_AT,
        CLEAR,
        {"step": S.APPROVED, "approved_by": 8},
    ),
    (
        "approve-important-company",
        seq(S.REMINDED),
        ApprovalGiven(7, "company", important=True),
        APPROVE_AT,
        CLEAR,
        {"step": S.APPROVED, "approved_by": 7},
    ),
    (
        "notice-3-days",
        seq(S.APPROVED),
        NoticeDelivered(CUT),
        CUT - timedelta(days=3),
        CLEAR,
        {"step": S.NOTICE_DELIVERED, "cut_at": CUT},
    ),
    (
        "notice-7-days",
        seq(S.APPROVED),
        NoticeDelivered(CUT),
        CUT - timedelta(days=7),
        CLEAR,
        {"step": S.NOTICE_DELIVERED, "cut_at": CUT},
    ),
    (
        "notice-cut-after-holiday-local",
        seq(S.APPROVED),
        NoticeDelivered(NEAR_HOLIDAY_CUT),
        NEAR_HOLIDAY_CUT - timedelta(days=5),
        CLEAR,
        {"step": S.NOTICE_DELIVERED, "cut_at": NEAR_HOLIDAY_CUT},
    ),
    (
        "new-notice-replaces",
        seq(S.NOTICE_DELIVERED, CUT),
        NoticeDelivered(CUT + timedelta(days=2)),
        CUT - timedelta(days=1),
        CLEAR,
        {"step": S.NOTICE_DELIVERED, "cut_at": CUT + timedelta(days=2)},
    ),
    (
        "new-notice-after-re-notice",
        seq(S.RE_NOTIFIED, CUT),
        NoticeDelivered(CUT + timedelta(days=4)),
        CUT + timedelta(hours=3),
        CLEAR,
        {"step": S.NOTICE_DELIVERED, "cut_at": CUT + timedelta(days=4)},
    ),
    (
        "re-notice-30-min",
        seq(S.NOTICE_DELIVERED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(minutes=30),
        CLEAR,
        {"step": S.RE_NOTIFIED},
    ),
    (
        "re-notice-2-h",
        seq(S.NOTICE_DELIVERED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(hours=2),
        CLEAR,
        {"step": S.RE_NOTIFIED},
    ),
    ("executable", seq(S.RE_NOTIFIED, CUT), CutTimeReached(), CUT, CLEAR, {"step": S.EXECUTABLE}),
    (
        "executable-grace-end",
        seq(S.RE_NOTIFIED, CUT),
        CutTimeReached(),
        CUT + timedelta(hours=2),
        CLEAR,
        {"step": S.EXECUTABLE},
    ),
    *[
        (
            f"paid-at-{step}",
            seq(step, CUT),
            PAID,
            CUT - timedelta(hours=1),
            CLEAR,
            {"step": S.STOPPED, "arrears": Decimal(0)},
        )
        for step in OPEN
    ],
    (
        "partly-paid-stops",
        seq(S.APPROVED),
        PaymentRecorded(Decimal("100.00")),
        APPROVE_AT,
        CLEAR,
        {"step": S.STOPPED, "arrears": Decimal("200.00")},
    ),
    (
        "paid-late-but-never-executable",
        seq(S.RE_NOTIFIED, CUT),
        PAID,
        CUT + timedelta(hours=1),
        CLEAR,
        {"step": S.STOPPED, "arrears": Decimal(0)},
    ),
    (
        "paid-after-cut",
        seq(S.EXECUTABLE, CUT),
        PAID,
        CUT + timedelta(hours=5),
        CLEAR,
        {"step": S.RECONNECTION_DUE, "arrears": Decimal(0)},
    ),
    *[
        (
            f"withdrawn-at-{step}",
            seq(step, CUT),
            Withdrawn(),
            APPROVE_AT,
            CLEAR,
            STOPPED,
        )
        for step in OPEN
    ],
]


@pytest.mark.parametrize(
    ("start", "event", "now", "standing", "changes"),
    [pytest.param(*row[1:], id=row[0]) for row in ALLOWED],
)
def test_allowed_transitions(
    start: ArrearsSequence,
    event: ArrearsEvent,
    now: datetime,
    standing: AccountStanding,
    changes: dict[str, object],
) -> None:
    assert advance(start, event, RULES, now, standing=standing) == after(start, now, **changes)


BLOCKED = AccountStanding(area_suspended=True, vulnerable=True, disputed=True)
REFUSED: list[tuple[str, ArrearsSequence, ArrearsEvent, datetime, AccountStanding, str, str]] = [
    (
        "approve-before-reminder",
        seq(S.OVERDUE),
        SUPERVISOR,
        APPROVE_AT,
        CLEAR,
        "arrears-step-not-allowed",
        "payment reminder",
    ),
    (
        "approve-at-30-days",
        seq(S.REMINDED),
        SUPERVISOR,
        OVERDUE_SINCE + timedelta(days=30),
        CLEAR,
        "arrears-step-not-allowed",
        "30 days",
    ),
    (
        "approve-important-by-supervisor",
        seq(S.REMINDED),
        ApprovalGiven(9, "supervisor", important=True),
        APPROVE_AT,
        CLEAR,
        "arrears-approval-role",
        "company",
    ),
    (
        "approve-by-operator",
        seq(S.REMINDED),
        ApprovalGiven(9, "operator", important=False),
        APPROVE_AT,
        CLEAR,
        "arrears-approval-role",
        "supervisor",
    ),
    (
        "approve-twice",
        seq(S.APPROVED),
        SUPERVISOR,
        APPROVE_AT,
        CLEAR,
        "arrears-step-not-allowed",
        "approved",
    ),
    (
        "remind-after-approval",
        seq(S.APPROVED),
        ReminderRecorded(),
        APPROVE_AT,
        CLEAR,
        "arrears-step-not-allowed",
        "approved",
    ),
    *[
        (
            f"notice-at-{step}",
            seq(step),
            NoticeDelivered(CUT),
            CUT - timedelta(days=5),
            CLEAR,
            "arrears-step-not-allowed",
            "the approval",
        )
        for step in (S.OVERDUE, S.REMINDED)
    ],
    (
        "notice-under-3-days",
        seq(S.APPROVED),
        NoticeDelivered(CUT),
        CUT - timedelta(days=3) + timedelta(seconds=1),
        CLEAR,
        "arrears-step-not-allowed",
        "3 to 7 days",
    ),
    (
        "notice-over-7-days",
        seq(S.APPROVED),
        NoticeDelivered(CUT),
        CUT - timedelta(days=7, seconds=1),
        CLEAR,
        "arrears-step-not-allowed",
        "3 to 7 days",
    ),
    (
        "re-notice-before-notice",
        seq(S.APPROVED),
        ReNoticeGiven(),
        CUT - timedelta(hours=1),
        CLEAR,
        "arrears-step-not-allowed",
        "disconnection notice",
    ),
    (
        "re-notice-under-30-min",
        seq(S.NOTICE_DELIVERED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(minutes=29),
        CLEAR,
        "arrears-step-not-allowed",
        "between 120 and 30 minutes",
    ),
    (
        "re-notice-too-early",
        seq(S.NOTICE_DELIVERED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(hours=2, minutes=1),
        CLEAR,
        "arrears-step-not-allowed",
        "between 120 and 30 minutes",
    ),
    (
        "re-notice-twice",
        seq(S.RE_NOTIFIED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(hours=1),
        CLEAR,
        "arrears-step-not-allowed",
        "re-notified",
    ),
    (
        "executable-without-re-notice",
        seq(S.NOTICE_DELIVERED, CUT),
        CutTimeReached(),
        CUT,
        CLEAR,
        "arrears-step-not-allowed",
        "re-notice",
    ),
    (
        "executable-early",
        seq(S.RE_NOTIFIED, CUT),
        CutTimeReached(),
        CUT - timedelta(minutes=1),
        CLEAR,
        "arrears-step-not-allowed",
        "not before",
    ),
    (
        "executable-too-late",
        seq(S.RE_NOTIFIED, CUT),
        CutTimeReached(),
        CUT + timedelta(hours=2, seconds=1),
        CLEAR,
        "arrears-step-not-allowed",
        "new notice",
    ),
    (
        "withdraw-executable",
        seq(S.EXECUTABLE, CUT),
        Withdrawn(),
        CUT,
        CLEAR,
        "arrears-step-not-allowed",
        "executable",
    ),
    (
        "stopped-is-closed",
        seq(S.STOPPED),
        ReminderRecorded(),
        APPROVE_AT,
        CLEAR,
        "arrears-sequence-closed",
        "stopped",
    ),
    (
        "stopped-payment",
        seq(S.STOPPED),
        PAID,
        APPROVE_AT,
        CLEAR,
        "arrears-sequence-closed",
        "stopped",
    ),
    (
        "reconnection-is-closed",
        seq(S.RECONNECTION_DUE, CUT),
        PAID,
        CUT,
        CLEAR,
        "arrears-sequence-closed",
        "reconnection-due",
    ),
    (
        "zero-payment",
        seq(S.APPROVED),
        PaymentRecorded(Decimal(0)),
        APPROVE_AT,
        CLEAR,
        "invalid-input",
        "positive",
    ),
    # blocks, in order: area suspension, holiday on the cut day, vulnerable, disputed
    (
        "approve-suspended",
        seq(S.REMINDED),
        SUPERVISOR,
        APPROVE_AT,
        replace(CLEAR, area_suspended=True),
        "area-suspended",
        "area",
    ),
    (
        "approve-vulnerable",
        seq(S.REMINDED),
        SUPERVISOR,
        APPROVE_AT,
        replace(CLEAR, vulnerable=True),
        "vulnerable",
        "protected",
    ),
    (
        "approve-disputed",
        seq(S.REMINDED),
        SUPERVISOR,
        APPROVE_AT,
        replace(CLEAR, disputed=True),
        "disputed-bill",
        "disputed",
    ),
    (
        "approve-all-blocks",
        seq(S.REMINDED),
        SUPERVISOR,
        APPROVE_AT,
        BLOCKED,
        "area-suspended",
        "area",
    ),
    (
        "notice-cut-on-holiday",
        seq(S.APPROVED),
        NoticeDelivered(HOLIDAY_CUT),
        HOLIDAY_CUT - timedelta(days=5),
        CLEAR,
        "holiday",
        "2026-04-04",
    ),
    (
        "notice-holiday-before-vulnerable",
        seq(S.APPROVED),
        NoticeDelivered(HOLIDAY_CUT),
        HOLIDAY_CUT - timedelta(days=5),
        replace(CLEAR, vulnerable=True),
        "holiday",
        "public holiday",
    ),
    (
        "notice-disputed",
        seq(S.APPROVED),
        NoticeDelivered(CUT),
        CUT - timedelta(days=5),
        replace(CLEAR, disputed=True),
        "disputed-bill",
        "disputed",
    ),
    (
        "re-notice-holiday",
        seq(S.NOTICE_DELIVERED, HOLIDAY_CUT),
        ReNoticeGiven(),
        HOLIDAY_CUT - timedelta(hours=1),
        CLEAR,
        "holiday",
        "public holiday",
    ),
    (
        "re-notice-suspended",
        seq(S.NOTICE_DELIVERED, CUT),
        ReNoticeGiven(),
        CUT - timedelta(hours=1),
        replace(CLEAR, area_suspended=True),
        "area-suspended",
        "area",
    ),
    (
        "executable-vulnerable",
        seq(S.RE_NOTIFIED, CUT),
        CutTimeReached(),
        CUT,
        replace(CLEAR, vulnerable=True),
        "vulnerable",
        "protected",
    ),
    (
        "executable-holiday",
        seq(S.RE_NOTIFIED, HOLIDAY_CUT),
        CutTimeReached(),
        HOLIDAY_CUT,
        CLEAR,
        "holiday",
        "public holiday",
    ),
]


@pytest.mark.parametrize(
    ("start", "event", "now", "standing", "code", "words"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSED],
)
def test_refused_transitions(
    start: ArrearsSequence,
    event: ArrearsEvent,
    now: datetime,
    standing: AccountStanding,
    code: str,
    words: str,
) -> None:
    with pytest.raises(CallcenterError) as caught:
        advance(start, event, RULES, now, standing=standing)
    assert (caught.value.code, words in caught.value.message) == (code, True)


def test_the_whole_procedure_then_payment_after_the_cut() -> None:
    steps: list[tuple[ArrearsEvent, datetime]] = [
        (ReminderRecorded(), OVERDUE_SINCE + timedelta(days=20)),
        (SUPERVISOR, APPROVE_AT),
        (NoticeDelivered(CUT), CUT - timedelta(days=4)),
        (ReNoticeGiven(), CUT - timedelta(minutes=45)),
        (CutTimeReached(), CUT),
        (PAID, CUT + timedelta(hours=6)),
    ]
    sequence = open_sequence(1, Decimal("300.00"), OVERDUE_SINCE, OVERDUE_SINCE)
    visited = [sequence.step]
    for event, now in steps:
        sequence = advance(sequence, event, RULES, now, standing=CLEAR)
        visited.append(sequence.step)
    assert visited == [
        S.OVERDUE,
        S.REMINDED,
        S.APPROVED,
        S.NOTICE_DELIVERED,
        S.RE_NOTIFIED,
        S.EXECUTABLE,
        S.RECONNECTION_DUE,
    ]
    assert reconnection_due(sequence, RULES) == CUT + timedelta(hours=30)


@pytest.mark.parametrize("step", [*OPEN, S.EXECUTABLE, S.STOPPED])
def test_no_reconnection_due_unless_paid_after_the_cut(step: ArrearsStep) -> None:
    assert reconnection_due(replace(seq(step), updated_at=CUT), RULES) is None


@pytest.mark.parametrize("arrears", ["0", "-1.00"])
def test_a_sequence_needs_arrears(arrears: str) -> None:
    with pytest.raises(CallcenterError) as caught:
        open_sequence(1, Decimal(arrears), OVERDUE_SINCE, APPROVE_AT)
    assert caught.value.code == "invalid-input"


def test_an_open_sequence_starts_overdue() -> None:
    opened = open_sequence(1, Decimal("5"), OVERDUE_SINCE, APPROVE_AT)
    assert opened == ArrearsSequence(
        1, S.OVERDUE, Decimal("5"), OVERDUE_SINCE, updated_at=APPROVE_AT
    )
