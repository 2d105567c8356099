"""Queue settings at run time: listed with their settings, changed and added by admins
(validated with the configuration's rules, audited), used by the ACD at once, kept over a
restart, and picked up by another instance through the Redis notice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from agents.models import Priority, QueueRequest
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ACD, AUTH, ENGINE
from tests.conftest import _fresh_database
from tests.integration.admin_helpers import Client, app_client, eventually, make_app, send, staff

client = app_client


@pytest.fixture
async def admin(client: Client) -> tuple[int, dict[str, str]]:
    return await staff(client, Role.ADMIN)


async def test_staff_see_every_queue_with_its_settings(client: Client) -> None:
    _, operator = await staff(client, Role.OPERATOR)
    status, body = await send(client, "GET", "/api/queues", operator)
    assert status == 200
    queues = {q["name"]: q for q in body["queues"]}
    assert len(queues) == 8
    assert queues["fault"]["overflow_queue"] == "general"
    assert queues["emergency"]["callback_offer_seconds"] == 0  # switched off
    assert (queues["billing"]["configured"], queues["billing"]["stored"]) == (True, False)
    _, agent = await staff(client, Role.AGENT)
    assert (await send(client, "GET", "/api/queues", agent))[0] == 403


async def test_a_change_is_used_at_once_audited_and_kept_over_a_restart(
    client: Client,
    admin: tuple[int, dict[str, str]],
    stores: tuple[str, str],
    clock: ManualClock,
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    body = {"wrap_up_seconds": 45, "callback_offer_seconds": 0}
    status, queue = await send(client, "PATCH", "/api/queues/billing", admin[1], body)
    assert status == 200, queue
    assert (queue["wrap_up_seconds"], queue["stored"], queue["overflow_queue"]) == (
        45,
        True,
        "general",
    )
    billing = client.app[ACD].queues["billing"]
    assert (billing.wrap_up_seconds, billing.callback_offer_seconds) == (45, None)
    (entry,) = await SqlAuditLog(client.app[ENGINE]).entries("queue", "billing")
    assert (entry.action, entry.editor.role, entry.editor.user_id) == ("update", "admin", admin[0])
    assert (
        entry.data["before"]["wrap_up_seconds"] == 30
        and entry.data["after"]["wrap_up_seconds"] == 45
    )
    restarted = await aiohttp_client(make_app(stores, clock))
    assert restarted.app[ACD].queues["billing"].wrap_up_seconds == 45


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/queues/billing", {"wrap_up_seconds": -1}, 400, "invalid-queue-settings"),
        ("/api/queues/billing", {"service_level_goal": 2}, 400, "invalid-queue-settings"),
        ("/api/queues/billing", {"overflow_queue": "nowhere"}, 400, "invalid-queue-settings"),
        ("/api/queues/billing", {"colour": "red"}, 400, "invalid-body"),
        ("/api/queues/nowhere", {"wrap_up_seconds": 10}, 404, "no-such-queue"),
    ],
)
async def test_bad_queue_changes_are_refused(
    client: Client, admin: tuple[int, dict[str, str]], path: str, body: Any, status: int, code: str
) -> None:
    got, error = await send(client, "PATCH", path, admin[1], body)
    assert (got, error["error"]["code"]) == (status, code)
    assert client.app[ACD].queues["billing"].wrap_up_seconds == 30


async def test_an_admin_adds_a_queue_that_agents_and_calls_can_use(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    body = {"name": "storm", "overflow_after_seconds": 60, "overflow_queue": "general"}
    status, queue = await send(client, "POST", "/api/queues", admin[1], body)
    assert (status, queue["configured"], queue["service_level_seconds"]) == (201, False, 20)
    status, error = await send(client, "POST", "/api/queues", admin[1], body)
    assert (status, error["error"]["code"]) == (409, "queue-exists")
    bad = {"name": "Storm Two"}
    assert (await send(client, "POST", "/api/queues", admin[1], bad))[1]["error"]["code"] == (
        "invalid-queue-settings"
    )
    info = await client.app[ACD].enqueue(
        QueueRequest("01STORMCALL0000000000000000", "storm", Priority.NORMAL)
    )
    assert info.position == 1
    _, supervisor = await staff(client, Role.SUPERVISOR)
    assert (await send(client, "POST", "/api/queues", supervisor, {"name": "x"}))[0] == 403


@pytest.fixture
async def shared_stores(
    request: pytest.FixtureRequest, redis_server_url: str
) -> AsyncIterator[tuple[str, str]]:
    """One PostgreSQL database and one real Redis for two app instances."""
    async with _fresh_database(request, "postgresql") as url:
        yield url, redis_server_url


@pytest.mark.postgres
@pytest.mark.redis
async def test_another_instance_picks_changes_up_at_once(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    shared_stores: tuple[str, str],
    clock: ManualClock,
) -> None:
    prefix = {"CALLCENTER_REDIS__KEY_PREFIX": f"ccpair:{uuid.uuid4().hex[:8]}:"}
    first = await aiohttp_client(make_app(shared_stores, clock, **prefix))
    second = await aiohttp_client(make_app(shared_stores, clock, **prefix))
    _, admin = await staff(first, Role.ADMIN)
    await send(first, "PATCH", "/api/queues/fault", admin, {"wrap_up_seconds": 90})
    user = await first.app[AUTH].add_user("agent07", Role.AGENT, "desk-password-1")
    new = {"username": "agent07", "device": {"kind": "sip", "address": "1007"}}
    assert (await send(first, "POST", "/api/agents", admin, new))[0] == 201

    async def seen() -> bool:
        fault = second.app[ACD].queues["fault"]
        return fault.wrap_up_seconds == 90 and second.app[ACD].agent(user.id).enabled

    assert await eventually(seen)
