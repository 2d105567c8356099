"""Shared set-up of the sign-in tests (issue 18): an app with chosen limits, sign-in
requests from a chosen address (the test client's peer is a trusted proxy), the audit."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.core.audit import AuditEntry
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ENGINE
from tests.integration.admin_helpers import make_app

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[[web.Application], Awaitable[Client]]
LOGIN = "/api/auth/login"
PASSWORD = "right-password-1"
ADDRESS = "198.51.100.7"


async def limited_client(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    clock: ManualClock,
    per_username: int = 5,
    per_address: int = 30,
    lockout: int = 10,
) -> Client:
    """The app with these sign-in limits, believing X-Forwarded-For from the test client."""
    app = make_app(
        stores,
        clock,
        CALLCENTER_SECURITY__SIGN_IN_PER_MINUTE_USERNAME=str(per_username),
        CALLCENTER_SECURITY__SIGN_IN_PER_MINUTE_ADDRESS=str(per_address),
        CALLCENTER_SECURITY__LOCKOUT_FAILURES=str(lockout),
        CALLCENTER_SERVER__TRUSTED_PROXIES=json.dumps(["127.0.0.1", "::1"]),
    )
    return await aiohttp_client(app)


async def attempt(
    client: Client, username: str, password: str, address: str = ADDRESS
) -> tuple[int, dict[str, Any], str | None]:
    """(status, JSON body, Retry-After) of one sign-in from `address`."""
    resp = await client.post(
        LOGIN,
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )
    return resp.status, await resp.json(), resp.headers.get("Retry-After")


async def user_audit(client: Client) -> list[AuditEntry]:
    """Every audit entry about users, oldest first."""
    return await SqlAuditLog(client.app[ENGINE]).entries("user")
