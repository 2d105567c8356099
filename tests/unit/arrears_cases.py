"""What the arrears procedure's tests share: the pack, the moments, the sequences."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from callcenter.core.policy import CN_OUTBOUND
from outbound.arrears import (
    AccountStanding,
    ApprovalGiven,
    PaymentRecorded,
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
