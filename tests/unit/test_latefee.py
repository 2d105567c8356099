"""The late-payment fee table (cn-sgcc pack)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from callcenter.core.latefee import OverdueBill, late_fee
from callcenter.core.policy import CN_SGCC, pack_in_force

RULES = CN_SGCC.late_fee
TODAY = date(2026, 3, 10)


def bill(period: str, due: date, amount: str) -> OverdueBill:
    return OverdueBill(period, due, Decimal(amount))


@pytest.mark.parametrize(
    ("bills", "residential", "arrears", "fee"),
    [
        # nothing owed: no fee, no minimum
        ([], True, "0.00", "0.00"),
        # due today: not overdue yet
        ([bill("2026-02", date(2026, 3, 10), "200.00")], True, "0.00", "0.00"),
        # 1 day overdue, 200 x 1‰ = 0.20 -> minimum 1 yuan
        ([bill("2026-02", date(2026, 3, 9), "200.00")], True, "200.00", "1.00"),
        # residential 1‰: 500 x 0.001 x 18 days = 9.00
        ([bill("2026-01", date(2026, 2, 20), "500.00")], True, "500.00", "9.00"),
        # non-residential, current-year arrears 2‰: 500 x 0.002 x 18 = 18.00
        ([bill("2026-01", date(2026, 2, 20), "500.00")], False, "500.00", "18.00"),
        # non-residential, prior-year arrears 3‰: 1000 x 0.003 x 80 days = 240.00
        ([bill("2025-11", date(2025, 12, 20), "1000.00")], False, "1000.00", "240.00"),
        # residential prior year stays 1‰: 1000 x 0.001 x 80 = 80.00
        ([bill("2025-11", date(2025, 12, 20), "1000.00")], True, "1000.00", "80.00"),
        # two bills, one prior year one current: 1000x.003x80 + 500x.002x18 = 240 + 18
        (
            [
                bill("2025-11", date(2025, 12, 20), "1000.00"),
                bill("2026-01", date(2026, 2, 20), "500.00"),
            ],
            False,
            "1500.00",
            "258.00",
        ),
        # rounding half up to the fen: 123.45 x 0.001 x 7 = 0.86415 -> 0.86; min 1
        ([bill("2026-02", date(2026, 3, 3), "123.45")], True, "123.45", "1.00"),
        # 1234.56 x 0.001 x 17 = 20.98752 -> 20.99
        ([bill("2026-01", date(2026, 2, 21), "1234.56")], True, "1234.56", "20.99"),
        # a fully paid bill contributes nothing
        ([bill("2026-01", date(2026, 2, 20), "0.00")], True, "0.00", "0.00"),
    ],
)
def test_late_fee_table(
    bills: list[OverdueBill], residential: bool, arrears: str, fee: str
) -> None:
    result = late_fee(bills, residential=residential, today=TODAY, rules=RULES)
    assert (result.arrears, result.fee) == (Decimal(arrears), Decimal(fee))
    assert result.total_due == Decimal(arrears) + Decimal(fee)


def test_lines_show_days_and_rate() -> None:
    result = late_fee(
        [bill("2026-01", date(2026, 2, 20), "500.00")], residential=False, today=TODAY, rules=RULES
    )
    (line,) = result.lines
    assert (line.days_overdue, line.daily_rate, line.fee) == (
        18,
        Decimal("0.002"),
        Decimal("18.00"),
    )


def test_pack_in_force_by_date() -> None:
    assert pack_in_force("cn-sgcc", TODAY) is CN_SGCC
    with pytest.raises(KeyError):
        pack_in_force("cn-sgcc", date(2000, 1, 1))
    with pytest.raises(KeyError):
        pack_in_force("xx", TODAY)
