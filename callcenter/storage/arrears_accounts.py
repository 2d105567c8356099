"""The accounts side of the arrears procedure in SQL: what an account owes overdue and what
blocks its disconnection (`SqlAccountFacts`), and payments that settle its unpaid bills,
oldest due first (`SqlPaymentLedger`)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.tables import accounts, bills, customers, payments, service_points
from outbound.ports import AccountFacts, NoSuchAccountError, Payment

UNPAID = bills.c.paid_amount < bills.c.amount


class SqlAccountFacts:
    """Reads an account's arrears facts; `timezone` turns due dates into local midnights."""

    def __init__(self, engine: AsyncEngine, timezone: str) -> None:
        self._engine = engine
        self._zone = ZoneInfo(timezone)

    async def facts(self, account_id: int, today: date) -> AccountFacts | None:
        """The account's facts on `today`, or None when there is no such account."""
        who = (
            select(
                accounts.c.customer_id,
                customers.c.important_grade,
                customers.c.vulnerable_flags,
                service_points.c.district,
            )
            .join(customers, customers.c.id == accounts.c.customer_id)
            .join(service_points, service_points.c.id == accounts.c.service_point_id)
            .where(accounts.c.id == account_id)
        )
        owed = select(
            func.coalesce(func.sum(bills.c.amount - bills.c.paid_amount), 0),
            func.min(bills.c.due_date),
        ).where(bills.c.account_id == account_id, UNPAID, bills.c.due_date < today)
        disputed = (
            select(func.count())
            .select_from(bills)
            .where(bills.c.account_id == account_id, UNPAID, bills.c.disputed == true())
        )
        async with reader(self._engine).connect() as conn:
            row = (await conn.execute(who)).one_or_none()
            if row is None:
                return None
            amount, oldest = (await conn.execute(owed)).one()
            n_disputed = int((await conn.execute(disputed)).scalar_one())
        since = None if oldest is None else datetime.combine(oldest, time(), tzinfo=self._zone)
        return AccountFacts(
            account_id=account_id,
            customer_id=int(row.customer_id),
            important=row.important_grade is not None,
            vulnerable=bool(row.vulnerable_flags),
            disputed=n_disputed > 0,
            area=row.district,
            arrears=Decimal(amount).quantize(Decimal("0.01")),
            overdue_since=since,
        )


class SqlPaymentLedger:
    """Payments in SQL, each settling unpaid bills in the same transaction."""

    def __init__(self, engine: AsyncEngine, timezone: str) -> None:
        self._engine = engine
        self._zone = ZoneInfo(timezone)

    async def record(
        self, account_id: int, amount: Decimal, paid_at: datetime, channel: str
    ) -> Payment:
        """Store the payment; settle unpaid bills oldest due first (what is left over is a
        credit the ledger keeps in `payments` only)."""
        paid_on = paid_at.astimezone(self._zone).date()
        unpaid = (
            select(bills.c.id, bills.c.amount, bills.c.paid_amount)
            .where(bills.c.account_id == account_id, UNPAID)
            .order_by(bills.c.due_date, bills.c.id)
        )
        row = {"account_id": account_id, "amount": amount, "paid_at": paid_at, "channel": channel}
        left = amount
        async with self._engine.begin() as conn:
            found = await conn.execute(select(accounts.c.id).where(accounts.c.id == account_id))
            if found.one_or_none() is None:
                raise NoSuchAccountError(f"no account {account_id}")
            payment_id = (
                await conn.execute(insert(payments).values(row).returning(payments.c.id))
            ).scalar_one()
            for bill in (await conn.execute(unpaid)).all():
                if left <= 0:
                    break
                share = min(left, bill.amount - bill.paid_amount)
                settled = bill.paid_amount + share
                done = {"paid_on": paid_on} if settled >= bill.amount else {}
                changed = update(bills).where(bills.c.id == bill.id)
                await conn.execute(changed.values(paid_amount=settled, **done))
                left -= share
        return Payment(int(payment_id), account_id, amount, paid_at, amount - left)
