"""The server dials its running campaigns by itself: on the simulated gateway (the embedded
default) a started campaign runs to completed with call records for its calls; with two
instances on one PostgreSQL and one Redis, each campaign is dialled by one of them at a
time (the lease) and no target is called twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import CallQuery, Direction
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND
from outbound.models import (
    CampaignState,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW, app_settings
from tests.integration.outbound_helpers import town

Client = TestClient[web.Request, web.Application]
FAST = {
    "CALLCENTER_OUTBOUND__RUN_DIALER": "true",
    "CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS": "0",
    "CALLCENTER_OUTBOUND__TICK_MS": "20",
    "CALLCENTER_OUTBOUND__SCAN_SECONDS": "0.05",
    "CALLCENTER_OUTBOUND__LEASE_SECONDS": "3",
}


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    """Poll `check` until it holds, failing after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _started(client: Client) -> int:
    outbound = client.app[OUTBOUND]
    query = TargetQuery(TargetQueryKind.OUTAGE, str((await town(client.app[ENGINE])).outage_id))
    new = NewCampaign("停电通知", CampaignType.OUTAGE_NOTICE, GatewayKind.SIMULATED, query)
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    return campaign_id


async def test_a_started_campaign_runs_to_completion_on_the_server(
    stores: tuple[str, str],  # first: its database outlives the apps
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    settings = app_settings(stores, **FAST, CALLCENTER_OUTBOUND__SIMULATED_SEED="7")
    client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    campaign_id = await _started(client)
    outbound = client.app[OUTBOUND]

    async def finished() -> bool:
        record = await outbound.campaigns.get(campaign_id)
        counts = await outbound.stores.attempts.counts(campaign_id, NOW)
        return record.campaign.state is CampaignState.COMPLETED or not any(
            counts.waiting.get(k) for k in ("due", "claimed", "sending", "placed")
        )

    await until(finished)

    async def recorded() -> bool:
        records, _ = await client.app[CALLS].search(CallQuery(direction=Direction.OUTBOUND))
        return len(records) == len(outbound.gateways.simulated.calls) and all(
            r.is_over for r in records
        )

    await until(recorded)
    placed = outbound.gateways.simulated.calls
    assert placed and len({c.key for c in placed}) == len(placed)
    records, total = await client.app[CALLS].search(CallQuery(direction=Direction.OUTBOUND))
    assert total == len(placed)
    assert all(r.is_over for r in records)
    text = await (await client.get("/metrics")).text()
    assert "callcenter_outbound_calls_placed_total" in text


async def test_two_instances_dial_each_target_once(
    stores: tuple[str, str],  # first: its database outlives the apps
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    if stores[1].startswith("memory://"):
        pytest.skip("two instances share only a real Redis")
    settings = app_settings(stores, **FAST)
    first = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    second = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    campaign_id = await _started(first)

    async def done() -> bool:
        counts = await first.app[OUTBOUND].stores.attempts.counts(campaign_id, NOW)
        return not any(counts.waiting.get(k) for k in ("due", "claimed", "sending", "placed"))

    await until(done)
    calls = first.app[OUTBOUND].gateways.simulated.calls
    calls += second.app[OUTBOUND].gateways.simulated.calls
    keys = [c.key for c in calls]
    assert keys and len(set(keys)) == len(keys)  # never a second call for one attempt
    dialled = {k.split(":")[1] for k in keys if k.endswith(":1")}
    assert len(dialled) == len([k for k in keys if k.endswith(":1")])
