"""Helpers of the ticket API tests: the app on given stores, tokens with users, requests."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import Direction, ProviderRef
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH, CALLS
from tests.conftest import app_settings

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[[web.Application], Awaitable[Client]]
Json = dict[str, Any]


async def ticket_client(
    aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock
) -> Client:
    """The app on `stores`, on the test's clock."""
    return await aiohttp_client(create_app(app_settings(stores), clock=clock))


async def headers(client: Client, role: Role = Role.AGENT) -> dict[str, str]:
    """A bearer token of a new user with `role`."""
    name = f"u_{role}_{secrets.token_hex(3)}"
    user = await client.app[AUTH].add_user(name, role, "password123")
    _, secret = await client.app[AUTH].create_token(role, "test", user.id)
    return {"Authorization": f"Bearer {secret}"}


async def post(client: Client, path: str, body: Json, auth: dict[str, str], status: int) -> Json:
    """POST `body` and check the status; the JSON answer."""
    resp = await client.post(path, json=body, headers=auth)
    assert resp.status == status, await resp.text()
    result: Json = await resp.json()
    return result


async def new_call(client: Client, sid: str) -> str:
    """The id of a new inbound call."""
    call = await client.app[CALLS].start(
        Direction.INBOUND, "+8613800138000", "+861095598", ProviderRef("twilio", sid)
    )
    return call.id
