"""The use cases publish to webhook subscribers: every campaign attempt's result and the
campaign's completion once (on the simulated gateway), and a new ticket, which the app's
own delivery worker posts to a receiver."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.storage.webhook_tables import webhook_deliveries
from callcenter.tickets.models import NewTicket, TicketType
from callcenter.web.keys import ENGINE, OUTBOUND, TICKETS, WEBHOOKS
from callcenter.webhooks.signing import SIGNATURE_HEADER, verify
from outbound.models import CampaignType, GatewayKind, NewCampaign, TargetQuery, TargetQueryKind
from tests.conftest import NOW, app_settings
from tests.integration.admin_helpers import eventually
from tests.integration.outbound_helpers import town

Client = TestClient[web.Request, web.Application]
EVENTS = ("attempt.result", "campaign.finished")


async def test_attempt_results_and_the_finished_campaign_are_published(
    stores: tuple[str, str],
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    clock = ManualClock(NOW)
    settings = app_settings(
        stores,
        CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS="0",
        CALLCENTER_WEBHOOKS__RUN_WORKER="false",
    )
    client = await aiohttp_client(create_app(settings, clock=clock))
    await client.app[WEBHOOKS].subscribe("https://hooks.example.com/in", EVENTS, None, True)
    outbound = client.app[OUTBOUND]
    place = await town(client.app[ENGINE])
    query = TargetQuery(TargetQueryKind.OUTAGE, str(place.outage_id))
    new = NewCampaign("notice", CampaignType.OUTAGE_NOTICE, GatewayKind.SIMULATED, query)
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)

    stops = []
    for _ in range(8):  # retries are hours apart: move the clock on until it completes
        report = await outbound.drive(campaign_id, until_idle=True)
        await outbound.gateways.simulated.settle()
        stops.append(report.stopped)
        if report.stopped == "completed":
            break
        clock.advance(timedelta(hours=6))

    assert stops[-1] == "completed"
    async with client.app[ENGINE].connect() as conn:
        rows = (await conn.execute(select(webhook_deliveries.c.body))).scalars()
        bodies = [json.loads(b) for b in rows]
    finished = [b["data"] for b in bodies if b["type"] == "campaign.finished"]
    results = [b["data"] for b in bodies if b["type"] == "attempt.result"]
    assert finished == [
        {
            "campaign_id": campaign_id,
            "name": "notice",
            "type": "outage-notice",
            "mode": finished[0]["mode"],
            "state": "completed",
            "stopped": "completed",
        }
    ]
    attempts = await outbound.stores.attempts.counts(campaign_id, clock.now())
    assert len(results) == sum(attempts.results.values())
    assert {r["campaign_id"] for r in results} == {campaign_id}
    assert len({r["attempt_id"] for r in results}) == len(results)


async def test_the_app_worker_delivers_a_new_ticket_to_a_receiver(
    stores: tuple[str, str],
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    aiohttp_server: Callable[[web.Application], Awaitable[TestServer]],
) -> None:
    got: list[tuple[str, str]] = []

    async def receive(request: web.Request) -> web.Response:
        got.append((request.headers[SIGNATURE_HEADER], await request.text()))
        return web.Response(status=200)

    receiver = web.Application()
    receiver.router.add_post("/in", receive)
    url = str((await aiohttp_server(receiver)).make_url("/in"))
    clock = ManualClock(NOW)
    settings = app_settings(stores, CALLCENTER_WEBHOOKS__POLL_SECONDS="0.05")
    client = await aiohttp_client(create_app(settings, clock=clock))
    made = await client.app[WEBHOOKS].subscribe(url, ("ticket.created",), None, True)
    ticket = NewTicket(TicketType.COMPLAINT, "抄表员态度差", created_by="test")
    opened = await client.app[TICKETS].open(ticket)

    assert await eventually(lambda: _at_least_one(got))
    header, body = got[0]
    assert verify(made.secret, header, body, now=clock.now().timestamp())
    assert json.loads(body)["data"]["number"] == opened.number


async def _at_least_one(got: list[tuple[str, str]]) -> bool:
    return bool(got)
