"""Twelve months of demo bills, derived by the database from the accounts.

Bills are 12 rows per account, three quarters of all demo rows: the database makes them with
INSERT ... SELECT (the same integer arithmetic on SQLite and PostgreSQL) instead of Python
making and sending them. Arrears: about 5 % of postpaid accounts leave their last 1-4 bills
unpaid, the same accounts `in_arrears` picks when the accounts are generated.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Date,
    Insert,
    Numeric,
    and_,
    case,
    func,
    insert,
    literal,
    null,
    select,
)

from callcenter.storage.demo_data import (
    ARREARS_PER_MILLE,
    MIX_A,
    MIX_B,
    MIX_C,
    MIX_M,
    RESIDENTIAL_TARIFF,
    month_back,
)
from callcenter.storage.tables import accounts, bills


def _mix_sql(account_id: ColumnElement[int], seed: int, salt: int) -> ColumnElement[int]:
    return (account_id * MIX_A + (seed * MIX_B + salt * MIX_C)) % MIX_M


def bill_inserts(lo: int, hi: int, seed: int, today: date) -> list[Insert]:
    """INSERT ... SELECT statements making 12 months of bills for accounts lo..hi."""
    aid = accounts.c.id
    postpaid = accounts.c.payment_mode == "postpaid"
    arrears = and_(postpaid, _mix_sql(aid, seed, 1) % 1000 < ARREARS_PER_MILLE)
    unpaid = case((arrears, 1 + _mix_sql(aid, seed, 2) % 4), else_=0)
    scale = case((accounts.c.tariff_class == RESIDENTIAL_TARIFF, 1), else_=40)
    statements = []
    for back in range(12, 0, -1):
        year, month = month_back(today, back)
        due_y, due_m = (year + 1, 1) if month == 12 else (year, month + 1)
        due = date(due_y, due_m, 20)
        kwh = (60 + _mix_sql(aid, seed, 10 + back) % 540) * scale
        amount = func.round(kwh * literal(Decimal("0.538"), Numeric(12, 3)), 2)
        paid = unpaid < back
        query = select(
            aid,
            literal(f"{year:04d}-{month:02d}"),
            kwh,
            amount,
            literal(due, Date),
            case((paid, amount), else_=literal(Decimal("0.00"), Numeric(12, 2))),
            case((paid, literal(due - timedelta(days=5), Date)), else_=null()),
        ).where(aid.between(lo, hi))
        columns = ["account_id", "period", "kwh", "amount", "due_date", "paid_amount", "paid_on"]
        statements.append(insert(bills).from_select(columns, query))
    return statements
