"""The late-payment fee to date (电费违约金), a pure calculator.

Per bill: outstanding energy charge (fees are never part of the base) x daily rate x days
overdue, counted from the day after the due date up to and including `today`. Residential
customers pay the residential rate; others pay the current-year rate on arrears of the current
calendar year and the prior-years rate on arrears whose due date lies in an earlier year.
When anything is owed at all, the total is at least the pack's minimum (1 yuan for cn-sgcc).
Amounts are rounded half-up to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from callcenter.core.policy import LateFeeRules

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OverdueBill:
    """What is still owed on one bill, without any fee."""

    period: str
    due_date: date
    outstanding: Decimal


@dataclass(frozen=True, slots=True)
class BillLateFee:
    """The fee on one bill to date."""

    period: str
    outstanding: Decimal
    days_overdue: int
    daily_rate: Decimal
    fee: Decimal


@dataclass(frozen=True, slots=True)
class LateFee:
    """Arrears and the fee on them to date."""

    arrears: Decimal
    fee: Decimal
    lines: tuple[BillLateFee, ...]

    @property
    def total_due(self) -> Decimal:
        """Arrears plus the fee."""
        return self.arrears + self.fee


def daily_rate(rules: LateFeeRules, *, residential: bool, due: date, today: date) -> Decimal:
    """The daily rate for a bill due on `due`, seen on `today`."""
    if residential:
        return rules.residential_daily_rate
    if due.year < today.year:
        return rules.other_prior_years_daily_rate
    return rules.other_current_year_daily_rate


def late_fee(
    bills: Iterable[OverdueBill], *, residential: bool, today: date, rules: LateFeeRules
) -> LateFee:
    """Compute arrears and the late fee to `today` for the unpaid parts of `bills`."""
    lines: list[BillLateFee] = []
    for bill in bills:
        if bill.outstanding <= 0:
            continue
        days = max((today - bill.due_date).days, 0)
        rate = daily_rate(rules, residential=residential, due=bill.due_date, today=today)
        fee = (bill.outstanding * rate * days).quantize(FEN, ROUND_HALF_UP)
        lines.append(BillLateFee(bill.period, bill.outstanding, days, rate, fee))
    arrears = sum((line.outstanding for line in lines if line.days_overdue > 0), ZERO)
    fee_total = sum((line.fee for line in lines), ZERO)
    if arrears > 0:
        fee_total = max(fee_total, rules.minimum_total)
    return LateFee(arrears=arrears.quantize(FEN), fee=fee_total.quantize(FEN), lines=tuple(lines))
