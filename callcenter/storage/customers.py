"""`SqlCustomerDirectory`: customer, account, bill, outage, ticket and call reads for profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Executable,
    Select,
    bindparam,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.customers.models import Account, ProfileData
from callcenter.storage import profile_pg
from callcenter.storage.customer_rows import PART_CONVERTERS, account_from
from callcenter.storage.db import reader
from callcenter.storage.pg import FastPg
from callcenter.storage.sqlite_thread import SqliteThread
from callcenter.storage.tables import (
    account_phones,
    accounts,
    bills,
    calls,
    customers,
    outage_feeders,
    outage_service_points,
    outages,
    service_points,
    tickets,
    users,
)

OPEN_OUTAGE_STATUSES = ("scheduled", "active")
CLOSED_TICKET_STATUSES = ("closed", "cancelled")

_ACCOUNT_COLUMNS: Select[Any] = select(
    accounts,
    service_points.c.address,
    service_points.c.district,
    service_points.c.feeder,
    service_points.c.area_class,
).join(service_points, service_points.c.id == accounts.c.service_point_id)


_BY_PHONE = (
    _ACCOUNT_COLUMNS.join(account_phones, account_phones.c.account_id == accounts.c.id)
    .where(account_phones.c.phone == bindparam("phone"))
    .order_by(accounts.c.account_no)
)
_BY_NUMBER = _ACCOUNT_COLUMNS.where(accounts.c.account_no == bindparam("account_no"))
_CUSTOMERS = (
    select(customers, users.c.display_name.label("manager_name"))
    .outerjoin(users, users.c.id == customers.c.account_manager_id)
    .where(customers.c.id.in_(bindparam("customer_ids", expanding=True)))
    .order_by(customers.c.id)
)
_UNPAID = (
    select(
        bills.c.account_id, bills.c.period, bills.c.amount, bills.c.paid_amount, bills.c.due_date
    )
    .where(
        bills.c.account_id.in_(bindparam("account_ids", expanding=True)),
        bills.c.paid_amount < bills.c.amount,
    )
    .order_by(bills.c.account_id, bills.c.period)
)
_OUTAGES = union_all(
    select(outages, outage_feeders.c.feeder, null().label("service_point_id"))
    .join(outage_feeders, outage_feeders.c.outage_id == outages.c.id)
    .where(
        outage_feeders.c.feeder.in_(bindparam("feeders", expanding=True)),
        outages.c.status.in_(OPEN_OUTAGE_STATUSES),
    ),
    select(outages, literal("").label("feeder"), outage_service_points.c.service_point_id)
    .join(outage_service_points, outage_service_points.c.outage_id == outages.c.id)
    .where(
        outage_service_points.c.service_point_id.in_(
            bindparam("service_point_ids", expanding=True)
        ),
        outages.c.status.in_(OPEN_OUTAGE_STATUSES),
    ),
).order_by(literal_column("start_at"))
_TICKETS = (
    select(
        tickets.c.id,
        tickets.c.number,
        tickets.c.type,
        tickets.c.status,
        tickets.c.customer_id,
        tickets.c.account_id,
        tickets.c.created_at,
        tickets.c.due_at,
        tickets.c.summary,
        tickets.c.urge_count,  # 催办 (issue 15)
        tickets.c.sla_state,
    )
    .where(
        tickets.c.customer_id.in_(bindparam("customer_ids", expanding=True)),
        tickets.c.status.not_in(CLOSED_TICKET_STATUSES),
    )
    .order_by(tickets.c.created_at.desc())
)
_CALLS = (
    select(
        calls.c.id,
        calls.c.customer_id,
        calls.c.started_at,
        calls.c.direction,
        calls.c.state,
        calls.c.disposition,
        calls.c.agent_id,
    )
    .where(calls.c.customer_id.in_(bindparam("customer_ids", expanding=True)))
    .order_by(calls.c.started_at.desc())
    .limit(bindparam("limit"))
)


class SqlCustomerDirectory:
    """Implements `CustomerDirectory`: on PostgreSQL one statement per profile, elsewhere
    prebuilt statements on one connection."""

    def __init__(
        self, engine: AsyncEngine, fast: FastPg | None = None, local: SqliteThread | None = None
    ) -> None:
        self._engine = reader(engine)
        self._postgres = engine.dialect.name == "postgresql"
        self._fast = fast
        self._reads = profile_pg.ProfileReads(fast) if fast is not None else None  # issue 17
        self._local = local  # SQLite: the whole profile in one hop to its thread

    async def accounts_by_phone(self, phone: str) -> tuple[Account, ...]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(_BY_PHONE, {"phone": phone})
            return tuple(account_from(dict(r._mapping)) for r in rows)

    async def profile_by_phone(self, phone: str, recent_calls: int) -> ProfileData | None:
        if self._postgres:
            return await profile_pg.by_phone(
                self._engine, phone, recent_calls, self._fast, self._reads
            )
        return await self._profile(_BY_PHONE, {"phone": phone}, recent_calls)

    async def profile_by_account(self, account_no: str, recent_calls: int) -> ProfileData | None:
        if self._postgres:
            return await profile_pg.by_account(
                self._engine, account_no, recent_calls, self._fast, self._reads
            )
        return await self._profile(_BY_NUMBER, {"account_no": account_no}, recent_calls)

    async def _profile(
        self, query: Select[Any], params: dict[str, str], recent_calls: int
    ) -> ProfileData | None:
        def work(conn: Connection) -> ProfileData | None:
            return _profile_rows(conn, query, params, recent_calls)

        if self._local is not None:
            return await self._local.read(work)
        async with self._engine.connect() as conn:
            return await conn.run_sync(work)


def _profile_rows(
    conn: Connection, query: Select[Any], params: dict[str, str], recent_calls: int
) -> ProfileData | None:
    found = tuple(account_from(dict(r._mapping)) for r in conn.execute(query, params))
    if not found:
        return None
    customer_ids = sorted({a.customer_id for a in found})
    keys = {
        "customer_ids": customer_ids,
        "account_ids": [a.id for a in found],
        "feeders": sorted({a.service_point.feeder for a in found}),
        "service_point_ids": sorted({a.service_point.id for a in found}),
        "limit": recent_calls * len(customer_ids),
    }
    parts = [
        tuple(convert(dict(r._mapping)) for r in conn.execute(statement, keys))
        for statement, convert in zip(_PART_STATEMENTS, PART_CONVERTERS, strict=True)
    ]
    return ProfileData(found, *parts)


_PART_STATEMENTS: tuple[Executable, ...] = (_CUSTOMERS, _UNPAID, _OUTAGES, _TICKETS, _CALLS)
