"""Test data for the outbound stores: a small town with an outage, bills and a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.policy import CN_SGCC
from callcenter.storage.attempts import SqlAttemptStore
from callcenter.storage.campaign_targets import SqlTargetStore
from callcenter.storage.campaigns import SqlCampaignStore
from callcenter.storage.tables import account_phones, outage_service_points, tickets
from outbound.models import (
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.factories import AccountSpec, BillSpec, add_customer, add_outage


@dataclass
class Stores:
    campaigns: SqlCampaignStore
    targets: SqlTargetStore
    attempts: SqlAttemptStore


def stores(engine: AsyncEngine) -> Stores:
    """The three campaign stores on `engine` (cn-sgcc late fees, Beijing days)."""
    return Stores(
        SqlCampaignStore(engine),
        SqlTargetStore(engine, CN_SGCC.late_fee, "Asia/Shanghai"),
        SqlAttemptStore(engine),
    )


@dataclass
class Town:
    outage_id: int
    ticket_id: int
    accounts: dict[str, int]  # account number -> id


async def town(engine: AsyncEngine) -> Town:
    """Five customers: a resident in arrears with a bill due soon, one with two accounts,
    a prepaid shop on another feeder, one without a phone, a firm lately overdue."""
    zhang = await add_customer(
        engine,
        "张三",
        [
            AccountSpec(
                "3300000001",
                ["+8613800000001"],
                bills=[
                    BillSpec("2025-12", "100.00", date(2026, 1, 15)),
                    BillSpec("2026-02", "80.00", date(2026, 3, 12)),
                ],
            )
        ],
    )
    li = await add_customer(
        engine,
        "李四",
        [
            AccountSpec("3300000002", ["+8613800000002"]),
            AccountSpec("3300000003", ["+8613800000003"]),
        ],
    )
    shop = await add_customer(
        engine,
        "王五小卖部",
        [
            AccountSpec(
                "3300000004", ["+8613800000004"], "F09-009", payment_mode="prepaid", balance="12.50"
            )
        ],
    )
    silent = await add_customer(engine, "赵六", [AccountSpec("3300000005", [])])
    firm = await add_customer(
        engine,
        "杭州某公司",
        [
            AccountSpec(
                "3300000006",
                ["+8613800000006"],
                "F07-001",
                bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))],
            )
        ],
        customer_class="non_residential_lv",
    )
    outage_id = await add_outage(engine, ["F01-001"])
    async with engine.begin() as conn:
        # a landline that sorts before the mobile: the mobile must still be chosen
        await conn.execute(
            insert(account_phones).values(
                phone="+861065120001", account_id=zhang.account_ids[0], kind="landline"
            )
        )
        await conn.execute(
            insert(outage_service_points).values(
                outage_id=outage_id, service_point_id=shop.service_point_ids[0]
            )
        )
        ticket_id = (
            await conn.execute(
                insert(tickets)
                .values(
                    number="T202603100001",
                    type="fault_repair",
                    status="closed",
                    customer_id=li.customer_id,
                    account_id=li.account_ids[1],
                    summary="停电报修",
                    created_by="ivr",
                    created_at=datetime(2026, 3, 9, tzinfo=UTC),
                )
                .returning(tickets.c.id)
            )
        ).scalar_one()
    numbers = ["3300000001", "3300000002", "3300000003", "3300000004", "3300000005", "3300000006"]
    ids = [*zhang.account_ids, *li.account_ids, *shop.account_ids]
    ids += [*silent.account_ids, *firm.account_ids]
    return Town(outage_id, int(ticket_id), dict(zip(numbers, ids, strict=True)))


async def campaign(s: Stores, now: datetime, query: TargetQuery | None = None) -> int:
    """A draft bill-reminder campaign."""
    record = await s.campaigns.create(
        NewCampaign(
            "提醒",
            CampaignType.BILL_REMINDER,
            GatewayKind.SIMULATED,
            query or TargetQuery(TargetQueryKind.CSV, "accounts.csv"),
        ),
        now,
    )
    return record.campaign.id
