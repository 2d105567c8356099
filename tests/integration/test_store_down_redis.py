"""A PRIVATE real Redis stopped mid-call: the next webhook answers the apology TwiML (never
JSON) and `/readyz` says Redis is down; started again, the call goes on where it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.test_twilio_webhooks import Caller, Client
from tests.fallback_servers import PrivateRedis, private_redis
from tests.integration.test_store_down_twilio import (
    APOLOGY_ZH,
    ClientMaker,
    app_client,
    redirect_of,
)

MAX_REDIRECTS = 3


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


async def test_redis_stopped_mid_call_then_started_again(
    aiohttp_client: ClientMaker, database_url: str, redis_server: PrivateRedis
) -> None:
    client: Client = await app_client(aiohttp_client, (database_url, redis_server.url))
    caller = Caller(client)
    await caller.ring()
    redis_server.stop()
    resp = await caller.post(caller.action())
    assert resp.status == 200 and resp.content_type == "application/xml"
    assert APOLOGY_ZH in caller.twiml and "fb_retry=1" in redirect_of(caller.twiml)
    ready = await client.get("/readyz")
    assert ready.status == 503 and (await ready.json())["down"] == ["redis"]
    redis_server.start()
    for _ in range(MAX_REDIRECTS):  # a stale pooled connection may fail once more
        await caller.post(redirect_of(caller.twiml))
        if "<Redirect" not in caller.twiml:
            break
    assert "<Gather" in caller.twiml and APOLOGY_ZH not in caller.twiml
    assert (await client.get("/readyz")).status == 200
