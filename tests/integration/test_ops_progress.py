"""Live campaign progress for the console (embedded and real stores): the publisher's
`campaign_progress` message (counts, refusals, rates), one per live campaign and a last one
when it stops (also when it started and stopped between two rounds); the console socket
delivers it to an operator and refuses an agent; the gate's dry run checks at most its limit
of candidates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from callcenter.campaigns.console.progress import ProgressPublisher, progress_message
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.state.relay import RedisRelay
from callcenter.storage.campaign_progress import SqlCampaignProgress
from callcenter.web.keys import ENGINE, OUTBOUND, REDIS
from outbound.models import CampaignCounts, CampaignType, TargetQuery, TargetQueryKind
from outbound.preview_gate import GatePreview
from tests.conftest import NOW
from tests.integration.admin_helpers import Client, make_app, send, staff
from tests.integration.outbound_helpers import Town, town

Auth = dict[str, str]
NOTICE_KEYS = {
    "type",
    "campaign_id",
    "name",
    "state",
    "at",
    "targets",
    "results",
    "refused",
    "waiting",
    "finished",
    "dial_rate_per_minute",
    "answer_rate",
    "abandon_rate",
}


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    return await aiohttp_client(make_app(stores, clock))


@pytest.fixture
async def operator(client: Client) -> Auth:
    return (await staff(client, Role.OPERATOR))[1]


@pytest.fixture
async def places(client: Client) -> Town:
    return await town(client.app[ENGINE])


async def running_notice(client: Client, auth: Auth, places: Town) -> int:
    body = {"type": "outage-notice", "target": f"outage:{places.outage_id}"}
    status, made = await send(client, "POST", "/api/campaigns", auth, body)
    assert status == 201, made
    await send(client, "POST", f"/api/campaigns/{made['id']}/start", auth)
    return int(made["id"])


def publisher(client: Client, clock: ManualClock) -> ProgressPublisher:
    outbound = client.app[OUTBOUND]
    return ProgressPublisher(
        outbound.stores.campaigns,
        outbound.campaigns,
        SqlCampaignProgress(client.app[ENGINE]),
        RedisRelay(client.app[REDIS], "test-ops-progress"),
        clock,
    )


async def test_one_message_per_live_campaign_and_a_last_one_when_it_stops(
    client: Client, operator: Auth, places: Town, clock: ManualClock
) -> None:
    cid = await running_notice(client, operator, places)
    pub = publisher(client, clock)
    [message] = await pub.publish_round()
    assert set(message) == NOTICE_KEYS
    assert (message["type"], message["campaign_id"], message["state"]) == (
        "campaign_progress",
        cid,
        "running",
    )
    assert (message["targets"], message["finished"], message["waiting"]) == (3, 0, {"due": 3})
    assert (message["answer_rate"], message["abandon_rate"]) == (None, None)
    assert message["at"] == NOW.isoformat()
    await send(client, "POST", f"/api/campaigns/{cid}/cancel", operator)
    clock.advance(timedelta(seconds=5))
    [last] = await pub.publish_round()
    assert (last["campaign_id"], last["state"]) == (cid, "cancelled")
    clock.advance(timedelta(seconds=5))
    assert await pub.publish_round() == []


async def test_a_campaign_started_and_stopped_between_two_rounds_is_published(
    client: Client, operator: Auth, places: Town, clock: ManualClock
) -> None:
    pub = publisher(client, clock)
    assert await pub.publish_round() == []
    cid = await running_notice(client, operator, places)
    await send(client, "POST", f"/api/campaigns/{cid}/cancel", operator)
    clock.advance(timedelta(seconds=1))
    [message] = await pub.publish_round()
    assert (message["campaign_id"], message["state"]) == (cid, "cancelled")


@pytest.mark.parametrize(
    ("results", "answer", "abandon"),
    [
        ({"answered": 3, "abandoned": 1, "busy": 4, "refused": 2}, 0.5, 0.25),
        ({"machine": 2, "no_answer": 2}, 0.0, None),
        ({"refused": 5}, None, None),
    ],
)
async def test_the_rates_count_dials_and_people_who_answered(
    client: Client,
    operator: Auth,
    places: Town,
    results: dict[str, int],
    answer: float | None,
    abandon: float | None,
) -> None:
    cid = await running_notice(client, operator, places)
    record = await client.app[OUTBOUND].campaigns.get(cid)
    counts = CampaignCounts(10, results, {"opted-out": 2}, {})
    message: dict[str, Any] = progress_message(record, counts, 7, NOW)
    assert (message["answer_rate"], message["abandon_rate"]) == (answer, abandon)
    assert message["dial_rate_per_minute"] == 7
    assert message["finished"] == sum(results.values()) + 2


async def test_the_console_socket_pushes_progress_to_an_operator(
    client: Client, operator: Auth, places: Town
) -> None:
    cid = await running_notice(client, operator, places)
    token = operator["Authorization"].removeprefix("Bearer ")
    async with client.ws_connect("/ops/ws") as ws:
        await ws.send_json({"type": "auth", "token": token})
        assert (await ws.receive_json(timeout=5))["type"] == "ready"
        pushed = await ws.receive_json(timeout=10)  # the app's publisher: one round a second
        assert (pushed["type"], pushed["campaign_id"], pushed["targets"]) == (
            "campaign_progress",
            cid,
            3,
        )


@pytest.mark.parametrize(("role", "code"), [(Role.AGENT, 4403), (None, 4401)])
async def test_the_console_socket_refuses_others(
    client: Client, role: Role | None, code: int
) -> None:
    token = "nonsense"
    if role is not None:
        token = (await staff(client, role))[1]["Authorization"].removeprefix("Bearer ")
    async with client.ws_connect("/ops/ws") as ws:
        await ws.send_json({"type": "auth", "token": token})
        assert (await ws.receive_json(timeout=5))["type"] == "error"
        closing = await ws.receive(timeout=5)
        assert (closing.type, ws.close_code) == (WSMsgType.CLOSE, code)


async def test_the_dry_run_checks_at_most_its_limit(
    client: Client, operator: Auth, places: Town, clock: ManualClock
) -> None:
    stores = client.app[OUTBOUND].stores
    gate = GatePreview(stores.targets, stores, stores.arrears, CN_SGCC.outbound, clock, limit=2)
    query = TargetQuery(TargetQueryKind.OUTAGE, str(places.outage_id))
    run = await gate.run(CampaignType.OUTAGE_NOTICE, query, sample=1)
    assert (run.count, run.checked, run.refusals, len(run.sample)) == (3, 2, {}, 1)
    clock.advance(timedelta(hours=12))  # 22:00 in Beijing: every call waits for the morning
    late = await gate.run(CampaignType.OUTAGE_NOTICE, query, sample=0)
    assert (late.checked, late.refusals, late.sample) == (2, {"outside-window": 2}, ())
