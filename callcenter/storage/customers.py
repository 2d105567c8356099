"""`SqlCustomerDirectory`: customer, account, bill, outage, ticket and call reads for profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.customers.models import (
    Account,
    AccountManager,
    AccountStatus,
    ActiveOutage,
    AreaClass,
    CallBrief,
    Customer,
    CustomerClass,
    ImportantGrade,
    PaymentMode,
    ProfileData,
    ServicePoint,
    TicketBrief,
    UnpaidBill,
    VulnerableFlag,
)
from callcenter.storage.db import reader
from callcenter.storage.tables import (
    account_phones,
    accounts,
    bills,
    calls,
    customers,
    outage_feeders,
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


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        account_no=row.account_no,
        customer_id=row.customer_id,
        tariff_class=row.tariff_class,
        payment_mode=PaymentMode(row.payment_mode),
        prepaid_balance=row.prepaid_balance,
        credit_score=row.credit_score,
        status=AccountStatus(row.status),
        service_point=ServicePoint(
            row.service_point_id,
            row.address,
            row.district,
            row.feeder,
            AreaClass(row.area_class),
        ),
    )


def _customer(row: Row[Any]) -> Customer:
    manager = (
        AccountManager(row.account_manager_id, row.manager_name)
        if row.account_manager_id is not None
        else None
    )
    flags = frozenset(VulnerableFlag(f) for f in row.vulnerable_flags.split(",") if f)
    return Customer(
        id=row.id,
        name=row.name,
        customer_class=CustomerClass(row.customer_class),
        important_grade=ImportantGrade(row.important_grade) if row.important_grade else None,
        account_manager=manager,
        vulnerable=flags,
    )


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
_OUTAGES = (
    select(outages, outage_feeders.c.feeder)
    .join(outage_feeders, outage_feeders.c.outage_id == outages.c.id)
    .where(
        outage_feeders.c.feeder.in_(bindparam("feeders", expanding=True)),
        outages.c.status.in_(OPEN_OUTAGE_STATUSES),
    )
    .order_by(outages.c.start_at)
)
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
    """Implements `CustomerDirectory`: prebuilt statements, one connection per profile."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = reader(engine)

    async def accounts_by_phone(self, phone: str) -> tuple[Account, ...]:
        async with self._engine.connect() as conn:
            return tuple(_account(r) for r in (await conn.execute(_BY_PHONE, {"phone": phone})))

    async def profile_by_phone(self, phone: str, recent_calls: int) -> ProfileData | None:
        return await self._profile(_BY_PHONE, {"phone": phone}, recent_calls)

    async def profile_by_account(self, account_no: str, recent_calls: int) -> ProfileData | None:
        return await self._profile(_BY_NUMBER, {"account_no": account_no}, recent_calls)

    async def _profile(
        self, query: Select[Any], params: dict[str, str], recent_calls: int
    ) -> ProfileData | None:
        async with self._engine.connect() as conn:
            found = tuple(_account(r) for r in (await conn.execute(query, params)).all())
            if not found:
                return None
            ids = {
                "customer_ids": sorted({a.customer_id for a in found}),
                "account_ids": [a.id for a in found],
                "feeders": sorted({a.service_point.feeder for a in found}),
            }
            customer_rows = (await conn.execute(_CUSTOMERS, ids)).all()
            bill_rows = (await conn.execute(_UNPAID, ids)).all()
            outage_rows = (await conn.execute(_OUTAGES, ids)).all()
            ticket_rows = (await conn.execute(_TICKETS, ids)).all()
            limit = recent_calls * len(ids["customer_ids"])
            call_rows = (await conn.execute(_CALLS, ids | {"limit": limit})).all()
        return ProfileData(
            accounts=found,
            customers=tuple(_customer(r) for r in customer_rows),
            unpaid_bills=tuple(
                UnpaidBill(r.account_id, r.period, r.amount, r.paid_amount, r.due_date)
                for r in bill_rows
            ),
            outages=tuple(
                ActiveOutage(
                    r.id,
                    r.kind,
                    r.status,
                    r.area,
                    r.cause,
                    r.start_at,
                    r.estimated_restoration_at,
                    r.feeder,
                )
                for r in outage_rows
            ),
            open_tickets=tuple(
                TicketBrief(
                    r.id,
                    r.number,
                    r.type,
                    r.status,
                    r.customer_id,
                    r.account_id,
                    r.created_at,
                    r.due_at,
                    r.summary,
                )
                for r in ticket_rows
            ),
            recent_calls=tuple(
                CallBrief(
                    r.id,
                    r.customer_id,
                    r.started_at,
                    r.direction,
                    r.state,
                    r.disposition,
                    r.agent_id,
                )
                for r in call_rows
            ),
        )
