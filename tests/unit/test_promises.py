"""Promises to pay: due at the end of the promised local day, kept or broken at the
follow-up (table), and `PromiseService.follow_up` on in-memory ports with a manual clock:
kept, broken with a follow-up call, broken with the campaign over, settled once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from callcenter.core.audit import AuditEntry
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from outbound import gate
from outbound.desk.models import Promise, PromiseStatus
from outbound.models import CampaignType, RefusalReason
from outbound.ports import AccountFacts
from outbound.promises import PromiseDeps, PromiseService, due_at, verdict

DAY = date(2026, 12, 10)
DUE = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)  # midnight after Dec 10 in Beijing
K, B = PromiseStatus.KEPT, PromiseStatus.BROKEN


def promise(pid: int = 1, amount: str = "100.00", account: int = 5) -> Promise:
    return Promise(pid, account, 3, 9, "3:9:1", Decimal(amount), Decimal("359.76"), DAY, DUE, 7)


def test_due_at_the_end_of_the_promised_local_day() -> None:
    assert due_at(DAY, "Asia/Shanghai") == DUE


@pytest.mark.parametrize(
    ("arrears_now", "now", "status"),
    [
        ("359.76", DUE - timedelta(seconds=1), None),
        ("0.00", DUE - timedelta(seconds=1), None),
        ("0.00", DUE, K),
        ("-1.00", DUE, K),
        ("259.76", DUE, K),
        ("259.77", DUE, B),
        ("359.76", DUE + timedelta(days=3), B),
    ],
)
def test_verdict(arrears_now: str, now: datetime, status: PromiseStatus | None) -> None:
    assert verdict(promise(), Decimal(arrears_now), now) is status


def test_a_settled_promise_has_no_new_verdict() -> None:
    assert verdict(replace(promise(), status=K), Decimal(0), DUE) is None


@pytest.mark.parametrize(
    ("kind", "now", "refused"),
    [
        (CampaignType.ARREARS_REMINDER, DUE - timedelta(hours=6), RefusalReason.SEQUENCE),
        (CampaignType.DISCONNECTION_NOTICE, DUE - timedelta(hours=6), RefusalReason.SEQUENCE),
        (CampaignType.ARREARS_REMINDER, DUE + timedelta(hours=10), None),
        (CampaignType.BILL_REMINDER, DUE - timedelta(hours=6), None),
    ],
)
def test_the_gate_refuses_arrears_calls_while_a_promise_is_open(
    kind: CampaignType, now: datetime, refused: RefusalReason | None
) -> None:
    dial = gate.DialContext(kind, 1, "+8613800000001", paused_until=DUE)
    refusal = gate.check(dial, gate.ContactHistory(), CN_SGCC.outbound, now)
    assert (refusal.reason if refusal else None) is refused


class Memory:
    """The ports in memory: promises, account arrears, follow-ups, audit."""

    def __init__(self, promises: list[Promise], arrears: dict[int, str], running: bool) -> None:
        self.promises = {p.id: p for p in promises}
        self.status = {p.id: PromiseStatus.OPEN for p in promises}
        self.arrears = arrears
        self.running = running
        self.scheduled: list[int] = []
        self.audit: list[AuditEntry] = []

    async def due(self, now: datetime, limit: int) -> list[Promise]:
        return [
            p
            for p in self.promises.values()
            if self.status[p.id] is PromiseStatus.OPEN and p.due_at <= now
        ][:limit]

    async def settle(self, promise_id: int, status: PromiseStatus, now: datetime) -> bool:
        if self.status[promise_id] is not PromiseStatus.OPEN:
            return False
        self.status[promise_id] = status
        return True

    async def open_for(self, account_id: int) -> Promise | None:
        return None

    async def facts(self, account_id: int, today: date) -> AccountFacts | None:
        owed = Decimal(self.arrears[account_id])
        return AccountFacts(account_id, 1, False, False, False, "西湖区", owed, None)

    async def schedule(self, promise: Promise, now: datetime) -> int | None:
        if not self.running:
            return None
        self.scheduled.append(promise.id)
        return 2

    async def write(self, entry: AuditEntry) -> None:
        self.audit.append(entry)


def service(memory: Memory, clock: ManualClock) -> PromiseService:
    return PromiseService(PromiseDeps(memory, memory, memory, memory), clock, "Asia/Shanghai")


async def test_follow_up_keeps_paid_promises_and_calls_broken_ones_again() -> None:
    clock = ManualClock(DUE - timedelta(hours=1))
    memory = Memory([promise(1, account=5), promise(2, account=6)], {5: "0", 6: "359.76"}, True)
    follow = service(memory, clock)
    assert (await follow.follow_up()).kept == []  # not due yet
    clock.advance(timedelta(hours=1))
    report = await follow.follow_up()
    assert (report.kept, report.broken, report.scheduled) == ([1], [2], [2])
    assert memory.status == {1: K, 2: B}
    assert [(e.action, e.data.get("follow_up")) for e in memory.audit] == [
        ("promise-kept", None),
        ("promise-broken", "3:9:2"),
    ]
    again = await follow.follow_up(clock.now() + timedelta(days=1))
    assert (again.kept, again.broken) == ([], [])  # settled once


async def test_a_broken_promise_of_a_campaign_over_is_noted_not_called() -> None:
    clock = ManualClock(DUE)
    memory = Memory([promise()], {5: "359.76"}, running=False)
    report = await service(memory, clock).follow_up()
    assert (report.broken, report.scheduled) == ([1], [])
    assert memory.audit[0].data["follow_up"] == "not scheduled: campaign 3 is not running"
