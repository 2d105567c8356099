"""The arrears disconnection procedure (cn-sgcc pack): every transition refused, the blocks
with their codes, payments before and after the cut."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from callcenter.core.errors import CallcenterError
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
from tests.unit.arrears_cases import (
    APPROVE_AT,
    CLEAR,
    CUT,
    HOLIDAY_CUT,
    OPEN,
    OVERDUE_SINCE,
    PAID,
    RULES,
    SUPERVISOR,
    S,
    seq,
)

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
