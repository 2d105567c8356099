"""Opt-outs and area suspensions through the running app (embedded and real stores): added,
listed, removed (opt-outs: by an admin only) or ended, every change audited, nonsense
refused with stable codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ENGINE
from tests.conftest import NOW
from tests.integration.admin_helpers import Client, app_client, send, staff

Auth = dict[str, str]
client = app_client


@pytest.fixture
async def people(client: Client) -> dict[Role, Auth]:
    return {role: (await staff(client, role))[1] for role in Role}


async def test_an_opt_out_is_added_once_listed_and_removed_only_by_an_admin(
    client: Client, people: dict[Role, Auth], clock: ManualClock
) -> None:
    op, admin = people[Role.OPERATOR], people[Role.ADMIN]
    body = {"phone": "138 0013 8000", "source": "agent"}
    status, first = await send(client, "POST", "/api/opt-outs", op, body)
    assert (status, first["phone"], first["source"]) == (201, "+8613800138000", "agent")
    clock.advance(timedelta(minutes=5))
    status, again = await send(client, "POST", "/api/opt-outs", op, {"phone": "13800138000"})
    assert (status, again["source"], again["at"]) == (200, "agent", first["at"])
    await send(client, "POST", "/api/opt-outs", op, {"phone": "+8613900139000"})
    _, page = await send(client, "GET", "/api/opt-outs?limit=1", op)
    assert (page["total"], [o["phone"] for o in page["opt_outs"]]) == (2, ["+8613900139000"])
    _, one = await send(client, "GET", "/api/opt-outs?phone=13800138000", op)
    assert [o["phone"] for o in one["opt_outs"]] == ["+8613800138000"]

    path = "/api/opt-outs/%2B8613800138000"
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.AGENT):
        assert (await send(client, "DELETE", path, people[role]))[0] == 403
    status, removed = await send(client, "DELETE", path, admin)
    assert (status, removed["phone"]) == (200, "+8613800138000")
    status, gone = await send(client, "DELETE", path, admin)
    assert (status, gone["error"]["code"]) == (404, "no-such-opt-out")
    entries = await SqlAuditLog(client.app[ENGINE]).entries("opt-out", "+8613800138000")
    assert [(e.action, e.editor.role) for e in entries] == [
        ("create", "operator"),
        ("delete", "admin"),
    ]


async def test_an_area_suspension_is_added_listed_and_ended(
    client: Client, people: dict[Role, Auth], clock: ManualClock
) -> None:
    sup = people[Role.SUPERVISOR]
    body = {"area": "西湖区", "reason": "台风", "until": "2026-03-12T08:00:00"}
    status, made = await send(client, "POST", "/api/area-suspensions", sup, body)
    assert (status, made["area"]) == (201, "西湖区")
    assert made["created_by"].startswith("supervisor:")
    assert datetime.fromisoformat(made["from_at"]) == NOW
    assert datetime.fromisoformat(made["until"]) == NOW + timedelta(days=1, hours=22)
    _, listed = await send(client, "GET", "/api/area-suspensions", sup)
    assert [s["id"] for s in listed["suspensions"]] == [made["id"]]
    clock.advance(timedelta(hours=1))
    path = f"/api/area-suspensions/{made['id']}/end"
    status, ended = await send(client, "POST", path, sup)
    assert (status, datetime.fromisoformat(ended["until"])) == (200, NOW + timedelta(hours=1))
    status, again = await send(client, "POST", path, sup)
    assert (status, again["error"]["code"]) == (409, "suspension-ended")
    _, current = await send(client, "GET", "/api/area-suspensions", sup)
    _, everything = await send(client, "GET", "/api/area-suspensions?all=true", sup)
    assert (current["suspensions"], len(everything["suspensions"])) == ([], 1)
    entries = await SqlAuditLog(client.app[ENGINE]).entries("area-suspension", str(made["id"]))
    assert [e.action for e in entries] == ["create", "end"]


REFUSALS = [
    ("POST", "/api/opt-outs", {"phone": "call me maybe"}, Role.OPERATOR, 400, "invalid-number"),
    ("POST", "/api/opt-outs", {"phone": "13800138000", "x": 1}, Role.OPERATOR, 400, "invalid-body"),
    ("GET", "/api/opt-outs?limit=0", None, Role.OPERATOR, 400, "invalid-query"),
    ("GET", "/api/opt-outs", None, Role.AGENT, 403, "forbidden"),
    ("DELETE", "/api/opt-outs/nonsense", None, Role.ADMIN, 400, "invalid-number"),
    ("POST", "/api/area-suspensions", {"area": "西湖区"}, Role.OPERATOR, 400, "invalid-body"),
    (
        "POST",
        "/api/area-suspensions",
        {"area": "西湖区", "reason": "x", "from_at": "2026-03-12T08:00:00", "until": "2026-03-11"},
        Role.OPERATOR,
        400,
        "invalid-schedule",
    ),
    (
        "POST",
        "/api/area-suspensions",
        {"area": " ", "reason": "x"},
        Role.ADMIN,
        400,
        "invalid-body",
    ),
    ("POST", "/api/area-suspensions/999999/end", None, Role.OPERATOR, 404, "no-such-suspension"),
    ("POST", "/api/area-suspensions/abc/end", None, Role.OPERATOR, 400, "invalid-id"),
    ("GET", "/api/area-suspensions", None, Role.AGENT, 403, "forbidden"),
]


@pytest.mark.parametrize(("method", "path", "body", "role", "status", "code"), REFUSALS)
async def test_refusals_have_stable_codes(
    client: Client,
    people: dict[Role, Auth],
    method: str,
    path: str,
    body: Any,
    role: Role,
    status: int,
    code: str,
) -> None:
    got, answer = await send(client, method, path, people[role], body)
    assert (got, answer["error"]["code"]) == (status, code)
