"""Reads of a campaign's stored rows for operations: every attempt with its target's
account number (the export, streamed), and a sample of the targets once they are built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from callcenter.storage.tables import accounts
from outbound.models import Candidate, TargetPreview
from outbound.reports.models import AttemptLine

A, T = campaign_attempts, campaign_targets


class SqlCampaignReads:
    """Exports and samples of stored campaign rows."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def attempt_lines(self, campaign_id: int) -> AsyncIterator[AttemptLine]:
        """Every attempt of the campaign, by target then attempt number (streamed)."""
        query = (
            select(A, T.c.phone, accounts.c.account_no)
            .join(T, T.c.id == A.c.target_id)
            .outerjoin(accounts, accounts.c.id == T.c.account_id)
            .where(A.c.campaign_id == campaign_id)
            .order_by(A.c.target_id, A.c.attempt_no)
        )
        async with self._engine.connect() as conn:
            result = await conn.stream(query)
            async for row in result.mappings():
                yield _line(row)

    async def stored_targets(self, campaign_id: int, sample: int = 10) -> TargetPreview:
        """How many targets the campaign has and its first `sample` of them."""
        counted = select(func.count()).where(T.c.campaign_id == campaign_id)
        first = (
            select(T, accounts.c.account_no)
            .outerjoin(accounts, accounts.c.id == T.c.account_id)
            .where(T.c.campaign_id == campaign_id)
            .order_by(T.c.id)
            .limit(sample)
        )
        async with reader(self._engine).connect() as conn:
            count = int((await conn.execute(counted)).scalar_one())
            rows = (await conn.execute(first)).mappings().all()
        return TargetPreview(count, tuple(_candidate(r) for r in rows))


def _line(m: Any) -> AttemptLine:
    return AttemptLine(
        campaign_id=int(m["campaign_id"]),
        target_id=int(m["target_id"]),
        account_no=m["account_no"],
        phone=m["phone"],
        attempt_no=int(m["attempt_no"]),
        state=m["state"],
        result=m["result"],
        reason=m["reason"],
        provider_id=m["provider_id"],
        call_id=m["call_id"],
        updated_at=m["updated_at"],
    )


def _candidate(m: Any) -> Candidate:
    return Candidate(
        customer_id=int(m["customer_id"]),
        account_id=int(m["account_id"]),
        account_no=m["account_no"] or "",
        phone=m["phone"],
        values=dict(m["values"]),
        vulnerable=bool(m["vulnerable"]),
        area=m["area"],
        disputed=bool(m["disputed"]),
    )
