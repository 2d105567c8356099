"""`SqlTargetStore`: preview and build a campaign's targets from its query, in batches
streamed from one set-based SELECT, with each target's first attempt inserted by the
database itself (`INSERT … SELECT`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.policy import LateFeeRules
from callcenter.storage import campaign_csv
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets, campaigns
from callcenter.storage.tables import UtcDateTime
from callcenter.storage.target_queries import plan_for
from outbound.models import (
    AttemptState,
    CampaignStateError,
    Candidate,
    NoSuchCampaignError,
    TargetPreview,
    TargetQuery,
    TargetQueryKind,
)

BATCH = 5000


def _target_row(campaign_id: int, c: Candidate) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "customer_id": c.customer_id,
        "account_id": c.account_id,
        "phone": c.phone,
        "values": c.values,
        "vulnerable": c.vulnerable,
        "area": c.area,
        "disputed": c.disputed,
    }


class SqlTargetStore:
    """Targets in SQL. `rules` price the late fee in arrears values; `timezone` makes
    "today" (due dates, arrears age) the utility's local day."""

    def __init__(self, engine: AsyncEngine, rules: LateFeeRules, timezone: str) -> None:
        self._engine = engine
        self._rules = rules
        self._zone = ZoneInfo(timezone)

    def _today(self, now: datetime) -> date:
        return now.astimezone(self._zone).date()

    async def _batches(
        self, conn: AsyncConnection, query: TargetQuery, now: datetime, csv: str | None
    ) -> AsyncIterator[list[Candidate]]:
        if query.kind is TargetQueryKind.CSV:
            found = await campaign_csv.candidates(conn, csv)
            for start in range(0, len(found), BATCH):
                yield found[start : start + BATCH]
            return
        plan = await plan_for(conn, query, self._today(now), self._rules)
        result = await conn.stream(plan.query)
        async for part in result.mappings().partitions(BATCH):
            yield await plan.candidates(conn, part)

    async def preview(
        self, query: TargetQuery, now: datetime, sample: int = 10, csv: str | None = None
    ) -> TargetPreview:
        """How many targets `query` finds now and the first `sample`; writes nothing."""
        async with self._engine.connect() as conn:
            if query.kind is TargetQueryKind.CSV:
                found = await campaign_csv.candidates(conn, csv)
                return TargetPreview(len(found), tuple(found[:sample]))
            plan = await plan_for(conn, query, self._today(now), self._rules)
            counted = select(func.count()).select_from(plan.query.order_by(None).subquery())
            count = (await conn.execute(counted)).scalar_one()
            rows = (await conn.execute(plan.query.limit(sample))).mappings().all()
            return TargetPreview(count, tuple(await plan.candidates(conn, rows)))

    async def build(
        self, campaign_id: int, query: TargetQuery, now: datetime, csv: str | None = None
    ) -> int:
        """Store every target and its first attempt (pending, due at `now`), all or nothing."""
        try:
            async with self._engine.begin() as conn:
                await self._check_empty(conn, campaign_id)
                stored = await self._insert_select(conn, campaign_id, query, now)
                if stored is None:
                    stored = 0
                    async for batch in self._batches(conn, query, now, csv):
                        rows = [_target_row(campaign_id, c) for c in batch]
                        await conn.execute(insert(campaign_targets), rows)
                        stored += len(rows)
                await conn.execute(_first_attempts(campaign_id, now))
                return stored
        except IntegrityError as err:  # another build of the same campaign won
            raise CampaignStateError(f"campaign {campaign_id} has targets already") from err

    async def _insert_select(
        self, conn: AsyncConnection, campaign_id: int, query: TargetQuery, now: datetime
    ) -> int | None:
        """The targets stored by the database itself (`INSERT … SELECT`), when the query's
        values need no Python; how many, else None (nothing done)."""
        if query.kind is TargetQueryKind.CSV:
            return None
        plan = await plan_for(conn, query, self._today(now), self._rules)
        row = plan.query.subquery()
        values = plan.sql_values(row, conn.dialect.name == "postgresql")
        if values is None:
            return None
        source = select(
            literal(campaign_id, BigInteger),
            *(row.c[name] for name in ("customer_id", "account_id", "phone")),
            values,
            *(row.c[name] for name in ("vulnerable", "area", "disputed")),
        ).order_by(row.c.account_id)
        columns = ["campaign_id", "customer_id", "account_id", "phone", "values"]
        columns += ["vulnerable", "area", "disputed"]
        stored = await conn.execute(insert(campaign_targets).from_select(columns, source))
        return int(stored.rowcount)

    async def _check_empty(self, conn: AsyncConnection, campaign_id: int) -> None:
        known = select(campaigns.c.id).where(campaigns.c.id == campaign_id)
        if (await conn.execute(known)).first() is None:
            raise NoSuchCampaignError(f"no campaign {campaign_id}")
        has = select(exists().where(campaign_targets.c.campaign_id == campaign_id))
        if (await conn.execute(has)).scalar():
            raise CampaignStateError(f"campaign {campaign_id} has targets already")

    async def count(self, campaign_id: int) -> int:
        """How many targets the campaign has."""
        query = select(func.count()).where(campaign_targets.c.campaign_id == campaign_id)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())


def _first_attempts(campaign_id: int, now: datetime) -> Any:
    at = literal(now, UtcDateTime)
    t = campaign_targets
    source = select(
        t.c.campaign_id,
        t.c.id,
        literal(1),
        literal(AttemptState.PENDING.value),
        at,
        at,
        at,
    ).where(t.c.campaign_id == campaign_id)
    columns = ["campaign_id", "target_id", "attempt_no", "state", "not_before"]
    return insert(campaign_attempts).from_select([*columns, "created_at", "updated_at"], source)
