"""Caller profile look-up against real databases: numbers in many formats, shared numbers,
arrears with the late fee to date, outages at the service point, tickets and calls."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import CallEventType, Direction
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.core.phone import InvalidNumberError
from callcenter.core.policy import CN_SGCC
from callcenter.customers.models import NoSuchCustomerError
from callcenter.customers.service import ProfileService
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.pg import FastPg
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.tickets.models import NewTicket, TicketType
from callcenter.tickets.service import TicketService
from tests.factories import AccountSpec, BillSpec, add_customer, add_outage

SHARED = "+8613900001111"


@pytest.fixture
def profiles(engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock) -> ProfileService:
    return ProfileService(SqlCustomerDirectory(engine, fast_pg), clock, CN_SGCC, "Asia/Shanghai")


@pytest.fixture
async def people(engine: AsyncEngine) -> dict[str, int]:
    zhang = await add_customer(
        engine,
        "张伟",
        [
            AccountSpec(
                "3300000001",
                [SHARED, "+8613800138000"],
                feeder="F02-007",
                bills=[
                    BillSpec("2026-01", "500.00", date(2026, 2, 20)),
                    BillSpec("2025-12", "300.00", date(2026, 1, 20), paid="300.00"),
                ],
            )
        ],
    )
    li = await add_customer(
        engine,
        "李娜",
        [
            AccountSpec(
                "3300000002",
                [SHARED, "+861065123456"],
                feeder="F04-012",
                payment_mode="prepaid",
                balance="12.50",
            )
        ],
    )
    shop = await add_customer(
        engine,
        "王芳便利店",
        [
            AccountSpec(
                "3300000003",
                ["+8613700001234"],
                feeder="F01-001",
                bills=[BillSpec("2025-11", "1000.00", date(2025, 12, 20))],
            )
        ],
        customer_class="non_residential_lv",
        vulnerable="",
    )
    await add_outage(engine, ["F02-007"])
    await add_outage(engine, ["F04-012"], status="restored")
    return {"zhang": zhang.customer_id, "li": li.customer_id, "shop": shop.customer_id}


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "0086-13800138000"])
async def test_one_customer_by_any_number_format(
    profiles: ProfileService, people: dict[str, int], raw: str
) -> None:
    found = await profiles.by_phone(raw)
    assert found.phone == "+8613800138000"
    assert [p.customer.name for p in found.profiles] == ["张伟"]


async def test_shared_number_reaches_both_customers(
    profiles: ProfileService, people: dict[str, int]
) -> None:
    found = await profiles.by_phone("139-0000-1111")
    names = sorted(p.customer.name for p in found.profiles)
    assert names == ["张伟", "李娜"]
    accounts = sorted(a.account.account_no for p in found.profiles for a in p.accounts)
    assert accounts == ["3300000001", "3300000002"]


async def test_landline_with_area_code(profiles: ProfileService, people: dict[str, int]) -> None:
    found = await profiles.by_phone("010-6512 3456")
    (profile,) = found.profiles
    (account,) = profile.accounts
    assert account.account.prepaid_balance == Decimal("12.50")
    assert account.outages == ()  # the outage on its feeder is restored


async def test_arrears_late_fee_and_outage(
    profiles: ProfileService, people: dict[str, int]
) -> None:
    (profile,) = (await profiles.by_account("3300000001")).profiles
    (account,) = profile.accounts
    # residential, 500 yuan overdue since 2026-02-20: 18 days x 1‰ = 9.00
    assert (account.arrears.arrears, account.arrears.fee) == (Decimal("500.00"), Decimal("9.00"))
    (outage,) = account.outages
    assert (outage.kind, outage.feeder) == ("fault", "F02-007")


async def test_non_residential_prior_year_rate(
    profiles: ProfileService, people: dict[str, int]
) -> None:
    (profile,) = (await profiles.by_phone("13700001234")).profiles
    # 1000 yuan from 2025, 80 days at 3‰
    assert profile.accounts[0].arrears.fee == Decimal("240.00")


async def test_open_tickets_and_recent_calls(
    engine: AsyncEngine,
    fast_pg: FastPg | None,
    profiles: ProfileService,
    clock: ManualClock,
    people: dict[str, int],
) -> None:
    calls = CallService(SqlCallRepository(engine, fast_pg), clock)
    call = await calls.start(Direction.INBOUND, "+8613800138000", "+861095598")
    await calls.record(
        call.id,
        CallEventType.CUSTOMER_IDENTIFIED,
        {"customer_id": people["zhang"], "account_id": None},
    )
    tickets = TicketService(SqlTicketRepository(engine), clock)
    await tickets.open(
        NewTicket(
            TicketType.FAULT_REPAIR, "停电", "test", customer_id=people["zhang"], call_id=call.id
        )
    )
    (profile,) = (await profiles.by_phone("13800138000")).profiles
    assert [t.type for t in profile.open_tickets] == ["fault_repair"]
    assert [c.id for c in profile.recent_calls] == [call.id]


@pytest.mark.parametrize("raw", ["13900009999", "+8613900009999"])
async def test_unknown_number_is_not_found(
    profiles: ProfileService, people: dict[str, int], raw: str
) -> None:
    with pytest.raises(NoSuchCustomerError) as caught:
        await profiles.by_phone(raw)
    assert caught.value.code == "no-such-customer"


async def test_unknown_account(profiles: ProfileService, people: dict[str, int]) -> None:
    with pytest.raises(NoSuchCustomerError):
        await profiles.by_account("3399999999")


@pytest.mark.parametrize("raw", ["abc", "12", "1380013800"])
async def test_malformed_number(profiles: ProfileService, raw: str) -> None:
    with pytest.raises(InvalidNumberError):
        await profiles.by_phone(raw)


async def test_concurrent_look_ups_share_statements_and_get_their_own_profile(
    engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock, people: dict[str, int]
) -> None:
    """Issue 17: on PostgreSQL the look-ups made together go in one statement or a few,
    each answered with its own key's profile (unknown ones too)."""
    if fast_pg is None:
        pytest.skip("batched look-ups are on the asyncpg path")
    directory = SqlCustomerDirectory(engine, fast_pg)
    service = ProfileService(directory, clock, CN_SGCC, "Asia/Shanghai")
    numbers = ["+8613800138000", SHARED, "+8613700001234", "+8613911112222"] * 8
    accounts = ["3300000003", "3300000001", "9999999999"] * 4

    async def phone(number: str) -> list[str]:
        try:
            found = await service.by_phone(number)
        except NoSuchCustomerError:
            return []
        return sorted(p.customer.name for p in found.profiles)

    async def account(number: str) -> list[str]:
        try:
            found = await service.by_account(number)
        except NoSuchCustomerError:
            return []
        return [p.customer.name for p in found.profiles]

    together = await asyncio.gather(*map(phone, numbers), *map(account, accounts))
    reads = directory._reads
    assert reads is not None and reads.statements <= 4  # 44 look-ups: a batch or two a kind
    alone = [await phone(n) for n in numbers] + [await account(a) for a in accounts]
    assert together == alone
    assert together[:4] == [["张伟"], ["张伟", "李娜"], ["王芳便利店"], []]
    assert together[len(numbers) : len(numbers) + 3] == [["王芳便利店"], ["张伟"], []]


async def test_a_row_that_cannot_be_read_fails_only_its_own_look_up(
    engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock, people: dict[str, int]
) -> None:
    """Issue 17: look-ups made together share a statement, but each decodes its own row. An
    account with a payment mode this version does not know (written by another tool) failed
    every look-up of its batch; now only its own."""
    if fast_pg is None:
        pytest.skip("batched look-ups are on the asyncpg path")
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE accounts SET payment_mode = 'barter' WHERE account_no = '3300000003'")
        )
    service = ProfileService(SqlCustomerDirectory(engine, fast_pg), clock, CN_SGCC, "Asia/Shanghai")
    good, bad = await asyncio.gather(
        service.by_phone("+8613800138000"),
        service.by_phone("+8613700001234"),
        return_exceptions=True,
    )
    assert not isinstance(good, BaseException)
    assert [p.customer.name for p in good.profiles] == ["张伟"]
    assert isinstance(bad, ValueError) and "barter" in str(bad)
