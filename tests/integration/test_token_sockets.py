"""Open sockets follow their tokens (issue 18): a desk or console socket is closed within a
second, with a code and a reason, when its token is revoked, its user disabled (or the agent
record), its role changed; on expiry at the next re-check; and on another instance sharing
Redis and the database as well (embedded and real stores)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, SOCKETS
from tests.integration.admin_helpers import Client, app_client, make_app, send, staff
from tests.integration.test_agent_desk import add_agent, next_message, sign_in

client = app_client
WS = Any


@pytest.fixture
async def admin(client: Client) -> dict[str, str]:
    return (await staff(client, Role.ADMIN))[1]


async def desk(client: Client, auth: dict[str, str]) -> WS:
    """A desk socket authenticated with `auth`'s token, its state received."""
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    await next_message(ws, "state")
    return ws


async def closed(ws: WS, seconds: float = 5.0) -> tuple[int, str]:
    """The close code and reason the server sends within `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            msg = await ws.receive()
            if msg.type is WSMsgType.CLOSE:  # the server's close frame
                return int(msg.data), str(msg.extra)


async def token_of(client: Client, admin: dict[str, str], user_id: int) -> int:
    _, listed = await send(client, "GET", f"/api/tokens?user_id={user_id}&live=true", admin)
    return int(listed["tokens"][0]["id"])


async def test_a_revoked_tokens_desk_socket_is_closed(
    client: Client, admin: dict[str, str]
) -> None:
    agent_id = await add_agent(client, "agent01", {"general": 1})
    ws = await desk(client, await sign_in(client, "agent01"))
    token_id = await token_of(client, admin, agent_id)
    assert (await send(client, "DELETE", f"/api/tokens/{token_id}", admin))[0] == 200
    assert await closed(ws) == (4401, "token revoked")


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/users/{id}", {"disabled": True}), ("/api/agents/{id}", {"enabled": False})],
)
async def test_disabling_the_user_or_the_agent_closes_the_desk(
    client: Client, admin: dict[str, str], path: str, body: dict[str, bool]
) -> None:
    agent_id = await add_agent(client, "agent01", {"general": 1})
    ws = await desk(client, await sign_in(client, "agent01"))
    assert (await send(client, "PATCH", path.format(id=agent_id), admin, body))[0] == 200
    assert await closed(ws) == (4403, "disabled")


async def test_an_expired_token_closes_at_the_recheck(client: Client, clock: ManualClock) -> None:
    await add_agent(client, "agent01", {"general": 1})
    ws = await desk(client, await sign_in(client, "agent01"))
    assert await client.app[SOCKETS].recheck() == 0
    clock.advance(timedelta(minutes=720))
    assert await client.app[SOCKETS].recheck() == 1
    assert await closed(ws) == (4401, "token expired")


async def test_a_role_change_closes_the_console(client: Client, admin: dict[str, str]) -> None:
    user_id, auth = await staff(client, Role.OPERATOR, "ops1")
    ws = await client.ws_connect("/ops/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    await next_message(ws, "ready")
    patch = {"role": "agent"}
    assert (await send(client, "PATCH", f"/api/users/{user_id}", admin, patch))[0] == 200
    assert await closed(ws) == (4403, "role changed")


async def test_an_expired_token_opens_no_socket(client: Client, clock: ManualClock) -> None:
    await add_agent(client, "agent01", {"general": 1})
    auth = await sign_in(client, "agent01")
    clock.advance(timedelta(minutes=720))
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    assert (await next_message(ws, "error"))["code"] == "token-expired"
    assert (await closed(ws))[0] == 4401


async def test_a_socket_on_another_instance_is_closed(
    client: Client,
    admin: dict[str, str],
    stores: tuple[str, str],
    clock: ManualClock,
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    if stores[1].startswith("memory://"):
        pytest.skip("instances share a real Redis only; memory:// is private to one")
    other = await aiohttp_client(make_app(stores, clock))
    agent_id = await add_agent(client, "agent01", {"general": 1})
    await other.app[ACD].refresh_agents()
    ws = await desk(other, await sign_in(other, "agent01"))
    token_id = await token_of(client, admin, agent_id)
    assert (await send(client, "DELETE", f"/api/tokens/{token_id}", admin))[0] == 200
    assert await closed(ws) == (4401, "token revoked")
