"""A campaign's dialing mode and agent queue through the API: echoed back, and refused
with a stable code when unknown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from tests.conftest import NOW
from tests.integration.admin_helpers import Client, make_app, send, staff


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    return await aiohttp_client(make_app(stores, clock))


BASE = {"type": "arrears-reminder", "target": "arrears-over:30"}


@pytest.mark.parametrize(
    ("extra", "status", "expected"),
    [
        ({}, 201, {"mode": "automated", "queue": None}),
        (
            {"mode": "progressive", "queue": "billing"},
            201,
            {"mode": "progressive", "queue": "billing"},
        ),
        ({"mode": "press-1", "priority": 80}, 201, {"mode": "press-1", "priority": 80}),
        ({"mode": "robocall"}, 400, {"code": "unknown-campaign-mode"}),
        ({"mode": "preview", "queue": "nope"}, 400, {"code": "no-such-queue"}),
        ({"queue": ""}, 400, {"code": "invalid-body"}),
    ],
    ids=["default", "progressive", "press-1", "unknown-mode", "unknown-queue", "empty-queue"],
)
async def test_mode_and_queue(
    client: Client, extra: dict[str, Any], status: int, expected: dict[str, Any]
) -> None:
    _, auth = await staff(client, Role.OPERATOR)
    found, body = await send(client, "POST", "/api/campaigns", auth, BASE | extra)
    assert found == status, body
    seen = body["error"] if status >= 400 else body
    assert {k: seen[k] for k in expected} == expected
