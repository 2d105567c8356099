"""A PRIVATE real PostgreSQL stopped mid-call: every webhook still answers TwiML (the
apology, or the flow where it can go on without the database) or 204, never JSON, and
`/readyz` says the database is down; started again, the call goes on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from callcenter.calls.models import ProviderRef
from callcenter.web.keys import CALLS
from tests.adapters.test_twilio_webhooks import Caller
from tests.fallback_servers import PrivatePostgres, running
from tests.integration.test_store_down_redis import EVERY_ROUTE_ANSWERED, MAX_REDIRECTS, answers_of
from tests.integration.test_store_down_twilio import ClientMaker, app_client, redirect_of


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    with running(PrivatePostgres) as server:
        yield server


async def test_postgres_stopped_mid_call_then_started_again(
    aiohttp_client: ClientMaker, postgres: PrivatePostgres
) -> None:
    client = await app_client(aiohttp_client, (postgres.url, "memory://"))
    caller, other = Caller(client), Caller(client, "CA1042bb91000000000000000000000002")
    await caller.ring()
    await other.ring()
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", other.base["CallSid"]))
    assert found is not None
    postgres.stop()
    ready = await client.get("/readyz")
    assert ready.status == 503 and (await ready.json())["down"] == ["database"]
    resp = await caller.post(caller.action())
    assert resp.status == 200 and resp.content_type == "application/xml"
    assert await answers_of(other, found.id) == EVERY_ROUTE_ANSWERED
    postgres.start()
    for _ in range(MAX_REDIRECTS):  # a stale pooled connection may fail once more
        if "<Redirect" not in caller.twiml:
            break
        await caller.post(redirect_of(caller.twiml))
    assert "<Gather" in caller.twiml
    assert (await client.get("/readyz")).status == 200
