"""The arrears disconnection procedure (cn-sgcc pack): every transition allowed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

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
)
from outbound.models import ArrearsSequence
from tests.unit.arrears_cases import (
    APPROVE_AT,
    CLEAR,
    CUT,
    NEAR_HOLIDAY_CUT,
    OPEN,
    OVERDUE_SINCE,
    PAID,
    RULES,
    STOPPED,
    SUPERVISOR,
    S,
    after,
    seq,
)

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
