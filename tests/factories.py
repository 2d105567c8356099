"""Test data written straight into the tables (the seed's bulk path is tested apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.tables import (
    account_phones,
    accounts,
    bills,
    customers,
    outage_feeders,
    outages,
    service_points,
)

CREATED = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class BillSpec:
    period: str
    amount: str
    due: date
    paid: str = "0.00"


@dataclass
class AccountSpec:
    account_no: str
    phones: list[str]
    feeder: str = "F01-001"
    address: str = "浙江省杭州市西湖区文三路100号1幢1单元101室"
    payment_mode: str = "postpaid"
    balance: str | None = None
    credit_score: int = 85
    bills: list[BillSpec] = field(default_factory=list)


@dataclass
class Created:
    customer_id: int
    account_ids: list[int]
    service_point_ids: list[int]


async def add_customer(
    engine: AsyncEngine,
    name: str,
    accounts_: list[AccountSpec],
    *,
    customer_class: str = "residential",
    grade: str | None = None,
    manager_id: int | None = None,
    vulnerable: str = "",
) -> Created:
    """One customer with its accounts, service points, phones and bills."""
    async with engine.begin() as conn:
        customer_id = (
            await conn.execute(
                insert(customers)
                .values(
                    name=name,
                    customer_class=customer_class,
                    important_grade=grade,
                    account_manager_id=manager_id,
                    vulnerable_flags=vulnerable,
                    created_at=CREATED,
                )
                .returning(customers.c.id)
            )
        ).scalar_one()
        created = Created(customer_id, [], [])
        for spec in accounts_:
            sp_id = (
                await conn.execute(
                    insert(service_points)
                    .values(
                        address=spec.address,
                        district="西湖区",
                        feeder=spec.feeder,
                        area_class="urban",
                    )
                    .returning(service_points.c.id)
                )
            ).scalar_one()
            account_id = (
                await conn.execute(
                    insert(accounts)
                    .values(
                        account_no=spec.account_no,
                        customer_id=customer_id,
                        service_point_id=sp_id,
                        tariff_class="居民生活用电",
                        payment_mode=spec.payment_mode,
                        prepaid_balance=None if spec.balance is None else Decimal(spec.balance),
                        credit_score=spec.credit_score,
                        status="active",
                        opened_on=date(2020, 1, 1),
                    )
                    .returning(accounts.c.id)
                )
            ).scalar_one()
            for phone in spec.phones:
                await conn.execute(
                    insert(account_phones).values(phone=phone, account_id=account_id, kind="mobile")
                )
            for bill in spec.bills:
                await conn.execute(
                    insert(bills).values(
                        account_id=account_id,
                        period=bill.period,
                        kwh=100,
                        amount=Decimal(bill.amount),
                        due_date=bill.due,
                        paid_amount=Decimal(bill.paid),
                        paid_on=None,
                    )
                )
            created.account_ids.append(account_id)
            created.service_point_ids.append(sp_id)
    return created


async def add_outage(
    engine: AsyncEngine,
    feeders: list[str],
    *,
    status: str = "active",
    kind: str = "fault",
    start: datetime = datetime(2026, 3, 10, 1, 0, tzinfo=UTC),
) -> int:
    """An outage on some feeders."""
    async with engine.begin() as conn:
        outage_id = (
            await conn.execute(
                insert(outages)
                .values(
                    kind=kind,
                    status=status,
                    area="文三路沿线",
                    cause="10kV线路故障跳闸",
                    start_at=start,
                    estimated_restoration_at=start.replace(hour=4),
                    restored_at=None,
                    created_at=start,
                )
                .returning(outages.c.id)
            )
        ).scalar_one()
        for feeder in feeders:
            await conn.execute(insert(outage_feeders).values(outage_id=outage_id, feeder=feeder))
    return int(outage_id)
