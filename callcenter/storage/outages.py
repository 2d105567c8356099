"""`SqlOutageStore`: outages with their feeders and service points, each write audited in
its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.audit import Stamp, before_after
from callcenter.outages.models import (
    NewOutage,
    NoSuchOutageError,
    Outage,
    OutageChanges,
    OutageClosedError,
    OutageKind,
    OutageStatus,
    UnknownFeederError,
    UnknownServicePointError,
)
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import (
    outage_feeders,
    outage_service_points,
    outages,
    service_points,
)


async def _outages(conn: AsyncConnection, query: Select[Any]) -> list[Outage]:
    rows = (await conn.execute(query)).all()
    ids = [row.id for row in rows]
    feeders: dict[int, list[str]] = {}
    points: dict[int, list[int]] = {}
    if ids:
        found = select(outage_feeders).where(outage_feeders.c.outage_id.in_(ids))
        for r in await conn.execute(found.order_by(outage_feeders.c.feeder)):
            feeders.setdefault(r.outage_id, []).append(r.feeder)
        table = outage_service_points
        found = select(table).where(table.c.outage_id.in_(ids))
        for r in await conn.execute(found.order_by(table.c.service_point_id)):
            points.setdefault(r.outage_id, []).append(int(r.service_point_id))
    return [
        Outage(
            int(row.id),
            OutageKind(row.kind),
            OutageStatus(row.status),
            row.area,
            row.cause,
            row.start_at,
            row.estimated_restoration_at,
            row.restored_at,
            tuple(feeders.get(row.id, ())),
            tuple(points.get(row.id, ())),
            row.created_at,
            row.updated_at,
        )
        for row in rows
    ]


async def _one(conn: AsyncConnection, outage_id: int) -> Outage | None:
    found = await _outages(conn, select(outages).where(outages.c.id == outage_id))
    return found[0] if found else None


async def _check_targets(conn: AsyncConnection, new: NewOutage) -> None:
    if new.feeders:
        query = select(service_points.c.feeder).where(service_points.c.feeder.in_(new.feeders))
        known = {r.feeder for r in await conn.execute(query.distinct())}
        missing = sorted(set(new.feeders) - known)
        if missing:
            raise UnknownFeederError(f"no service point is on feeder {', '.join(missing)}")
    if new.service_points:
        query = select(service_points.c.id).where(service_points.c.id.in_(new.service_points))
        known_ids = {int(r.id) for r in await conn.execute(query)}
        missing_ids = sorted(set(new.service_points) - known_ids)
        if missing_ids:
            raise UnknownServicePointError(
                f"no service point with id {', '.join(map(str, missing_ids))}"
            )


def _values(changes: OutageChanges, stamp: Stamp) -> dict[str, Any]:
    values: dict[str, Any] = {"updated_at": stamp.at}
    for name in ("area", "cause", "estimated_restoration_at", "restored_at"):
        if getattr(changes, name) is not None:
            values[name] = getattr(changes, name)
    if changes.status is not None:
        values["status"] = changes.status.value
    return values


class SqlOutageStore:
    """Implements `callcenter.outages.ports.OutageStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, new: NewOutage, status: OutageStatus, stamp: Stamp) -> Outage:
        async with self._engine.begin() as conn:
            await _check_targets(conn, new)
            outage_id = (
                await conn.execute(
                    insert(outages)
                    .values(
                        kind=new.kind.value,
                        status=status.value,
                        area=new.area,
                        cause=new.cause,
                        start_at=new.start_at,
                        estimated_restoration_at=new.estimated_restoration_at,
                        restored_at=None,
                        created_at=stamp.at,
                        updated_at=None,
                    )
                    .returning(outages.c.id)
                )
            ).scalar_one()
            if new.feeders:
                await conn.execute(
                    insert(outage_feeders),
                    [{"outage_id": outage_id, "feeder": f} for f in new.feeders],
                )
            if new.service_points:
                await conn.execute(
                    insert(outage_service_points),
                    [{"outage_id": outage_id, "service_point_id": p} for p in new.service_points],
                )
            created = await _one(conn, outage_id)
            assert created is not None
            data = before_after(None, created.as_json())
            await write_audit(conn, stamp.entry("outage", outage_id, "create", data))
        return created

    async def get(self, outage_id: int) -> Outage | None:
        async with self._engine.connect() as conn:
            return await _one(conn, outage_id)

    async def search(self, statuses: frozenset[OutageStatus], limit: int) -> list[Outage]:
        where: ColumnElement[bool] = (
            outages.c.status.in_(sorted(s.value for s in statuses)) if statuses else true()
        )
        query = (
            select(outages).where(where).order_by(outages.c.start_at.desc(), outages.c.id.desc())
        )
        async with self._engine.connect() as conn:
            return await _outages(conn, query.limit(limit))

    async def update(
        self, outage_id: int, changes: OutageChanges, action: str, stamp: Stamp
    ) -> Outage:
        open_ = (OutageStatus.SCHEDULED.value, OutageStatus.ACTIVE.value)
        async with self._engine.begin() as conn:
            before = await _one(conn, outage_id)
            if before is None:
                raise NoSuchOutageError(f"no outage with id {outage_id}")
            result = await conn.execute(
                update(outages)
                .where(outages.c.id == outage_id, outages.c.status.in_(open_))
                .values(_values(changes, stamp))
            )
            if not result.rowcount:
                raise OutageClosedError(f"outage {outage_id} is closed already")
            after = await _one(conn, outage_id)
            assert after is not None
            data = before_after(before.as_json(), after.as_json())
            await write_audit(conn, stamp.entry("outage", outage_id, action, data))
        return after
