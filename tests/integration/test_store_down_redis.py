"""A PRIVATE real Redis stopped mid-call: the next webhook answers the apology TwiML (never
JSON) and `/readyz` says Redis is down; started again, the call goes on where it was."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import pytest

from callcenter.calls.models import ProviderRef
from callcenter.web.keys import CALLS
from tests.adapters.test_twilio_webhooks import Caller, Client
from tests.fallback_servers import PrivateRedis, running
from tests.integration.test_store_down_twilio import (
    APOLOGY_ZH,
    ClientMaker,
    app_client,
    redirect_of,
)

MAX_REDIRECTS = 3


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with running(PrivateRedis) as server:
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


CALL_FACING = [
    "/twilio/voice",
    "/twilio/step?seq=1",
    "/twilio/wait?hold=1",
    "/twilio/callback",
    "/twilio/queue-result",
    "/twilio/dial-result?call={call}&agent=1",
    "/twilio/agent-join?call={call}&agent=1",
    "/twilio/softphone",
    "/twilio/outbound/answer?attempt=a1",
]
STATUS_TYPE = [
    "/twilio/status",
    "/twilio/agent-leg?call={call}&agent=1",
    "/twilio/conference?call={call}",
    "/twilio/recording?call={call}",
    "/twilio/live-leg?call={call}&agent=1",
]


EVERY_ROUTE_ANSWERED = {route: (200, "application/xml", "Response") for route in CALL_FACING} | {
    route: (204, "", "") for route in STATUS_TYPE
}


async def answers_of(caller: Caller, call_id: str) -> dict[str, tuple[int, str, str]]:
    """Each route's status, content type and TwiML root for this caller's call."""
    answers = {}
    for route in CALL_FACING + STATUS_TYPE:
        resp = await caller.post(route.format(call=call_id), {"CallStatus": "in-progress"})
        root = ElementTree.fromstring(caller.twiml).tag if caller.twiml else ""
        answers[route] = (resp.status, resp.content_type if caller.twiml else "", root)
    return answers


async def test_with_redis_stopped_every_webhook_answers_twiml_or_no_content(
    aiohttp_client: ClientMaker, database_url: str, redis_server: PrivateRedis
) -> None:
    client = await app_client(aiohttp_client, (database_url, redis_server.url))
    caller = Caller(client)
    await caller.ring()
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None
    redis_server.stop()
    assert await answers_of(caller, found.id) == EVERY_ROUTE_ANSWERED
