"""The app through its real HTTP surface: health, auth and roles, errors, the API, OpenAPI."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from callcenter.app import create_app
from callcenter.calls.models import CallEventType, Direction, ProviderRef
from callcenter.config import load_settings
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH, CALLS, ENGINE, IVR
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[[web.Application], Awaitable[Client]]


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str]) -> Client:
    settings = app_settings(stores, CALLCENTER_SERVER__MAX_BODY_BYTES="4096")
    app = create_app(settings, clock=ManualClock(NOW))
    return await aiohttp_client(app)


async def token(client: Client, role: Role) -> dict[str, str]:
    _, secret = await client.app[AUTH].create_token(role, f"test {role}")
    return {"Authorization": f"Bearer {secret}"}


async def test_the_lookup_timeout_is_the_configured_one(stores: tuple[str, str]) -> None:
    app = create_app(app_settings(stores, CALLCENTER_IVR__LOOKUP_TIMEOUT_SECONDS="0.5"))
    assert app[IVR]._services._lookup_timeout == 0.5  # type: ignore[attr-defined]


async def test_health_and_readiness(client: Client) -> None:
    assert (await client.get("/healthz")).status == 200
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert await resp.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "journal": "ok"},
    }


async def test_metrics_count_requests(client: Client) -> None:
    await client.get("/healthz")
    text = await (await client.get("/metrics")).text()
    assert 'callcenter_http_requests_total{method="GET",route="/healthz",status="200"}' in text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer cc_" + "x" * 43},
    ],
)
async def test_api_needs_a_valid_token(client: Client, headers: dict[str, str]) -> None:
    resp = await client.get("/api/calls", headers=headers)
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "unauthorized"


async def test_revoked_token_is_refused(client: Client) -> None:
    token_id, secret = await client.app[AUTH].create_token(Role.OPERATOR)
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/calls", headers=headers)).status == 200
    assert await client.app[AUTH].revoke_token(token_id)
    assert (await client.get("/api/calls", headers=headers)).status == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.AGENT, 403), (Role.SUPERVISOR, 200), (Role.OPERATOR, 200), (Role.ADMIN, 200)],
)
async def test_call_search_is_for_staff(client: Client, role: Role, status: int) -> None:
    resp = await client.get("/api/calls", headers=await token(client, role))
    assert resp.status == status


async def test_wrong_role_gets_a_stable_code(client: Client) -> None:
    resp = await client.get("/api/calls", headers=await token(client, Role.AGENT))
    assert (await resp.json())["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("phone=12ab", 400, "invalid-number"),
        ("account=33", 400, "invalid-number"),
        ("phone=13900009999", 404, "no-such-customer"),
        ("account=3399999999", 404, "no-such-customer"),
        ("", 400, "invalid-query"),
        ("phone=13800138000&account=3300000001", 400, "invalid-query"),
        ("colour=red", 400, "invalid-query"),
    ],
)
async def test_lookup_errors(client: Client, query: str, status: int, code: str) -> None:
    resp = await client.get(
        f"/api/customers/lookup?{query}", headers=await token(client, Role.AGENT)
    )
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code


async def test_lookup_returns_profile_with_arrears(client: Client) -> None:
    await add_customer(
        client.app[ENGINE],
        "张伟",
        [
            AccountSpec(
                "3300000001",
                ["+8613800138000"],
                bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))],
            )
        ],
    )
    resp = await client.get(
        "/api/customers/lookup?phone=138 0013 8000", headers=await token(client, Role.AGENT)
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["phone"] == "+8613800138000" and body["as_of"] == "2026-03-10"
    (customer,) = body["customers"]
    assert customer["name"] == "张伟"
    arrears = customer["accounts"][0]["arrears"]
    assert (arrears["arrears"], arrears["fee"], arrears["total_due"]) == (
        "500.00",
        "9.00",
        "509.00",
    )


async def test_call_api_lists_and_shows_a_call(client: Client) -> None:
    calls = client.app[CALLS]
    call = await calls.start(
        Direction.INBOUND, "+8613800138000", "+861095598", ProviderRef("twilio", "CA1")
    )
    await calls.record(call.id, CallEventType.IVR_ENTERED)
    await calls.record(call.id, CallEventType.IVR_STEP, {"node": "greeting"})
    headers = await token(client, Role.SUPERVISOR)
    listed = await (await client.get("/api/calls?number=13800138000", headers=headers)).json()
    assert listed["total"] == 1 and listed["items"][0]["ivr_path"] == ["greeting"]
    detail = await (await client.get(f"/api/calls/{call.id}", headers=headers)).json()
    assert [e["type"] for e in detail["events"]] == ["started", "ivr_entered", "ivr_step"]
    missing = await client.get(f"/api/calls/{'0' * 26}", headers=headers)
    assert (missing.status, (await missing.json())["error"]["code"]) == (404, "no-such-call")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("since=yesterday", "invalid-query"),
        ("since=2026-03-10T00:00:00", "invalid-query"),
        ("limit=0", "invalid-query"),
        ("limit=501", "invalid-query"),
        ("number=abc", "invalid-query"),
    ],
)
async def test_call_search_rejects_bad_filters(client: Client, query: str, code: str) -> None:
    resp = await client.get(f"/api/calls?{query}", headers=await token(client, Role.SUPERVISOR))
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == code


async def test_ticket_create_and_read(client: Client) -> None:
    headers = await token(client, Role.AGENT)
    resp = await client.post(
        "/api/tickets", json={"type": "complaint", "summary": "服务态度差"}, headers=headers
    )
    assert resp.status == 201
    created = await resp.json()
    assert created["status"] == "open" and created["created_by"] == "test agent"
    read = await client.get(f"/api/tickets/{created['id']}", headers=headers)
    assert (await read.json())["number"] == created["number"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid-body"),
        (b'{"type": "complaint"}', 400, "invalid-body"),
        (b'{"type": "gossip", "summary": "x"}', 400, "invalid-body"),
        (
            b'{"type": "complaint", "summary": "x", "call_id": "' + b"0" * 26 + b'"}',
            404,
            "no-such-call",
        ),
        (b'{"type": "complaint", "summary": "' + b"x" * 5000 + b'"}', 413, "body-too-large"),
    ],
)
async def test_ticket_bad_input(client: Client, body: bytes, status: int, code: str) -> None:
    headers = await token(client, Role.AGENT) | {"Content-Type": "application/json"}
    resp = await client.post("/api/tickets", data=body, headers=headers)
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code


@pytest.mark.parametrize(("path", "status"), [("/api/tickets/abc", 400), ("/api/tickets/999", 404)])
async def test_ticket_read_errors(client: Client, path: str, status: int) -> None:
    resp = await client.get(path, headers=await token(client, Role.AGENT))
    assert resp.status == status


async def test_unknown_route_is_json(client: Client) -> None:
    resp = await client.get("/nowhere")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not-found"


async def test_openapi_is_valid_and_in_step_with_the_routes(client: Client) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    validate(doc)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = {
        (r.resource.canonical, r.method.lower())
        for r in client.app.router.routes()
        if r.resource is not None
        and r.resource.canonical.startswith("/api/")
        and r.method != "HEAD"
        and r.resource.canonical != "/api/openapi.json"
    }
    assert documented == routed


@pytest.mark.postgres
async def test_readiness_fails_when_the_database_goes_away(
    aiohttp_client: MakeClient, postgres_url: str, pg_template: str
) -> None:
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    name = "cc_gone_" + uuid.uuid4().hex[:8]
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    settings = load_settings(
        None,
        {
            "CALLCENTER_DATABASE__URL": postgres_url.rsplit("/", 1)[0] + "/" + name,
            "CALLCENTER_DEMO__LOAD_ON_FIRST_START": "false",
        },
    )
    client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    assert (await client.get("/readyz")).status == 200
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 503 and body["checks"]["redis"] == "ok"
    assert body["checks"]["database"].startswith("database unreachable at postgresql+asyncpg://")
