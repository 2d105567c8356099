"""A PRIVATE real Redis stopped and started while an agent's desk is open: Redis pub/sub
keeps nothing for a subscriber that is away, so a state change published before the
desks' feed subscribed again never reached the desk. Once subscribed again, the feed sends
each desk held here its state afresh (issue 17: agents are told on the desk)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest
from aiohttp import web

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.state import relay
from tests.adapters.test_twilio_webhooks import BASE, TOKEN
from tests.conftest import app_settings
from tests.fallback_servers import PrivateRedis, running
from tests.integration.test_agent_desk import (
    Client,
    FakeTwilioRest,
    call,
    next_message,
    ready_agent,
)

AWAY_SECONDS = 4.0  # how long the feed waits before subscribing again, in this test
PATH = "/api/agents/me/state"
TRIES = 3  # the first command after the restart may meet the connection Redis dropped


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with running(PrivateRedis) as server:
        yield server


async def feed_lost(caplog: pytest.LogCaptureFixture) -> None:
    while "desk feed lost its Redis subscription" not in caplog.text:
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_desk_gets_its_state_afresh_once_the_feed_is_back(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    database_url: str,
    redis_server: PrivateRedis,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay, "RESUBSCRIBE_SECONDS", AWAY_SECONDS)
    settings = app_settings(
        (database_url, redis_server.url),
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__RUN_ROUTER="false",
    )
    client = await aiohttp_client(create_app(settings, clock=clock, twilio_rest=FakeTwilioRest()))
    _, auth, ws = await ready_agent(client)
    assert (await next_message(ws, "state"))["state"] == "ready"

    redis_server.stop()  # saves its data: only the connections are lost
    await asyncio.wait_for(feed_lost(caplog), 10)
    redis_server.start()
    # published while the feed waits to subscribe again: lost for the desk
    for _ in range(TRIES):
        status, body = await call(client, "PUT", PATH, auth, state="not_ready", reason="break")
        if status == 200:
            break
    assert (status, body.get("state")) == (200, "not_ready"), body

    resynced = await asyncio.wait_for(next_message(ws, "state"), AWAY_SECONDS + 10)
    assert resynced["state"] == "not_ready"
    await ws.close()
