"""`SqlCampaignStore`, `SqlOptOuts` and `SqlAreaSuspensions`: campaigns and the rules that
hold across campaigns, in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import area_suspensions, campaigns, opt_outs
from outbound.models import (
    AreaSuspension,
    Campaign,
    CampaignMode,
    CampaignRecord,
    CampaignState,
    CampaignStateError,
    CampaignType,
    DailyWindow,
    GatewayKind,
    NewCampaign,
    NoSuchCampaignError,
    TargetQuery,
    TargetQueryKind,
)


def campaign_from(m: Mapping[Any, Any]) -> CampaignRecord:
    """A campaign row as the domain sees it."""
    start, end = m["window_start"], m["window_end"]
    campaign = Campaign(
        id=int(m["id"]),
        name=m["name"],
        type=CampaignType(m["type"]),
        state=CampaignState(m["state"]),
        gateway=GatewayKind(m["gateway"]),
        query=TargetQuery(TargetQueryKind(m["query_kind"]), m["query_value"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        start_at=m["start_at"],
        end_at=m["end_at"],
        priority=m["priority"],
        max_attempts=m["max_attempts"],
        sms=m["sms"],
        mode=CampaignMode(m["mode"]),
        queue=m["queue"],
    )
    window = DailyWindow(start, end) if start is not None and end is not None else None
    return CampaignRecord(campaign, window, m["updated_at"])


class SqlCampaignStore:
    """Campaigns in SQL; state changes are compare-and-set on the stored state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, new: NewCampaign, now: datetime) -> CampaignRecord:
        """Store a draft campaign."""
        window = new.window
        values = {
            "name": new.name,
            "type": new.type.value,
            "state": CampaignState.DRAFT.value,
            "gateway": new.gateway.value,
            "query_kind": new.query.kind.value,
            "query_value": new.query.value,
            "created_by": new.created_by,
            "created_at": now,
            "start_at": new.start_at,
            "end_at": new.end_at,
            "window_start": window.start if window else None,
            "window_end": window.end if window else None,
            "priority": new.priority,
            "max_attempts": new.max_attempts,
            "sms": new.sms,
            "mode": new.mode.value,
            "queue": new.queue,
            "updated_at": now,
        }
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(insert(campaigns).values(values).returning(*campaigns.c))
            ).one()
        return campaign_from(row._mapping)

    async def get(self, campaign_id: int) -> CampaignRecord | None:
        """One campaign, or None."""
        async with reader(self._engine).connect() as conn:
            query = select(campaigns).where(campaigns.c.id == campaign_id)
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else campaign_from(row._mapping)

    async def list_campaigns(self, states: Sequence[CampaignState] = ()) -> list[CampaignRecord]:
        """Campaigns (in `states` when given), highest priority first, then oldest."""
        query = select(campaigns).order_by(campaigns.c.priority.desc(), campaigns.c.id)
        if states:
            query = query.where(campaigns.c.state.in_([s.value for s in states]))
        async with reader(self._engine).connect() as conn:
            return [campaign_from(row._mapping) for row in await conn.execute(query)]

    async def set_state(
        self,
        campaign_id: int,
        to: CampaignState,
        allowed_from: Sequence[CampaignState],
        now: datetime,
    ) -> CampaignRecord:
        """Move the campaign to `to` if it is in one of `allowed_from`, atomically."""
        changed = (
            update(campaigns)
            .where(
                campaigns.c.id == campaign_id,
                campaigns.c.state.in_([s.value for s in allowed_from]),
            )
            .values(state=to.value, updated_at=now)
            .returning(*campaigns.c)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(changed)).one_or_none()
            if row is not None:
                return campaign_from(row._mapping)
            query = select(campaigns.c.state).where(campaigns.c.id == campaign_id)
            state = (await conn.execute(query)).scalar_one_or_none()
        if state is None:
            raise NoSuchCampaignError(f"no campaign {campaign_id}")
        raise CampaignStateError(f"campaign {campaign_id} is {state}, it cannot become {to}")


class SqlOptOuts:
    """Do-not-call numbers in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, phone: str, at: datetime, source: str, customer_id: int | None) -> None:
        """Opt `phone` out; a number opted out already keeps its first time and source."""
        row = {"phone": phone, "customer_id": customer_id, "at": at, "source": source}
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(opt_outs).values(row))
        except IntegrityError:
            if not await self.is_opted_out(phone):
                raise

    async def opted_out(self, phones: Sequence[str]) -> set[str]:
        """Which of `phones` are opted out."""
        found: set[str] = set()
        async with reader(self._engine).connect() as conn:
            for start in range(0, len(phones), 1000):
                chunk = list(phones[start : start + 1000])
                query = select(opt_outs.c.phone).where(opt_outs.c.phone.in_(chunk))
                found.update((await conn.execute(query)).scalars())
        return found

    async def is_opted_out(self, phone: str) -> bool:
        """True when `phone` is opted out."""
        return bool(await self.opted_out([phone]))


def _suspension_from(m: Mapping[Any, Any]) -> AreaSuspension:
    return AreaSuspension(
        int(m["id"]), m["area"], m["reason"], m["from_at"], m["until"], m["created_by"]
    )


class SqlAreaSuspensions:
    """Area suspensions in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self,
        area: str,
        reason: str,
        from_at: datetime,
        until: datetime | None,
        created_by: str,
    ) -> AreaSuspension:
        """Suspend calls into `area` (open-ended when `until` is None)."""
        values = {
            "area": area,
            "reason": reason,
            "from_at": from_at,
            "until": until,
            "created_by": created_by,
        }
        statement = insert(area_suspensions).values(values).returning(*area_suspensions.c)
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).one()
        return _suspension_from(row._mapping)

    async def in_force(self, at: datetime) -> list[AreaSuspension]:
        """Suspensions in force at `at` (from `from_at` included to `until` excluded)."""
        table = area_suspensions
        query = (
            select(table)
            .where(table.c.from_at <= at, or_(table.c.until.is_(None), table.c.until > at))
            .order_by(table.c.area, table.c.id)
        )
        async with reader(self._engine).connect() as conn:
            return [_suspension_from(row._mapping) for row in await conn.execute(query)]
