"""The campaign API through the running app (embedded and real stores): an operator
previews, creates and starts a campaign, the server's dialer runs it on the simulated
gateway, progress counts and the attempts (listed and exported as CSV) show it; pause,
resume and cancel; every refusal has its stable code; roles are enforced; changes audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ENGINE
from tests.conftest import NOW
from tests.factories import add_outage
from tests.integration.admin_helpers import Client, eventually, make_app, send, staff
from tests.integration.outbound_helpers import Town, town

Auth = dict[str, str]
FAST = {
    "CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS": "0",
    "CALLCENTER_OUTBOUND__SCAN_SECONDS": "0.2",
    "CALLCENTER_OUTBOUND__TICK_MS": "1000",  # results need no tick: they arrive at once
}
BUSY = frozenset({"due", "claimed", "sending", "placed"})


@pytest.fixture(params=[False])
async def client(
    request: pytest.FixtureRequest,
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    """The app; its dialer loop runs only where a test asks (`dialing`), so the other tests
    never shut an app down in the middle of a dialing round."""
    dialing = {"CALLCENTER_OUTBOUND__RUN_DIALER": "true" if request.param else "false"}
    return await aiohttp_client(make_app(stores, clock, **(FAST | dialing)))


dialing = pytest.mark.parametrize("client", [True], indirect=True, ids=["dialing"])


@pytest.fixture
async def places(client: Client) -> Town:
    return await town(client.app[ENGINE])


@pytest.fixture
async def operator(client: Client) -> Auth:
    return (await staff(client, Role.OPERATOR))[1]


async def create(client: Client, auth: Auth, **body: Any) -> tuple[int, Any]:
    status, created = await send(client, "POST", "/api/campaigns", auth, body)
    return int(status), created


async def settled(client: Client, auth: Auth, campaign_id: int, targets: int) -> dict[str, Any]:
    """Poll the campaign until every target has had its first call (retries wait for a
    clock that stands still), and return its progress."""
    seen: dict[str, Any] = {}

    async def done() -> bool:
        _, seen["status"] = await send(client, "GET", f"/api/campaigns/{campaign_id}", auth)
        s = seen["status"]
        finished = sum(s["results"].values()) + sum(s["refused"].values())
        return finished == targets and not BUSY & set(s["waiting"])

    assert await eventually(done)
    return dict(seen["status"])


@dialing
async def test_a_campaign_is_previewed_created_started_run_and_exported(
    client: Client, operator: Auth, places: Town
) -> None:
    target = f"outage:{places.outage_id}"
    status, preview = await send(
        client, "POST", "/api/campaigns/preview", operator, {"target": target}
    )
    assert (status, preview["count"], len(preview["sample"])) == (200, 3, 3)
    assert {row["account_no"] for row in preview["sample"]} == {
        "3300000001",
        "3300000002",
        "3300000004",
    }
    status, campaign = await create(client, operator, type="outage-notice", target=target)
    assert (status, campaign["state"], campaign["target"]) == (201, "draft", target)
    assert campaign["name"] == "停电通知 2026-03-10" and campaign["gateway"] == "simulated"
    cid = campaign["id"]
    _, again = await send(client, "GET", f"/api/campaigns/{cid}/preview", operator)
    assert again["count"] == 3
    status, started = await send(client, "POST", f"/api/campaigns/{cid}/start", operator)
    assert (status, started["state"]) == (200, "running")

    progress = await settled(client, operator, cid, 3)
    assert progress["targets"] == 3 and progress["campaign"]["id"] == cid
    retries = progress["waiting"].get("retry-later", 0)
    _, page = await send(client, "GET", f"/api/campaigns/{cid}/attempts", operator)
    assert page["total"] == 3 + retries
    ids = [a["id"] for a in page["attempts"]]
    assert ids == sorted(ids, reverse=True)

    result = page["attempts"][-1]["result"] or "refused"
    _, only = await send(
        client, "GET", f"/api/campaigns/{cid}/attempts?state=done&result={result}", operator
    )
    assert only["total"] >= 1 and {a["result"] for a in only["attempts"]} == {result}
    _, one = await send(
        client, "GET", f"/api/campaigns/{cid}/attempts?phone=%2B8613800000001", operator
    )
    assert {a["account_no"] for a in one["attempts"]} == {"3300000001"}
    _, second = await send(
        client, "GET", f"/api/campaigns/{cid}/attempts?limit=1&offset=1", operator
    )
    assert [a["id"] for a in second["attempts"]] == ids[1:2]

    resp = await client.get(f"/api/campaigns/{cid}/attempts.csv", headers=operator)
    assert resp.status == 200 and resp.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert sorted(int(r["attempt_id"]) for r in rows) == sorted(ids)
    assert "+8613800000001" in {r["phone"] for r in rows}  # numbers as stored, unmasked


async def test_pause_resume_cancel_and_the_audit_trail(
    client: Client, operator: Auth, places: Town
) -> None:
    _, campaign = await create(
        client, operator, type="bill-reminder", target="bills-due:5", name="三月提醒"
    )
    cid = campaign["id"]
    base = f"/api/campaigns/{cid}"
    steps = [
        ("pause", 409, "draft"),
        ("start", 200, "running"),
        ("pause", 200, "paused"),
        ("pause", 409, "paused"),
        ("resume", 200, "running"),
        ("cancel", 200, "cancelled"),
        ("start", 409, "cancelled"),
        ("resume", 409, "cancelled"),
    ]
    for verb, expected, state in steps:
        status, body = await send(client, "POST", f"{base}/{verb}", operator)
        assert status == expected, (verb, body)
        if status == 409:
            assert body["error"]["code"] == "campaign-state"
        _, now = await send(client, "GET", base, operator)
        assert now["campaign"]["state"] == state
    _, listed = await send(client, "GET", "/api/campaigns?state=cancelled", operator)
    assert [c["id"] for c in listed["campaigns"]] == [cid]
    _, running = await send(client, "GET", "/api/campaigns?state=running,paused", operator)
    assert running["campaigns"] == []
    entries = await SqlAuditLog(client.app[ENGINE]).entries("campaign", str(cid))
    assert [e.action for e in entries] == ["create", "start", "pause", "resume", "cancel"]
    assert {e.editor.role for e in entries} == {"operator"}


async def test_a_csv_campaign_loads_its_rows_at_creation_all_or_nothing(
    client: Client, operator: Auth, places: Town
) -> None:
    bad = "户号\n3300000001\nnot-a-number\n3300000001\n"
    status, refused = await create(
        client, operator, type="bill-reminder", target="csv:bad.csv", csv=bad
    )
    assert (status, refused["error"]["code"]) == (400, "csv-rejected")
    assert "line 3" in refused["error"]["message"] and "line 4" in refused["error"]["message"]
    _, none = await send(client, "GET", "/api/campaigns", operator)
    assert none["campaigns"] == []
    good = "户号\n3300000001\n3300000006\n"
    status, campaign = await create(
        client, operator, type="bill-reminder", target="csv:march.csv", csv=good
    )
    assert status == 201
    _, preview = await send(client, "GET", f"/api/campaigns/{campaign['id']}/preview", operator)
    assert preview["count"] == 2
    status, started = await send(client, "POST", f"/api/campaigns/{campaign['id']}/start", operator)
    assert (status, started["state"]) == (200, "running")


CREATE_REFUSALS = [
    ({"type": "weather-report", "target": "outage:1"}, 400, "unknown-campaign-type"),
    ({"type": "bill-reminder", "target": "weather:1"}, 400, "invalid-target-query"),
    ({"type": "bill-reminder", "target": "bills-due"}, 400, "invalid-target-query"),
    ({"type": "bill-reminder", "target": "bills-due:soon"}, 400, "invalid-target-query"),
    ({"type": "low-balance", "target": "balance-below:lots"}, 400, "invalid-target-query"),
    ({"type": "bill-reminder", "target": "csv:a.csv"}, 400, "csv-missing"),
    ({"type": "bill-reminder", "target": "csv:a.csv", "csv": "\n"}, 400, "csv-empty"),
    (
        {"type": "bill-reminder", "target": "bills-due:3", "gateway": "pigeon"},
        400,
        "unknown-gateway",
    ),
    (
        {"type": "bill-reminder", "target": "bills-due:3", "gateway": "twilio"},
        409,
        "gateway-not-configured",
    ),
    (
        {"type": "bill-reminder", "target": "bills-due:3", "gateway": "asterisk"},
        409,
        "gateway-not-configured",
    ),
    (
        {
            "type": "bill-reminder",
            "target": "bills-due:3",
            "window": {"start": "20:00", "end": "08:00"},
        },
        400,
        "invalid-window",
    ),
    (
        {
            "type": "bill-reminder",
            "target": "bills-due:3",
            "start_at": "2026-03-12T08:00:00",
            "end_at": "2026-03-11T08:00:00",
        },
        400,
        "invalid-schedule",
    ),
    (
        {"type": "bill-reminder", "target": "bills-due:3", "name": "  "},
        400,
        "campaign-name-missing",
    ),
    ({"type": "bill-reminder", "target": "bills-due:3", "colour": "red"}, 400, "invalid-body"),
    ({"type": "bill-reminder", "target": "bills-due:3", "max_attempts": 0}, 400, "invalid-body"),
    ({"type": "outage-notice", "target": "outage:999999"}, 404, "no-such-outage"),
    ({"type": "outage-notice", "target": "outage:PLANNED"}, 409, "notice-too-late"),
]


@pytest.mark.parametrize(("body", "status", "code"), CREATE_REFUSALS)
async def test_creation_refusals_have_stable_codes(
    client: Client, operator: Auth, places: Town, body: dict[str, Any], status: int, code: str
) -> None:
    planned = await add_outage(
        client.app[ENGINE], ["F09-009"], kind="planned", start=NOW + timedelta(days=2)
    )
    body = {k: v.replace("PLANNED", str(planned)) if k == "target" else v for k, v in body.items()}
    got, answer = await create(client, operator, **body)
    assert (got, answer["error"]["code"]) == (status, code)


READ_REFUSALS = [
    ("GET", "/api/campaigns/999999", None, 404, "no-such-campaign"),
    ("GET", "/api/campaigns/abc", None, 400, "invalid-id"),
    ("GET", "/api/campaigns?state=finished", None, 400, "invalid-query"),
    ("GET", "/api/campaigns/999999/preview", None, 404, "no-such-campaign"),
    ("GET", "/api/campaigns/999999/attempts", None, 404, "no-such-campaign"),
    ("GET", "/api/campaigns/CID/attempts?result=won", None, 400, "invalid-query"),
    ("GET", "/api/campaigns/CID/attempts?reason=bored", None, 400, "invalid-query"),
    ("GET", "/api/campaigns/CID/attempts?limit=0", None, 400, "invalid-query"),
    ("GET", "/api/campaigns/999999/attempts.csv", None, 404, "no-such-campaign"),
    ("POST", "/api/campaigns/999999/start", None, 404, "no-such-campaign"),
    ("POST", "/api/campaigns/CID/resume", None, 409, "campaign-state"),
    ("POST", "/api/campaigns/preview", {"target": "ticket:999999"}, 404, "no-such-ticket"),
    ("POST", "/api/campaigns/preview", {"target": "tickets:1"}, 400, "invalid-target-query"),
    ("POST", "/api/campaigns/preview", {"target": "csv:x.csv"}, 400, "csv-missing"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), READ_REFUSALS)
async def test_other_refusals_have_stable_codes(
    client: Client,
    operator: Auth,
    places: Town,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    _, campaign = await create(client, operator, type="bill-reminder", target="bills-due:3")
    path = path.replace("CID", str(campaign["id"]))
    got, answer = await send(client, method, path, operator, body)
    assert (got, answer["error"]["code"]) == (status, code)


ROLE_TABLE = [
    (Role.AGENT, "GET", "/api/campaigns", 403),
    (Role.AGENT, "POST", "/api/campaigns", 403),
    (Role.AGENT, "GET", "/api/campaigns/CID/attempts.csv", 403),
    (Role.SUPERVISOR, "GET", "/api/campaigns", 200),
    (Role.SUPERVISOR, "GET", "/api/campaigns/CID", 200),
    (Role.SUPERVISOR, "POST", "/api/campaigns", 403),
    (Role.SUPERVISOR, "POST", "/api/campaigns/CID/start", 403),
    (Role.SUPERVISOR, "POST", "/api/campaigns/preview", 403),
    (Role.OPERATOR, "POST", "/api/campaigns", 201),
    (Role.ADMIN, "POST", "/api/campaigns", 201),
    (Role.ADMIN, "POST", "/api/campaigns/CID/cancel", 200),
]


@pytest.mark.parametrize(("role", "method", "path", "status"), ROLE_TABLE)
async def test_roles(
    client: Client, operator: Auth, role: Role, method: str, path: str, status: int
) -> None:
    _, campaign = await create(client, operator, type="bill-reminder", target="bills-due:3")
    auth = (await staff(client, role, f"{role.value}_x"))[1]
    body = {"type": "bill-reminder", "target": "bills-due:3"} if method == "POST" else None
    if path.endswith("preview"):
        body = {"target": "bills-due:3"}
    resp = await client.request(
        method, path.replace("CID", str(campaign["id"])), headers=auth, json=body
    )
    assert resp.status == status
