"""Seeding the demo into SQLite (Core executemany) and PostgreSQL (COPY)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter import demo
from callcenter.auth.passwords import verify_password
from callcenter.auth.service import AuthService
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.customers.service import ProfileService
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.sign_ins import SqlSignInStore
from callcenter.storage.tables import account_phones, accounts, bills, customers, metadata
from callcenter.storage.users import SqlCredentialStore
from tests.conftest import NOW


async def count(engine: AsyncEngine, table: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_seed_people_customers_and_outages(engine: AsyncEngine, clock: ManualClock) -> None:
    auth = AuthService(SqlCredentialStore(engine), clock)
    assert not await demo.has_users(engine)
    logins = await demo.seed_people(engine, auth)
    assert len(logins.logins) == 23 and await auth.authenticate(logins.api_token) is not None
    account = await SqlSignInStore(engine).account("agent01")
    assert account is not None
    assert verify_password(logins.logins[3].password, account.password_hash)
    progress: list[int] = []
    added = await demo.seed_customers(engine, 250, 7, date(2026, 3, 10), progress.append)
    await demo.seed_customers(engine, 10, 8, date(2026, 3, 10))
    await demo.seed_outages(engine, NOW)
    assert (added, progress[-1]) == (250, 250)
    assert await count(engine, customers) == 260
    assert await count(engine, bills) == 12 * await count(engine, accounts)
    async with engine.connect() as conn:
        unpaid = (
            await conn.execute(
                select(bills.c.account_id, func.count())
                .where(bills.c.paid_amount < bills.c.amount)
                .group_by(bills.c.account_id)
            )
        ).all()
        postpaid = (
            await conn.execute(
                select(func.count())
                .select_from(accounts)
                .where(accounts.c.payment_mode == "postpaid")
            )
        ).scalar_one()
    assert 0 < len(unpaid) < 0.15 * postpaid  # about 5 % of postpaid accounts owe
    assert {n for _, n in unpaid} <= {1, 2, 3, 4} and max(n for _, n in unpaid) >= 2
    async with engine.connect() as conn:
        phone = (await conn.execute(select(account_phones.c.phone).limit(1))).scalar_one()
    profiles = ProfileService(SqlCustomerDirectory(engine), clock, CN_SGCC, "Asia/Shanghai")
    found = await profiles.by_phone(phone)
    assert found.profiles and found.profiles[0].accounts


async def test_bulk_load_restores_every_constraint(engine: AsyncEngine) -> None:
    await demo.seed_customers(engine, 300, 5, date(2026, 3, 10), bulk=True)
    async with engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []
    assert await count(engine, bills) == 12 * await count(engine, accounts)


def _schema_diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.postgres
async def test_failed_bulk_load_stores_nothing_and_keeps_the_schema(
    pg_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = demo._copy_batch
    calls = 0

    async def flaky(conn: Any, batch: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        await real(conn, batch)

    monkeypatch.setattr(demo, "_copy_batch", flaky)
    with pytest.raises(RuntimeError, match="disk full"):
        await demo.seed_customers(pg_engine, 50_000, 5, date(2026, 3, 10), bulk=True)
    assert await count(pg_engine, customers) == 0
    async with pg_engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []


@pytest.mark.postgres
async def test_a_load_killed_midway_is_repaired_by_the_next(pg_engine: AsyncEngine) -> None:
    async with pg_engine.begin() as conn:
        await demo._drop_constraints(conn)
    await demo.seed_customers(pg_engine, 100, 5, date(2026, 3, 10), bulk=True)
    async with pg_engine.connect() as conn:
        assert await conn.run_sync(_schema_diff) == []


@pytest.mark.parametrize("bulk", [False, True])
async def test_a_load_on_postgresql_leaves_the_planner_its_statistics(
    pg_engine: AsyncEngine, bulk: bool
) -> None:
    """Issue 17: analysed at once, not when autovacuum comes round: until then the planner
    took the new tables for small ones (every profile look-up scanned every customer)."""
    await demo.seed_customers(pg_engine, 200, 5, date(2026, 3, 10), bulk=bulk)
    query = text(
        "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        " OR last_autoanalyze IS NOT NULL"
    )
    async with pg_engine.connect() as conn:
        analysed = set((await conn.execute(query)).scalars())
    assert {"customers", "accounts", "account_phones", "service_points", "bills"} <= analysed
