"""`SqlOutageFacts`: an outage's start, kind and whether it cuts important users, for the
lead-time rule of outage-notice campaigns (`outbound.ports.OutageFacts`)."""

from __future__ import annotations

from sqlalchemy import Exists, exists, select, union
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.outages.models import NoSuchOutageError
from callcenter.storage.db import reader
from callcenter.storage.tables import (
    accounts,
    customers,
    outage_feeders,
    outage_service_points,
    outages,
    service_points,
)
from outbound.ports import OutageInfo


class SqlOutageFacts:
    """Outage facts in SQL; the customers are those the outage target query finds (service
    points on its feeders, or named for it)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def outage(self, outage_id: int) -> OutageInfo:
        """The outage's start, kind and whether an important user is among its customers."""
        async with reader(self._engine).connect() as conn:
            row = (
                await conn.execute(
                    select(outages.c.start_at, outages.c.kind).where(outages.c.id == outage_id)
                )
            ).one_or_none()
            if row is None:
                raise NoSuchOutageError(f"no outage with id {outage_id}")
            important: object = (await conn.execute(select(_important(outage_id)))).scalar_one()
        return OutageInfo(row.start_at, str(row.kind), bool(important))


def _important(outage_id: int) -> Exists:
    points = union(
        select(service_points.c.id)
        .join(outage_feeders, outage_feeders.c.feeder == service_points.c.feeder)
        .where(outage_feeders.c.outage_id == outage_id),
        select(outage_service_points.c.service_point_id).where(
            outage_service_points.c.outage_id == outage_id
        ),
    )
    return (
        exists()
        .select_from(accounts.join(customers, customers.c.id == accounts.c.customer_id))
        .where(accounts.c.service_point_id.in_(points), customers.c.important_grade.is_not(None))
    )
