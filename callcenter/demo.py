"""Load the demo data: users with logins, agents with skills, customers, bills and outages.

Bulk rows go in with COPY on PostgreSQL and Core executemany on SQLite (never ORM add_all).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from datetime import date, datetime

from sqlalchemy import (
    Constraint,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from callcenter.auth.service import AuthService
from callcenter.core.api import Role
from callcenter.demo_banner import DemoLogins, Login
from callcenter.storage.demo_bills import bill_inserts
from callcenter.storage.demo_data import (
    Batch,
    IdStart,
    demo_outages,
    demo_queues,
    demo_users,
    generate,
)
from callcenter.storage.tables import (
    account_phones,
    accounts,
    agent_queues,
    agent_skills,
    agents,
    bills,
    customers,
    outage_feeders,
    outages,
    service_points,
    users,
)

Progress = Callable[[int], None]
BULK_TABLES: tuple[Table, ...] = (service_points, customers, accounts, account_phones)
SERIAL_TABLES: tuple[Table, ...] = (service_points, customers, accounts, bills)
BULK_THRESHOLD = 50_000
BULK_CONNECTIONS = 2


async def has_users(engine: AsyncEngine) -> bool:
    """True once anybody has been created (the demo is loaded only into an empty database)."""
    async with engine.connect() as conn:
        return bool((await conn.execute(select(func.count()).select_from(users))).scalar_one())


async def seed_people(engine: AsyncEngine, auth: AuthService) -> DemoLogins:
    """Create the demo users and agents with random passwords, and an admin API token."""
    logins = []
    admin_id: int | None = None
    for person in demo_users():
        password = secrets.token_urlsafe(9)
        user = await auth.add_user(
            person.username, Role(person.role), password, person.display_name
        )
        logins.append(Login(person.username, person.role, password, person.display_name))
        if person.role == Role.ADMIN:
            admin_id = user.id
        if person.role == Role.AGENT:
            async with engine.begin() as conn:
                await conn.execute(
                    insert(agents).values(
                        user_id=user.id,
                        device_kind="twilio_client",
                        device_address=person.device.removeprefix("client:"),
                        languages="zh-CN,en-US" if dict(person.skills).get("english") else "zh-CN",
                    )
                )
                await conn.execute(
                    insert(agent_skills),
                    [{"agent_id": user.id, "skill": s, "level": lvl} for s, lvl in person.skills],
                )
                await conn.execute(
                    insert(agent_queues),
                    [
                        {"agent_id": user.id, "queue": q, "level": lvl}
                        for q, lvl in demo_queues(dict(person.skills)).items()
                    ],
                )
    _, token = await auth.create_token(Role.ADMIN, "demo admin token", admin_id)
    return DemoLogins(logins, token)


async def account_manager_ids(engine: AsyncEngine) -> list[int]:
    """Agents with the big-customer skill: they manage big customers' accounts."""
    query = select(agent_skills.c.agent_id).where(agent_skills.c.skill == "big-customer")
    async with engine.connect() as conn:
        return sorted((await conn.execute(query)).scalars().all())


async def _id_start(conn: AsyncConnection) -> IdStart:
    async def next_id(table: Table) -> int:
        value = (await conn.execute(select(func.max(table.c.id)))).scalar_one()
        return int(value or 0) + 1

    return IdStart(await next_id(customers), await next_id(accounts), await next_id(service_points))


async def seed_customers(
    engine: AsyncEngine,
    count: int,
    seed: int,
    today: date,
    progress: Progress | None = None,
    bulk: bool | None = None,
) -> int:
    """Add `count` synthetic customers with accounts, phones and 12 months of bills.

    Rows are made in a worker thread while the database stores earlier batches. A large load
    on PostgreSQL sets the bulk tables' foreign keys and secondary indexes aside (per-row
    foreign-key checks cost four times the insert itself), loads with two connections at
    once, and rebuilds them at the end, also when the load fails; a load that fails stores
    nothing. A load killed outright leaves them set aside: the next load puts them back first.
    """
    managers = await account_manager_ids(engine)
    async with engine.connect() as conn:
        start = await _id_start(conn)
    postgres = engine.dialect.name == "postgresql"
    loader = _Loader(
        generate(count, seed, start, managers, batch_size=10000 if postgres else 2000),
        seed,
        today,
        progress,
        postgres,
    )
    if not (postgres and (count >= BULK_THRESHOLD if bulk is None else bulk)):
        async with engine.begin() as conn:
            await loader.run(conn)
            if postgres:
                await _fix_sequences(conn)
                await _analyze(conn)
        return loader.done
    async with engine.begin() as conn:
        await _restore_constraints(conn)
        await _drop_constraints(conn)
    try:
        await loader.run_parallel(engine, BULK_CONNECTIONS)
    finally:
        async with engine.begin() as conn:
            await _restore_constraints(conn)
            await _fix_sequences(conn)
            await _analyze(conn)
    return loader.done


class _Loader:
    """Stores generated batches and derives their bills, from one or several connections."""

    def __init__(
        self,
        batches: Iterator[Batch],
        seed: int,
        today: date,
        progress: Progress | None,
        postgres: bool,
    ) -> None:
        self._batches = batches
        self._seed = seed
        self._today = today
        self._progress = progress
        self._postgres = postgres
        self._next_lock = asyncio.Lock()
        self.done = 0

    async def _next(self) -> Batch | None:
        async with self._next_lock:  # a generator may not run in two threads at once
            return await asyncio.to_thread(next, self._batches, None)

    async def run(self, conn: AsyncConnection) -> None:
        """Store batches on `conn` until there are none left."""
        if self._postgres:
            # COPY goes through the driver, below SQLAlchemy, which begins its transaction
            # only with its first statement: make one, or COPY would commit on its own.
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
        while (batch := await self._next()) is not None:
            await (_copy_batch(conn, batch) if self._postgres else _insert_batch(conn, batch))
            lo, hi = batch.account_range
            for statement in bill_inserts(lo, hi, self._seed, self._today):
                await conn.execute(statement)
            self.done += len(batch.customers)
            if self._progress is not None:
                self._progress(self.done)

    async def run_parallel(self, engine: AsyncEngine, connections: int) -> None:
        """Several connections, each one transaction; all commit only once all have loaded."""
        loaded = asyncio.Barrier(connections)

        async def one() -> None:
            async with engine.begin() as conn:
                await self.run(conn)
                # Commit only once every connection has loaded its share: a failure in one
                # cancels the others, whose transactions then roll back.
                await loaded.wait()

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(connections):
                    group.create_task(one())
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from failed


def _set_aside() -> tuple[list[ForeignKeyConstraint], list[Constraint], list[Index]]:
    """Foreign keys, unique and (for the phone map) primary keys, and indexes of the bulk
    tables; primary keys on sequential ids stay, they are cheap to maintain."""
    tables = (*BULK_TABLES, bills)
    fks = [fk for t in tables for fk in t.foreign_key_constraints]
    keys: list[Constraint] = [
        c for t in tables for c in t.constraints if isinstance(c, UniqueConstraint)
    ]
    keys.append(account_phones.primary_key)
    indexes = [i for t in tables for i in t.indexes]
    return fks, keys, indexes


async def _drop_constraints(conn: AsyncConnection) -> None:
    fks, keys, indexes = _set_aside()
    for fk in fks:
        await conn.execute(DropConstraint(fk))
    for key in keys:
        await conn.execute(DropConstraint(key))
    for index in indexes:
        await conn.execute(DropIndex(index))


async def _restore_constraints(conn: AsyncConnection) -> None:
    """Put back whatever of the set-aside constraints and indexes is missing."""
    existing = set(
        (
            await conn.execute(
                text("SELECT conname FROM pg_constraint UNION SELECT indexname FROM pg_indexes")
            )
        ).scalars()
    )
    fks, keys, indexes = _set_aside()
    for key in keys:
        if key.name not in existing:
            await conn.execute(AddConstraint(key))
    for index in indexes:
        if index.name not in existing:
            await conn.execute(CreateIndex(index))
    for fk in fks:
        if fk.name not in existing:
            await conn.execute(AddConstraint(fk))


async def _analyze(conn: AsyncConnection) -> None:
    """Issue 17: PostgreSQL's statistics of the loaded tables, at once. Until autovacuum
    came round (a minute or more), the planner took the new tables for small ones: every
    profile look-up scanned all customers and all unpaid bills."""
    await conn.execute(text(f"ANALYZE {', '.join(t.name for t in (*BULK_TABLES, bills))}"))


async def _fix_sequences(conn: AsyncConnection) -> None:
    for table in SERIAL_TABLES:
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table.name}))"
            )
        )


async def _copy_batch(conn: AsyncConnection, batch: Batch) -> None:
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    for table in BULK_TABLES:
        rows = getattr(batch, table.name)
        if rows:
            await driver.copy_records_to_table(
                table.name, records=rows, columns=[c.name for c in table.columns]
            )


async def _insert_batch(conn: AsyncConnection, batch: Batch) -> None:
    for table in BULK_TABLES:
        rows = getattr(batch, table.name)
        if rows:
            names = [c.name for c in table.columns]
            await conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


async def seed_outages(engine: AsyncEngine, now: datetime) -> None:
    """The demo's active fault outage and upcoming planned outage."""
    async with engine.begin() as conn:
        for outage, feeders in demo_outages(now):
            outage_id = (
                await conn.execute(insert(outages).values(outage).returning(outages.c.id))
            ).scalar_one()
            await conn.execute(
                insert(outage_feeders), [{"outage_id": outage_id, "feeder": f} for f in feeders]
            )


async def example_numbers(engine: AsyncEngine) -> dict[str, str]:
    """Demo phone numbers worth a look: in arrears, on the outage feeder, shared, prepaid."""
    unpaid = select(bills.c.account_id).where(bills.c.paid_amount < bills.c.amount)
    phone = select(account_phones.c.phone).join(
        accounts, accounts.c.id == account_phones.c.account_id
    )
    queries = {
        "a customer in arrears": phone.where(accounts.c.id.in_(unpaid)),
        "a customer in the active fault outage": phone.join(
            service_points, service_points.c.id == accounts.c.service_point_id
        ).where(
            service_points.c.feeder.in_(
                select(outage_feeders.c.feeder)
                .join(outages, outages.c.id == outage_feeders.c.outage_id)
                .where(outages.c.status == "active")
            )
        ),
        "a number shared by two accounts": select(account_phones.c.phone)
        .group_by(account_phones.c.phone)
        .having(func.count() > 1),
        "a prepaid customer": phone.where(accounts.c.payment_mode == "prepaid"),
    }
    found = {}
    async with engine.connect() as conn:
        for what, query in queries.items():
            number = (await conn.execute(query.order_by(account_phones.c.phone).limit(1))).scalar()
            if number is not None:
                found[what] = number
    return found
