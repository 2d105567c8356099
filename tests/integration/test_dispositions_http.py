"""Campaign dispositions through the running app (embedded and real stores): each
disposition's effect in SQL, the error codes, and a promise to pay that pauses the account's
arrears calls until its day, then is followed up: broken (a new call on the same target, the
sequence resumes) or kept (paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from callcenter.calls.models import Direction
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.storage.arrears import SqlArrearsStore
from callcenter.storage.audit import SqlAuditLog
from callcenter.storage.outbound_tables import campaign_attempts, opt_outs, promises
from callcenter.web.keys import CALLS, DESK_CAMPAIGNS, ENGINE
from outbound import gate
from outbound.history import GateFacts
from outbound.models import (
    CampaignState,
    CampaignType,
    GatewayKind,
    NewCampaign,
    Target,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.admin_helpers import Client, app_client, send, staff
from tests.integration.outbound_helpers import stores

client = app_client
A = campaign_attempts
PHONE = "+8613900000101"
PATH = "/api/campaigns/attempts/{}/disposition"


@dataclass
class World:
    key: str
    account_id: int
    campaign_id: int
    target_id: int
    call_id: str
    agent: dict[str, str]
    other: dict[str, str]
    supervisor: dict[str, str]


@pytest.fixture
async def world(client: Client) -> World:
    """An arrears-reminder campaign running with one target (100 yuan 54 days overdue), its
    first attempt placed, on a call record, with the agent reserved for it."""
    engine = client.app[ENGINE]
    bill = BillSpec("2025-12", "100.00", date(2026, 1, 15))
    created = await add_customer(engine, "王大", [AccountSpec("3300000101", [PHONE], bills=[bill])])
    s = stores(engine)
    new = NewCampaign(
        "催费", CampaignType.ARREARS_REMINDER, GatewayKind.SIMULATED,
        TargetQuery(TargetQueryKind.ARREARS_OVER, "30"), end_at=NOW + timedelta(days=5),
    )  # fmt: skip
    record = await s.campaigns.create(new, NOW)
    campaign_id = record.campaign.id
    assert await s.targets.build(campaign_id, new.query, NOW) == 1
    await s.campaigns.set_state(campaign_id, CampaignState.RUNNING, [CampaignState.DRAFT], NOW)
    agent_id, agent = await staff(client, Role.AGENT, "agent7")
    _, other = await staff(client, Role.AGENT, "agent8")
    _, boss = await staff(client, Role.SUPERVISOR)
    call = await client.app[CALLS].start(Direction.OUTBOUND, "+8657195598", PHONE)
    async with engine.begin() as conn:
        row = (await conn.execute(select(A.c.id, A.c.target_id))).one()
        await conn.execute(
            update(A).values(state="placed", call_id=call.id, agent_id=agent_id, provider_id="p1")
        )
    key = f"{campaign_id}:{row.target_id}:1"
    return World(
        key, created.account_ids[0], campaign_id, row.target_id, call.id, agent, other, boss
    )


async def dispose(client: Client, w: World, auth: dict[str, str], **body: Any) -> Any:
    return await send(client, "POST", PATH.format(w.key), auth, body)


def code(answer: tuple[int, Any]) -> tuple[int, str]:
    return answer[0], answer[1]["error"]["code"]


async def attempts(client: Client) -> list[tuple[int, str, str | None, int | None]]:
    query = select(A.c.attempt_no, A.c.state, A.c.result, A.c.agent_id).order_by(A.c.attempt_no)
    async with client.app[ENGINE].connect() as conn:
        return [(r[0], r[1], r[2], r[3]) for r in await conn.execute(query)]


async def add_pending(client: Client, w: World) -> None:
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            A.insert().values(
                campaign_id=w.campaign_id, target_id=w.target_id, attempt_no=2, state="pending",
                not_before=NOW + timedelta(hours=4), created_at=NOW, updated_at=NOW,
            )
        )  # fmt: skip


async def notes(client: Client, call_id: str) -> list[dict[str, Any]]:
    detail = await client.app[CALLS].detail(call_id)
    return [e.data for e in detail.events if e.data.get("kind") == "campaign_disposition"]


async def paused(client: Client, w: World, clock: ManualClock) -> gate.Refusal | None:
    """What the gate says about another arrears reminder for the account now."""
    sequence = await SqlArrearsStore(client.app[ENGINE]).get(w.account_id)
    facts = GateFacts(clock.now(), sequences={w.account_id: sequence} if sequence else {})
    target = Target(99, w.campaign_id, 1, w.account_id, PHONE)
    dial = facts.context(CampaignType.ARREARS_REMINDER, target)
    return gate.check(dial, gate.ContactHistory(), CN_SGCC.outbound, clock.now())


@pytest.mark.parametrize(
    ("body", "who", "answer"),
    [
        ({"disposition": "maybe"}, "agent", (400, "invalid-disposition")),
        ({"disposition": "promise-to-pay"}, "agent", (400, "invalid-disposition")),
        (
            {"disposition": "promise-to-pay", "promise_date": "2026-04-10", "amount": "50"},
            "agent",
            (400, "promise-date-out-of-range"),
        ),
        (
            {"disposition": "promise-to-pay", "promise_date": "2026-03-12", "amount": "500"},
            "agent",
            (400, "promise-amount-invalid"),
        ),
        (
            {"disposition": "call-back", "call_back_at": "2026-03-20T10:00:00"},
            "agent",
            (400, "call-back-out-of-range"),
        ),
        ({"disposition": "refused"}, "other", (403, "not-your-call")),
        ({"disposition": "refused", "extra": 1}, "agent", (400, "invalid-body")),
    ],
)
async def test_bad_dispositions_are_refused_with_their_codes(
    client: Client, world: World, body: dict[str, Any], who: str, answer: tuple[int, str]
) -> None:
    auth = world.agent if who == "agent" else world.other
    assert code(await dispose(client, world, auth, **body)) == answer
    status, view = await send(client, "GET", PATH.format(world.key), world.supervisor)
    assert (status, view["disposition"]) == (200, None)


async def test_unknown_attempts_and_a_second_disposition(client: Client, world: World) -> None:
    for key in ("1:2", f"{world.campaign_id}:{world.target_id}:9"):
        answer = await send(
            client, "POST", PATH.format(key), world.agent, {"disposition": "refused"}
        )
        assert code(answer) == (404, "no-such-attempt")
    assert (await dispose(client, world, world.agent, disposition="refused"))[0] == 201
    again = await dispose(client, world, world.supervisor, disposition="already-paid")
    assert code(again) == (409, "disposition-exists")


async def test_a_promise_pauses_the_arrears_calls_until_its_day_then_a_broken_one_calls_again(
    client: Client, world: World, clock: ManualClock
) -> None:
    assert await paused(client, world, clock) is None
    status, out = await dispose(
        client, world, world.agent, disposition="promise-to-pay", promise_date="2026-03-15",
        amount="100.00", note="月中发工资后缴",
    )  # fmt: skip
    assert (status, out["disposition"], out["amount"], out["promise_id"]) == (
        201, "promise-to-pay", "100.00", out["promise_id"],
    )  # fmt: skip
    async with client.app[ENGINE].connect() as conn:
        row = (await conn.execute(select(promises))).one()
    assert (row.status, str(row.amount), row.promised_for) == ("open", "100.00", date(2026, 3, 15))
    status, view = await send(client, "GET", f"/api/arrears/{world.account_id}", world.supervisor)
    assert (view["step"], view["paused_until"]) == ("reminded", "2026-03-15T16:00:00Z")
    refusal = await paused(client, world, clock)
    assert refusal is not None and refusal.reason.value == "sequence"
    assert [n["disposition"] for n in await notes(client, world.call_id)] == ["promise-to-pay"]

    desk = client.app[DESK_CAMPAIGNS]
    clock.set(NOW + timedelta(days=5, hours=1))  # 2026-03-15 11:00 Beijing: not due
    assert (await desk.promises.follow_up(clock.now())).broken == []
    clock.set(NOW + timedelta(days=6))  # 2026-03-16 10:00 Beijing, unpaid
    report = await desk.promises.follow_up(clock.now())
    assert (report.broken, report.scheduled) == ([row.id], [row.id])
    agent = out["agent_id"]
    assert (await attempts(client))[1] == (2, "pending", None, agent)
    assert await paused(client, world, clock) is None  # the sequence resumes
    entries = await SqlAuditLog(client.app[ENGINE]).entries("arrears", str(world.account_id))
    assert "promise-broken" in [e.action for e in entries]


async def test_a_paid_promise_is_kept(client: Client, world: World, clock: ManualClock) -> None:
    await dispose(
        client, world, world.supervisor, disposition="promise-to-pay",
        promise_date="2026-03-10", amount="60",
    )  # fmt: skip
    pay = {"amount": "100.00"}
    assert (
        await send(
            client, "POST", f"/api/accounts/{world.account_id}/payments", world.supervisor, pay
        )
    )[0] == 201
    clock.set(NOW + timedelta(days=1))
    report = await client.app[DESK_CAMPAIGNS].promises.follow_up(clock.now())
    assert (len(report.kept), report.broken) == (1, [])
    async with client.app[ENGINE].connect() as conn:
        assert (await conn.execute(select(promises.c.status))).scalar_one() == "kept"


@pytest.mark.parametrize(
    ("body", "after", "opted_out"),
    [
        ({"disposition": "already-paid"}, [(1, "placed", None), (2, "done", "skipped")], False),
        ({"disposition": "wrong-number"}, [(1, "placed", None), (2, "done", "skipped")], True),
        ({"disposition": "refused"}, [(1, "placed", None), (2, "pending", None)], False),
        (
            {"disposition": "call-back", "call_back_at": "2026-03-11T15:30:00"},
            [(1, "placed", None), (2, "done", "skipped"), (3, "pending", None)],
            False,
        ),
    ],
)
async def test_each_disposition_changes_the_targets_attempts(
    client: Client,
    world: World,
    body: dict[str, Any],
    after: list[tuple[int, str, str | None]],
    opted_out: bool,
) -> None:
    await add_pending(client, world)
    status, out = await dispose(client, world, world.agent, **body)
    assert (status, out["disposition"]) == (201, body["disposition"])
    assert [a[:3] for a in await attempts(client)] == after
    async with client.app[ENGINE].connect() as conn:
        sources = [r.source for r in await conn.execute(select(opt_outs))]
    assert sources == (["wrong-number"] if opted_out else [])
    assert [n["disposition"] for n in await notes(client, world.call_id)] == [body["disposition"]]
    entries = await SqlAuditLog(client.app[ENGINE]).entries("attempt", world.key)
    assert [e.action for e in entries] == [f"disposition-{body['disposition']}"]
    status, view = await send(client, "GET", PATH.format(world.key), world.agent)
    assert view["disposition"]["disposition"] == body["disposition"]


async def test_a_call_back_is_due_at_its_local_time_for_the_same_agent(
    client: Client, world: World
) -> None:
    body = {"disposition": "call-back", "call_back_at": "2026-03-11T15:30:00"}
    _, out = await dispose(client, world, world.agent, **body)
    at = datetime.fromisoformat(out["call_back_at"])
    assert (at, out["call_back_attempt"]) == (NOW + timedelta(days=1, hours=5, minutes=30), 2)
    async with client.app[ENGINE].connect() as conn:
        row = (await conn.execute(select(A).where(A.c.attempt_no == 2))).one()
    assert (row.not_before, row.agent_id) == (
        NOW + timedelta(days=1, hours=5, minutes=30),
        out["agent_id"],
    )
