"""Read-only figures of a campaign for the operations console: finished attempts by minute
and result (the progress chart), dials sent lately (the dial rate), and the arrears
sequences waiting for approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import arrears_sequences, campaign_attempts, campaigns
from callcenter.storage.tables import accounts, customers

A = campaign_attempts
MINUTE_FORMAT = "%Y-%m-%d %H:%M"
_WAITING_FOR_APPROVAL = "reminded"  # the step after which approval comes


@dataclass(frozen=True, slots=True)
class MinuteCount:
    """How many attempts finished with `result` in the minute starting at `minute` (UTC)."""

    minute: datetime
    result: str
    count: int


@dataclass(frozen=True, slots=True)
class AwaitingApproval:
    """An arrears sequence reminded and waiting for the approval of its disconnection."""

    account_id: int
    account_no: str
    customer_name: str
    customer_class: str
    arrears: Decimal
    overdue_since: datetime
    updated_at: datetime


def _minute(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC minute of a time column as text "YYYY-MM-DD HH:MM"."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI")
    return func.strftime(MINUTE_FORMAT, column)  # SQLite keeps naive UTC text


class SqlCampaignProgress:
    """The console's reads of attempts and arrears sequences."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def by_minute(self, campaign_id: int, since: datetime) -> list[MinuteCount]:
        """Attempts finished since `since`, counted by UTC minute and result."""
        minute = _minute(A.c.updated_at, self._engine.dialect.name).label("minute")
        query = (
            select(minute, A.c.result, func.count())
            .where(A.c.campaign_id == campaign_id, A.c.result.is_not(None))
            .where(A.c.updated_at >= since)
            .group_by(minute, A.c.result)
            .order_by(minute)
        )
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            MinuteCount(datetime.strptime(m, MINUTE_FORMAT).replace(tzinfo=UTC), r, int(n))
            for m, r, n in rows
        ]

    async def changed_since(self, since: datetime) -> list[int]:
        """The campaigns whose state (or settings) changed at or after `since`."""
        query = select(campaigns.c.id).where(campaigns.c.updated_at >= since)
        async with reader(self._engine).connect() as conn:
            return [int(i) for i in (await conn.execute(query)).scalars()]

    async def sent_since(self, campaign_id: int, since: datetime) -> int:
        """How many dials of the campaign went to the gateway since `since`."""
        query = select(func.count()).where(A.c.campaign_id == campaign_id, A.c.sent_at >= since)
        async with reader(self._engine).connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def awaiting_approval(self, limit: int) -> list[AwaitingApproval]:
        """Arrears sequences waiting for approval, the longest overdue first."""
        s, a, c = arrears_sequences, accounts, customers
        query = (
            select(
                s.c.account_id,
                a.c.account_no,
                c.c.name,
                c.c.customer_class,
                s.c.arrears,
                s.c.overdue_since,
                s.c.updated_at,
            )
            .join(a, a.c.id == s.c.account_id)
            .join(c, c.c.id == a.c.customer_id)
            .where(s.c.step == _WAITING_FOR_APPROVAL)
            .order_by(s.c.overdue_since, s.c.account_id)
            .limit(limit)
        )
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AwaitingApproval(int(r[0]), r[1], r[2], r[3], Decimal(r[4]), r[5], r[6]) for r in rows
        ]
