"""`GET /api/agents/me/voice-token` through the app: a token for the calling agent's Twilio
Client identity (checked with the twilio library), never cached; 409
`softphone-not-configured` without the Twilio settings, 409 `device-not-twilio-client` for a
SIP agent, 409 `not-an-agent` without an agent record, 403 for a supervisor, 401 without a
token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import insert
from twilio.jwt.access_token import AccessToken

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import agents
from callcenter.web.keys import ACD, AUTH, ENGINE
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[[web.Application], Awaitable[Client]]
PASSWORD = "password-123456"
SECRET = "k" * 32
SOFTPHONE = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_API_KEY": "SK" + "2" * 32,
    "TWILIO_API_SECRET": SECRET,
    "TWILIO_TWIML_APP_SID": "AP" + "3" * 32,
}
PATH = "/api/agents/me/voice-token"


async def app_client(aiohttp_client: MakeClient, stores: tuple[str, str], **env: str) -> Client:
    settings = app_settings(stores, CALLCENTER_ROUTING__RUN_ROUTER="false", **env)
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


async def user(
    client: Client, name: str, device: tuple[str, str] | None, role: Role = Role.AGENT
) -> dict[str, str]:
    """A signed-in user of `role`, with an agent record for `device` (kind, address)."""
    made = await client.app[AUTH].add_user(name, role, PASSWORD, name)
    if device is not None:
        async with client.app[ENGINE].begin() as conn:
            await conn.execute(
                insert(agents).values(
                    user_id=made.id, device_kind=device[0], device_address=device[1]
                )
            )
        await client.app[ACD].refresh_agents()
    resp = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    return {"Authorization": "Bearer " + (await resp.json())["token"]}


async def get(client: Client, auth: dict[str, str]) -> tuple[int, Any, str | None]:
    resp = await client.get(PATH, headers=auth)
    return resp.status, await resp.json(), resp.headers.get("Cache-Control")


async def test_an_agent_gets_a_token_for_its_device(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    client = await app_client(aiohttp_client, stores, **SOFTPHONE)
    status, body, cache = await get(client, await user(client, "agent07", ("twilio_client", "a7")))
    assert status == 200 and cache == "no-store"
    assert body["identity"] == "a7"
    claims = AccessToken.from_jwt(body["token"], SECRET).payload
    assert claims["grants"]["identity"] == "a7"
    assert (
        claims["grants"]["voice"]["outgoing"]["application_sid"]
        == SOFTPHONE["TWILIO_TWIML_APP_SID"]
    )
    assert claims["exp"] - claims["nbf"] == 3600


@pytest.mark.parametrize(
    ("env", "device", "role", "status", "code"),
    [
        ({}, ("twilio_client", "a7"), Role.AGENT, 409, "softphone-not-configured"),
        (SOFTPHONE, ("sip", "1001"), Role.AGENT, 409, "device-not-twilio-client"),
        (SOFTPHONE, None, Role.AGENT, 409, "not-an-agent"),  # no agent record
        (SOFTPHONE, None, Role.SUPERVISOR, 403, "forbidden"),
    ],
)
async def test_no_token_without_a_softphone(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    env: dict[str, str],
    device: tuple[str, str] | None,
    role: Role,
    status: int,
    code: str,
) -> None:
    client = await app_client(aiohttp_client, stores, **env)
    got, body, _ = await get(client, await user(client, "someone", device, role))
    assert (got, body["error"]["code"]) == (status, code)


async def test_a_token_needs_a_signed_in_user(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    client = await app_client(aiohttp_client, stores, **SOFTPHONE)
    resp = await client.get(PATH)
    assert resp.status == 401
