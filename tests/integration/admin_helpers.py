"""Shared set-up of the administration tests: an app on the stores, an admin token with a
user behind it, and small request helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.errors import NotFoundError
from callcenter.web.keys import AUTH
from tests.adapters.test_twilio_webhooks import BASE, TOKEN
from tests.conftest import app_settings
from tests.integration.test_agent_desk import FakeTwilioRest

Client = TestClient[web.Request, web.Application]
PASSWORD = "admin-password-1"


def make_app(stores: tuple[str, str], clock: ManualClock, **env: str) -> web.Application:
    """An app without its routing loop, on a fake Twilio REST API, taking signed webhooks."""
    fixed = {
        "CALLCENTER_ROUTING__RUN_ROUTER": "false",
        "CALLCENTER_SERVER__PUBLIC_BASE_URL": BASE,
        "TWILIO_AUTH_TOKEN": TOKEN,
    }
    settings = app_settings(stores, **(fixed | env))
    return create_app(settings, clock=clock, twilio_rest=FakeTwilioRest())


async def staff(client: Client, role: Role, name: str | None = None) -> tuple[int, dict[str, str]]:
    """A user of `role` and a bearer header for a token of theirs, living the longest an API
    token may (a year: tests move their clocks by months)."""
    user = await client.app[AUTH].add_user(name or role.value + "1", role, PASSWORD)
    _, secret = await client.app[AUTH].create_token(role, "test", user.id, days=365)
    return user.id, {"Authorization": f"Bearer {secret}"}


async def send(
    client: Client, method: str, path: str, auth: dict[str, str], body: Any = None
) -> Any:
    """(status, JSON body)."""
    resp = await client.request(method, path, headers=auth, json=body)
    return resp.status, await resp.json()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> bool:
    """Poll `check` until it holds or the deadline passes (no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if await check():
                return True
        except NotFoundError:
            pass
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
async def app_client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    """The app on the stores (the test modules bind it as their `client` fixture)."""
    return await aiohttp_client(make_app(stores, clock))
