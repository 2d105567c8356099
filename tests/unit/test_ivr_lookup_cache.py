"""The IVR's look-ups (`IvrServicesAdapter`): the profile read once per call, and a store that
cannot answer turned into the `unavailable` answer instead of an error (issue 17)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from callcenter.callflow.ivr import IvrServicesAdapter
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.core.errors import UnavailableError
from callcenter.core.policy import CN_SGCC
from callcenter.customers.models import ProfileData, TicketBrief, UnpaidBill
from callcenter.customers.service import ProfileService
from callcenter.tickets.service import TicketService
from ivr_flows.commands import Enqueue, Lookup, OpenTicket
from ivr_flows.events import LookupStatus
from ivr_flows.models import LookupKind
from tests.conftest import NOW
from tests.unit.test_profile_cache import lookup

L = LookupKind
CALLER = "+8613800138000"
ACCOUNT = "3300000001"
REFUSED = ConnectionRefusedError(111, "Connection refused")
UNAVAILABLE_ERRORS = [
    OperationalError("SELECT 1", {}, REFUSED),
    InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    UnavailableError("the database cannot be reached"),
    REFUSED,
    TimeoutError("pool timeout"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
]
OTHER_ERRORS = [RuntimeError("a bug"), IntegrityError("INSERT", {}, Exception("duplicate"))]
LATER = [
    (Lookup(L.BILL, CALLER, ACCOUNT), {"arrears": "500.00", "late_fee": "4.50"}),
    (Lookup(L.TICKETS, CALLER, ACCOUNT), {"open_tickets": 0}),
    (Lookup(L.ACCOUNT, account_no=ACCOUNT), {"account_no": ACCOUNT, "customer_id": 1}),
]


class Directory:
    """A `CustomerDirectory` counting its reads; it fails with `error` when set."""

    def __init__(self, tickets: tuple[TicketBrief, ...] = ()) -> None:
        found = lookup(ACCOUNT).profiles[0]
        bill = UnpaidBill(1, "2026-01", Decimal("500.00"), Decimal(0), NOW.date() - timedelta(9))
        accounts = tuple(a.account for a in found.accounts)
        self.data = ProfileData(accounts, (found.customer,), (bill,), (), tickets, ())
        self.reads = 0
        self.error: Exception | None = None
        self.hang: asyncio.Event | None = None  # a database that never answers

    async def accounts_by_phone(self, phone: str) -> tuple[Any, ...]:
        return self.data.accounts

    async def profile_by_phone(self, phone: str, recent_calls: int) -> ProfileData | None:
        return await self._read()

    async def profile_by_account(self, account_no: str, recent_calls: int) -> ProfileData | None:
        return await self._read()

    async def _read(self) -> ProfileData:
        self.reads += 1
        if self.hang is not None:
            await self.hang.wait()
        if self.error is not None:
            raise self.error
        return self.data


class Tickets:
    """Reading a ticket (an urge) finds the database down; reporting one opens T1."""

    async def get(self, ticket_id: int) -> Any:
        raise OperationalError("SELECT", {}, REFUSED)

    async def report(self, ticket: object) -> Any:
        return SimpleNamespace(ticket=SimpleNamespace(number="T1"))


def adapter(
    directory: Directory, clock: ManualClock, lookup_timeout: float = 3.0
) -> IvrServicesAdapter:
    profiles = ProfileService(directory, clock, CN_SGCC, "Asia/Shanghai")
    return IvrServicesAdapter(
        profiles,
        cast(TicketService, Tickets()),
        cast(CallService, None),  # no look-up here writes to the call record
        "Asia/Shanghai",
        clock=clock,
        lookup_timeout=lookup_timeout,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.mark.parametrize("err", UNAVAILABLE_ERRORS, ids=lambda e: type(e).__name__)
async def test_a_store_that_cannot_answer_is_the_unavailable_answer(
    clock: ManualClock, err: Exception
) -> None:
    directory = Directory()
    directory.error = err
    answer = await adapter(directory, clock).lookup("c1", Lookup(L.CALLER, CALLER))
    assert answer.status is LookupStatus.UNAVAILABLE and not answer.values


async def test_a_database_that_does_not_answer_in_time_is_unavailable(
    clock: ManualClock,
) -> None:
    directory = Directory()
    directory.hang = asyncio.Event()  # never set: the read waits for ever
    answer = await adapter(directory, clock, 0.01).lookup("c1", Lookup(L.CALLER, CALLER))
    assert answer.status is LookupStatus.UNAVAILABLE


@pytest.mark.parametrize("err", OTHER_ERRORS, ids=lambda e: type(e).__name__)
async def test_other_failures_are_not_hidden(clock: ManualClock, err: Exception) -> None:
    directory = Directory()
    directory.error = err
    with pytest.raises(type(err)):
        await adapter(directory, clock).lookup("c1", Lookup(L.CALLER, CALLER))


@pytest.mark.parametrize(("command", "values"), LATER, ids=["bill", "tickets", "account"])
async def test_later_lookups_of_a_call_use_its_profile_even_with_the_store_down(
    clock: ManualClock, command: Lookup, values: dict[str, Any]
) -> None:
    directory = Directory()
    ivr = adapter(directory, clock)
    assert (await ivr.lookup("c1", Lookup(L.CALLER, CALLER))).status is LookupStatus.FOUND
    directory.error = OperationalError("SELECT 1", {}, REFUSED)
    answer = await ivr.lookup("c1", command)
    assert answer.status is LookupStatus.FOUND and values.items() <= answer.values.items()
    assert directory.reads == 1


async def test_each_call_reads_its_own_profile(clock: ManualClock) -> None:
    directory = Directory()
    ivr = adapter(directory, clock)
    for call_id in ("c1", "c2", "c1"):
        await ivr.lookup(call_id, Lookup(L.CALLER, CALLER))
    assert directory.reads == 2


@pytest.mark.parametrize(("age", "reads"), [(timedelta(minutes=4), 1), (timedelta(minutes=6), 2)])
async def test_a_copy_older_than_the_ttl_is_read_again(
    clock: ManualClock, age: timedelta, reads: int
) -> None:
    directory = Directory()
    ivr = adapter(directory, clock)
    await ivr.lookup("c1", Lookup(L.CALLER, CALLER))
    clock.advance(age)
    await ivr.lookup("c1", Lookup(L.BILL, CALLER, ACCOUNT))
    assert directory.reads == reads


@pytest.mark.parametrize(
    "leave",
    [
        lambda ivr: ivr.enqueue("c1", Enqueue("billing"), {}),
        lambda ivr: ivr.open_ticket("c1", OpenTicket("fault_repair", "无电", 1, 1, 1)),
    ],
    ids=["queued for an agent", "a ticket opened"],
)
async def test_a_call_forgets_its_copy_when_it_is_queued_or_opens_a_ticket(
    clock: ManualClock, leave: Callable[[Any], Awaitable[Any]]
) -> None:
    directory = Directory()
    ivr = adapter(directory, clock)
    await ivr.lookup("c1", Lookup(L.CALLER, CALLER))
    await leave(ivr)
    await ivr.lookup("c1", Lookup(L.BILL, CALLER, ACCOUNT))
    assert directory.reads == 2


async def test_the_outage_is_warned_once_until_the_database_answers_again(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    directory = Directory()
    ivr = adapter(directory, clock)
    await ivr.lookup("c0", Lookup(L.CALLER, CALLER))
    caplog.set_level(logging.DEBUG, logger="callcenter.callflow.ivr")
    directory.error = OperationalError("SELECT 1", {}, REFUSED)
    for call_id in ("c1", "c2"):
        await ivr.lookup(call_id, Lookup(L.CALLER, CALLER))
    await ivr.lookup("c0", Lookup(L.BILL, CALLER, ACCOUNT))  # the copy: not a sign of recovery
    await ivr.lookup("c3", Lookup(L.CALLER, CALLER))
    directory.error = None
    await ivr.lookup("c4", Lookup(L.CALLER, CALLER))
    directory.error = OperationalError("SELECT 1", {}, REFUSED)
    await ivr.lookup("c5", Lookup(L.CALLER, CALLER))
    levels = [r.levelname for r in caplog.records]
    assert levels == ["WARNING", "DEBUG", "DEBUG", "INFO", "WARNING"]
    assert "c1" in caplog.records[0].getMessage() and "c5" in caplog.records[-1].getMessage()


async def test_a_caller_identified_while_urges_cannot_be_written_is_still_served(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = TicketBrief(7, "T7", "fault_repair", "open", 1, 1, NOW, None, "无电")
    ivr = adapter(Directory((ticket,)), clock)
    answer = await ivr.lookup("c1", Lookup(L.CALLER, CALLER))
    assert answer.status is LookupStatus.FOUND and "urges" not in answer.values
    assert any("not urged" in r.getMessage() for r in caplog.records)
