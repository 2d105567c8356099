"""A user with the role agent but no agent record gets a clear 409 `not-an-agent`, from the
API and from the desk's WebSocket (it was a 404 `no-such-agent` naming a bare id)."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.core.api import Role
from callcenter.web.keys import AUTH
from tests.integration.admin_helpers import app_client

Client = TestClient[web.Request, web.Application]
PASSWORD = "no-row-password-1"


client = app_client


async def signed_in_without_row(client: Client) -> str:
    await client.app[AUTH].add_user("lonely", Role.AGENT, PASSWORD)
    resp = await client.post("/api/auth/login", json={"username": "lonely", "password": PASSWORD})
    assert resp.status == 200
    return str((await resp.json())["token"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/agents/me"),
        ("POST", "/api/agents/me/login"),
        ("POST", "/api/agents/me/logout"),
        ("PUT", "/api/agents/me/state"),
        ("POST", "/api/agents/me/hang-up"),
    ],
)
async def test_the_agent_api_says_not_an_agent(client: Client, method: str, path: str) -> None:
    token = await signed_in_without_row(client)
    body = {"state": "ready"} if method == "PUT" else None
    resp = await client.request(
        method, path, headers={"Authorization": f"Bearer {token}"}, json=body
    )
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["code"] == "not-an-agent"
    assert "lonely" in error["message"] and "callcenter agent add" in error["message"]


async def test_the_desk_socket_says_not_an_agent(client: Client) -> None:
    token = await signed_in_without_row(client)
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": token}))
    message = json.loads((await ws.receive(timeout=5)).data)
    assert message["type"] == "error"
    assert message["code"] == "not-an-agent" and message["status"] == 409
    assert "lonely" in message["message"]
    await ws.receive(timeout=5)
    assert ws.close_code == 4409
