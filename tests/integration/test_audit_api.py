"""The audit log API through the running app (embedded and real stores): for admins only,
exact-match filters and time ranges, keyset pages, CSV and NDJSON exports (spreadsheet-safe),
and the changes people make over HTTP (agent states, campaign actions) recorded with the
address they came from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from callcenter.core.api import Role
from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.clock import ManualClock
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.web.keys import ENGINE
from tests.integration.admin_helpers import Client, make_app, send, staff
from tests.integration.test_agent_admin import new_agent
from tests.integration.test_agent_desk import sign_in

Auth = dict[str, str]
T0 = datetime(2025, 6, 1, tzinfo=UTC)  # the seeded entries' day: apart from any others
DAY = "until=2025-06-02T00:00:00Z"
AGENT_AT, SUPERVISOR_AT, OPERATOR_AT = "198.51.100.7", "203.0.113.9", "192.0.2.44"
SEED = [  # (actor role, actor id, address, entity, entity id, action), a minute apart
    ("operator", 5, "10.0.0.1", "campaign", "7", "start"),
    ("admin", 1, "10.0.0.2", "opt-out", "+8613800000001", "create"),
    ("agent", 9, "10.0.0.3", "agent-state", "9", "ready"),
    ("supervisor", 4, "10.0.0.1", "agent-state", "9", "not_ready"),
    ("cli", None, None, "outage", '=HYPERLINK("http://x")', "create"),
]


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    """The app behind a trusted proxy on loopback, so X-Forwarded-For names the client."""
    proxies = {"CALLCENTER_SERVER__TRUSTED_PROXIES": '["127.0.0.1", "::1"]'}
    return await aiohttp_client(make_app(stores, clock, **proxies))


@pytest.fixture
async def admin(client: Client) -> Auth:
    return (await staff(client, Role.ADMIN))[1]


@pytest.fixture
async def seeded(client: Client) -> None:
    writer = SqlAuditWriter(client.app[ENGINE])
    for i, (role, user_id, address, entity, entity_id, action) in enumerate(SEED):
        editor = Editor(role, user_id, address)
        at = T0 + timedelta(minutes=i)
        await writer.write(AuditEntry(at, editor, entity, entity_id, action, {"n": i}))


def seeds(entries: list[dict[str, Any]]) -> list[int]:
    """Which seeded entries (by their index in SEED) a response lists, in its order."""
    return [int(e["data"]["n"]) for e in entries]


def proxied(auth: Auth, address: str) -> Auth:
    return auth | {"X-Forwarded-For": address}


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.OPERATOR])
async def test_only_admins_read_the_audit_log(client: Client, role: Role) -> None:
    _, auth = await staff(client, role)
    for path in ("/api/audit", "/api/audit/export"):
        resp = await client.get(path, headers=auth)
        assert (resp.status, (await resp.json())["error"]["code"]) == (403, "forbidden"), path


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [4, 3, 2, 1, 0]),
        ("entity=agent-state", [3, 2]),
        ("entity=agent-state&entity_id=9&action=ready", [2]),
        ("actor_id=4", [3]),
        ("actor_role=operator", [0]),
        ("address=10.0.0.1", [3, 0]),
        ("entity_id=%2B8613800000001", [1]),
        ("since=2025-06-01T00:01:00Z", [4, 3, 2, 1]),  # since included
        ("since=2025-06-01T08:01:00%2B08:00", [4, 3, 2, 1]),  # any offset
        ("since=2025-06-01T00:01:00Z&until=2025-06-01T00:03:00Z", [2, 1]),  # until excluded
        ("entity=ticket", []),
    ],
)
async def test_filters_match_exactly_newest_first(
    client: Client, admin: Auth, seeded: None, query: str, expected: list[int]
) -> None:
    status, body = await send(client, "GET", f"/api/audit?{query}&{DAY}", admin)
    assert status == 200, body
    assert (seeds(body["entries"]), body["next_before_id"]) == (expected, None)


async def test_an_entry_says_who_did_what_when_and_from_where(
    client: Client, admin: Auth, seeded: None
) -> None:
    _, body = await send(client, "GET", f"/api/audit?actor_id=4&{DAY}", admin)
    (entry,) = body["entries"]
    assert {k: v for k, v in entry.items() if k != "id"} == {
        "at": "2025-06-01T00:03:00Z",
        "actor_role": "supervisor",
        "actor_id": 4,
        "address": "10.0.0.1",
        "entity": "agent-state",
        "entity_id": "9",
        "action": "not_ready",
        "data": {"n": 3},
    }


async def test_pages_follow_next_before_id_to_the_end(
    client: Client, admin: Auth, seeded: None
) -> None:
    pages, before = [], ""
    for _ in range(4):
        _, body = await send(client, "GET", f"/api/audit?limit=2&{DAY}{before}", admin)
        pages.append(seeds(body["entries"]))
        if body["next_before_id"] is None:
            break
        before = f"&before_id={body['next_before_id']}"
    assert pages == [[4, 3], [2, 1], [0]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/audit?since=2025-06-01T00:00:00",  # no offset
        "/api/audit?since=yesterday",
        "/api/audit?since=2833",  # not seconds since 1970 (schemathesis found it accepted)
        "/api/audit?until=1.5e9",
        "/api/audit?since=2025-06-02T00:00:00Z&until=2025-06-01T00:00:00Z",
        "/api/audit?since=2025-06-01T00:00:00Z&until=2025-06-01T00:00:00Z",
        "/api/audit?limit=501",
        "/api/audit?limit=0",
        "/api/audit?before_id=0",
        "/api/audit?before_id=x",
        "/api/audit?actor_id=abc",
        f"/api/audit?entity={'e' * 33}",
        "/api/audit?colour=red",
        "/api/audit/export?format=xlsx",
        "/api/audit/export?since=2025-06-01T00:00:00",
        "/api/audit/export?limit=10",  # the export pages by itself
    ],
)
async def test_a_bad_filter_is_a_400_with_a_stable_code(
    client: Client, admin: Auth, path: str
) -> None:
    status, body = await send(client, "GET", path, admin)
    assert (status, body["error"]["code"]) == (400, "invalid-query"), body
    assert body["error"]["message"]


async def test_the_csv_export_is_a_download_that_a_spreadsheet_cannot_run(
    client: Client, admin: Auth, seeded: None
) -> None:
    resp = await client.get(f"/api/audit/export?format=csv&address=10.0.0.1&{DAY}", headers=admin)
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert [(r["actor_role"], r["action"], r["data"]) for r in rows] == [
        ("supervisor", "not_ready", '{"n":3}'),
        ("operator", "start", '{"n":0}'),
    ]
    resp = await client.get(f"/api/audit/export?{DAY}", headers=admin)
    cells = {r["entity"]: r["entity_id"] for r in csv.DictReader(io.StringIO(await resp.text()))}
    assert cells["outage"] == '\'=HYPERLINK("http://x")'
    assert cells["opt-out"] == "'+8613800000001"


async def test_the_ndjson_export_has_the_api_entries_one_a_line(
    client: Client, admin: Auth, seeded: None
) -> None:
    _, listed = await send(client, "GET", f"/api/audit?{DAY}", admin)
    resp = await client.get(f"/api/audit/export?format=ndjson&{DAY}", headers=admin)
    assert resp.status == 200 and resp.content_type == "application/x-ndjson"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="audit.ndjson"'
    assert [json.loads(line) for line in (await resp.text()).splitlines()] == listed["entries"]


async def test_agent_state_changes_are_audited_with_who_and_where(
    client: Client, admin: Auth
) -> None:
    agent_id = (await new_agent(client, admin))["agent_id"]
    agent = proxied(await sign_in(client, "agent01", "desk-password-1"), AGENT_AT)
    supervisor = proxied((await staff(client, Role.SUPERVISOR))[1], SUPERVISOR_AT)
    assert (await send(client, "POST", "/api/agents/me/login", agent))[0] == 200
    assert (await send(client, "PUT", "/api/agents/me/state", agent, {"state": "ready"}))[0] == 200
    forced = {"state": "not_ready", "reason": "training"}
    status, _ = await send(client, "PUT", f"/api/agents/{agent_id}/state", supervisor, forced)
    assert status == 200
    _, body = await send(
        client, "GET", f"/api/audit?entity=agent-state&entity_id={agent_id}", admin
    )
    assert [(e["action"], e["actor_role"], e["address"], e["data"]) for e in body["entries"]] == [
        (
            "not_ready",
            "supervisor",
            SUPERVISOR_AT,
            {"from": "ready", "to": "not_ready", "reason": "training"},
        ),
        ("ready", "agent", AGENT_AT, {"from": "not_ready", "to": "ready", "reason": None}),
        (
            "not_ready",
            "agent",
            AGENT_AT,
            {"from": "logged_out", "to": "not_ready", "reason": "system"},
        ),
    ]
    _, made = await send(client, "GET", f"/api/audit?entity=agent&entity_id={agent_id}", admin)
    assert [(e["action"], e["address"]) for e in made["entries"]] == [("create", "127.0.0.1")]


async def test_campaign_actions_are_audited_with_where_they_came_from(
    client: Client, admin: Auth
) -> None:
    operator = proxied((await staff(client, Role.OPERATOR))[1], OPERATOR_AT)
    body = {"type": "bill-reminder", "target": "bills-due:5"}
    status, created = await send(client, "POST", "/api/campaigns", operator, body)
    assert status == 201, created
    cid = created["id"]
    assert (await send(client, "POST", f"/api/campaigns/{cid}/cancel", operator))[0] == 200
    _, found = await send(client, "GET", f"/api/audit?entity=campaign&entity_id={cid}", admin)
    assert [(e["action"], e["actor_role"], e["address"]) for e in found["entries"]] == [
        ("cancel", "operator", OPERATOR_AT),
        ("create", "operator", OPERATOR_AT),
    ]


async def test_the_openapi_document_lists_the_audit_routes(client: Client) -> None:
    resp = await client.get("/api/openapi.json")
    paths = (await resp.json())["paths"]
    assert paths["/api/audit"]["get"]["tags"] == ["audit"]
    names = {p["name"] for p in paths["/api/audit/export"]["get"]["parameters"]}
    assert {"format", "entity", "since", "until", "address"} <= names
