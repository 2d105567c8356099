"""The console's REST through the running app (embedded and real stores): the gate's dry run
over a target query refuses by reason (a vulnerable customer on an arrears query, an
opted-out number, outside the daily window) and writes nothing; the progress chart renders
with and without attempts; arrears sequences waiting for approval are listed; the attempt
list filters by time; bad input gets stable codes; roles are enforced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select, update

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from callcenter.web.keys import ENGINE
from tests.conftest import NOW
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.admin_helpers import Client, make_app, send, staff

Auth = dict[str, str]
ARREARS = {"type": "arrears-reminder", "target": "arrears-over:30"}
OVERDUE = [BillSpec("2025-12", "100.00", date(2026, 1, 10))]


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    return await aiohttp_client(make_app(stores, clock))


@pytest.fixture
async def operator(client: Client) -> Auth:
    return (await staff(client, Role.OPERATOR))[1]


@pytest.fixture
async def debtors(client: Client) -> dict[str, int]:
    """Three customers more than 30 days in arrears: one protected, one who opted out."""
    engine = client.app[ENGINE]
    ids = {}
    for name, phone, vulnerable in [
        ("王芳", "+8613900000001", "life_support"),
        ("陈明", "+8613900000002", ""),
        ("刘洋", "+8613900000003", ""),
    ]:
        account = AccountSpec(f"44000000{phone[-2:]}", [phone], bills=OVERDUE)
        created = await add_customer(engine, name, [account], vulnerable=vulnerable)
        ids[name] = created.account_ids[0]
    return ids


async def test_the_dry_run_counts_the_gates_refusals_by_reason_and_writes_nothing(
    client: Client, operator: Auth, debtors: dict[str, int]
) -> None:
    await send(client, "POST", "/api/opt-outs", operator, {"phone": "+8613900000002"})
    status, found = await send(client, "POST", "/api/campaigns/preview-gate", operator, ARREARS)
    assert status == 200, found
    assert (found["count"], found["checked"], found["limit"]) == (3, 3, 1000)
    assert found["refusals"] == {"vulnerable": 1, "opted-out": 1}
    assert len(found["sample"]) == 3
    # 10:00 in Beijing is outside an evening window: the one who may be called waits
    evening = ARREARS | {"window": {"start": "18:00", "end": "20:00"}, "sample": 1}
    _, late = await send(client, "POST", "/api/campaigns/preview-gate", operator, evening)
    assert late["refusals"] == {"vulnerable": 1, "opted-out": 1, "outside-window": 1}
    assert (late["count"], len(late["sample"])) == (3, 1)
    async with client.app[ENGINE].connect() as conn:
        stored = await conn.execute(select(func.count()).select_from(campaign_targets))
        assert stored.scalar_one() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "junk", "target": "arrears-over:30"}, "unknown-campaign-type"),
        ({"type": "bill-reminder", "target": "nonsense"}, "invalid-target-query"),
        ({"type": "bill-reminder", "target": "outage:999"}, "no-such-outage"),
        (ARREARS | {"window": {"start": "20:00", "end": "08:00"}}, "invalid-window"),
        (ARREARS | {"sample": 1000}, "invalid-body"),
    ],
)
async def test_a_bad_dry_run_gets_its_stable_code(
    client: Client, operator: Auth, body: dict[str, Any], code: str
) -> None:
    status, answer = await send(client, "POST", "/api/campaigns/preview-gate", operator, body)
    assert (status // 100, answer["error"]["code"]) == (4, code)


async def started_campaign(client: Client, auth: Auth) -> int:
    status, made = await send(client, "POST", "/api/campaigns", auth, ARREARS)
    assert status == 201, made
    await send(client, "POST", f"/api/campaigns/{made['id']}/start", auth)
    return int(made["id"])


async def chart(client: Client, auth: Auth, campaign_id: int, query: str = "") -> tuple[int, str]:
    resp = await client.get(f"/api/campaigns/{campaign_id}/progress.svg{query}", headers=auth)
    return resp.status, await resp.text()


async def test_the_chart_renders_without_and_with_finished_attempts(
    client: Client, operator: Auth, debtors: dict[str, int]
) -> None:
    cid = await started_campaign(client, operator)
    status, empty = await chart(client, operator, cid, "?lang=en-US")
    assert status == 200 and empty.startswith("<svg") and 'data-peak="0"' in empty
    assert "No results yet" in empty and "<rect" not in empty
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(campaign_attempts)
            .where(campaign_attempts.c.campaign_id == cid)
            .values(state="done", result="answered", updated_at=NOW - timedelta(minutes=3))
        )
    _, drawn = await chart(client, operator, cid)
    assert drawn.count('data-result="answered"') == 1 and 'data-peak="3"' in drawn
    assert "已接听" in drawn and "暂无结果" not in drawn
    assert "09:01" in drawn and "10:01" in drawn  # Beijing times on the axis (60 minutes)


async def test_the_chart_refuses_bad_input(client: Client, operator: Auth) -> None:
    assert (await chart(client, operator, 999))[0] == 404
    status, text = await chart(client, operator, 1, "?minutes=0")
    assert (status, "invalid-query" in text) == (400, True)
    agent = (await staff(client, Role.AGENT))[1]
    assert (await chart(client, agent, 1))[0] == 403


async def test_attempts_are_filtered_by_the_time_of_their_last_change(
    client: Client, operator: Auth, debtors: dict[str, int]
) -> None:
    cid = await started_campaign(client, operator)
    path = f"/api/campaigns/{cid}/attempts"
    after = (NOW + timedelta(minutes=1)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    for query, total in [("", 3), (f"?until={after}", 3), (f"?since={after}", 0)]:
        _, page = await send(client, "GET", path + query.replace("+", "%2B"), operator)
        assert page["total"] == total, query
    # a time without a zone is local time at the utility (Beijing): 10:00 there is NOW
    _, local = await send(client, "GET", path + "?since=2026-03-10T10:00:01", operator)
    assert local["total"] == 0


async def test_sequences_waiting_for_approval_are_listed_until_approved_or_withdrawn(
    client: Client, operator: Auth, debtors: dict[str, int]
) -> None:
    reminded = {"step": "reminded"}
    for account_id in debtors.values():
        await send(client, "POST", f"/api/arrears/{account_id}/steps", operator, reminded)
    status, listed = await send(client, "GET", "/api/arrears-approvals", operator)
    assert status == 200
    assert {s["account_id"] for s in listed["sequences"]} == set(debtors.values())
    first = listed["sequences"][0]
    assert first["arrears"] and first["customer_name"] in debtors and first["account_no"]
    withdrawn = debtors["陈明"]
    body = {"step": "withdrawn", "note": "rejected on the console"}
    status, _ = await send(client, "POST", f"/api/arrears/{withdrawn}/steps", operator, body)
    assert status == 200
    _, after = await send(client, "GET", "/api/arrears-approvals?limit=5", operator)
    assert withdrawn not in {s["account_id"] for s in after["sequences"]}
    status, bad = await send(client, "GET", "/api/arrears-approvals?limit=0", operator)
    assert (status, bad["error"]["code"]) == (400, "invalid-query")
