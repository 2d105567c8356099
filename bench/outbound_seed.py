"""The outbound benchmark's town: `count` customers, each with one account, one mobile number
and one service point on one of `FEEDERS` feeders, and one planned outage on every feeder
(so the outage query selects them all). COPY on PostgreSQL, Core executemany on SQLite.
Also the bench's policy pack: the cn pack with the calling window open all day, so a run
late in the Chinese evening still dials."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.policy import CN_SGCC, PolicyPack
from callcenter.storage.tables import (
    account_phones,
    accounts,
    customers,
    outage_feeders,
    outages,
    service_points,
)

FEEDERS = 100
BATCH = 20_000


def bench_pack() -> PolicyPack:
    """The cn pack with a calling window of the whole day."""
    rules = dataclasses.replace(CN_SGCC.outbound, calling_window=(time(0), time(23, 59, 59)))
    return dataclasses.replace(CN_SGCC, outbound=rules)


def phone_of(n: int) -> str:
    """Customer n's mobile number (E.164, +86, unique)."""
    return f"+86138{n:08d}"


def _rows(lo: int, hi: int, now: datetime) -> dict[Table, list[tuple[Any, ...]]]:
    opened = date(2020, 1, 1)
    return {
        service_points: [
            (n, f"Bench road {n}", f"District {n % 13}", f"BF{n % FEEDERS:03d}", "urban")
            for n in range(lo, hi)
        ],
        customers: [
            (n, f"Customer {n}", "residential", None, None, "", now) for n in range(lo, hi)
        ],
        accounts: [
            (n, f"B{n:011d}", n, n, "residential", "postpaid", None, 700, "active", opened)
            for n in range(lo, hi)
        ],
        account_phones: [(phone_of(n), n, "mobile") for n in range(lo, hi)],
    }


def _batches(count: int, now: datetime) -> Iterator[dict[Table, list[tuple[Any, ...]]]]:
    for lo in range(1, count + 1, BATCH):
        yield _rows(lo, min(lo + BATCH, count + 1), now)


async def _copy(conn: AsyncConnection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    columns = [c.name for c in table.c][: len(rows[0])]
    await driver.copy_records_to_table(table.name, records=rows, columns=columns)


async def _insert(conn: AsyncConnection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    names = [c.name for c in table.c][: len(rows[0])]
    await conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


async def seed(engine: AsyncEngine, count: int, now: datetime) -> int:
    """Store the town and its outage (starting in 10 days); the outage's id."""
    postgres = engine.dialect.name == "postgresql"
    async with engine.begin() as conn:
        if postgres:
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
        for batch in _batches(count, now):
            for table, rows in batch.items():
                await (_copy(conn, table, rows) if postgres else _insert(conn, table, rows))
        if postgres:
            for table in (service_points, customers, accounts):
                await conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {count})")
                )
        start = (now + timedelta(days=10)).replace(microsecond=0)
        outage = {
            "kind": "planned",
            "status": "scheduled",
            "area": "every bench feeder",
            "cause": "bench maintenance",
            "start_at": start,
            "estimated_restoration_at": start + timedelta(hours=8),
            "created_at": now,
        }
        outage_id = int(
            (
                await conn.execute(insert(outages).values(outage).returning(outages.c.id))
            ).scalar_one()
        )
        feeders = [{"outage_id": outage_id, "feeder": f"BF{f:03d}"} for f in range(FEEDERS)]
        await conn.execute(insert(outage_feeders), feeders)
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return outage_id
