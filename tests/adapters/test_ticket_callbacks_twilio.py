"""回访 end to end on a local fake of Twilio's REST API: a satisfaction-callback campaign on
`callbacks-due:all` calls the customer of a complaint awaiting its callback, the callee rates
it with a key in the message flow, and the rating lands on the ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import accounts
from callcenter.tickets.models import Actor, NewTicket, Ticket, TicketStatus, TicketType
from callcenter.web.keys import ENGINE, OUTBOUND, TICKETS
from outbound.models import CampaignType, GatewayKind, NewCampaign, TargetQuery, TargetQueryKind
from tests.adapters.campaign_twilio_helpers import BASE, CampaignCall, Client
from tests.conftest import NOW, app_settings
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.integration.outbound_helpers import town

Server = Callable[[web.Application], Awaitable[TestServer]]
ME = Actor("agent1", "agent", 1)


async def _app(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    aiohttp_server: Server,
    stores: tuple[str, str],
    fake: FakeTwilio,
    clock: ManualClock,
) -> Client:
    api = str((await aiohttp_server(fake.app())).make_url("")).rstrip("/")
    settings = app_settings(
        stores,
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        CALLCENTER_TWILIO__API_BASE_URL=api,
        CALLCENTER_TWILIO__CALLS_PER_SECOND="0",
        CALLCENTER_OUTBOUND__RUN_DIALER="false",
    )
    return await aiohttp_client(create_app(settings, clock=clock))


async def _customer_of(client: Client, account_id: int) -> int:
    async with client.app[ENGINE].connect() as conn:
        query = select(accounts.c.customer_id).where(accounts.c.id == account_id)
        return int((await conn.execute(query)).scalar_one())


async def _awaiting_complaint(client: Client, customer_id: int) -> Ticket:
    tickets = client.app[TICKETS]
    new = NewTicket(TicketType.COMPLAINT, "抄表员态度差", "agent1", customer_id=customer_id)
    ticket = await tickets.open(new)
    for status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED):
        ticket = await tickets.update(ticket.id, ME, status=status)
    assert ticket.status is TicketStatus.AWAITING_CALLBACK
    return ticket


async def _rate(call: CampaignCall, keys: list[str]) -> None:
    await call.answer("human")
    for key in keys:
        await call.press(key)
    for _ in range(3):  # what is left (a goodbye) until the flow hangs up
        if call.hung_up or call.next_url() is None:
            break
        await call.press("")
    await call.end("completed")


@pytest.mark.parametrize(
    ("keys", "status", "outcome"),
    [
        (["1", "4"], TicketStatus.CLOSED, "satisfied"),
        (["1", "1"], TicketStatus.REOPENED, "unsatisfied"),
        ([], TicketStatus.AWAITING_CALLBACK, "unreachable"),  # heard it, never rated
    ],
)
async def test_a_keyed_rating_is_recorded_on_the_ticket(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    aiohttp_server: Server,
    stores: tuple[str, str],
    keys: list[str],
    status: TicketStatus,
    outcome: str,
) -> None:
    clock = ManualClock(NOW)
    fake = FakeTwilio(clock=clock)
    client = await _app(aiohttp_client, aiohttp_server, stores, fake, clock)
    places = await town(client.app[ENGINE])
    zhang = await _customer_of(client, places.accounts["3300000001"])
    ticket = await _awaiting_complaint(client, zhang)
    outbound = client.app[OUTBOUND]
    query = TargetQuery(TargetQueryKind.CALLBACKS_DUE, "all")
    new = NewCampaign("回访", CampaignType.SATISFACTION_CALLBACK, GatewayKind.TWILIO, query)
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    before = len(fake.calls)
    await (await outbound.dialer(campaign_id)).round(clock.now())
    [call] = [CampaignCall(client, c) for c in fake.calls[before:]]
    assert call.call.to == "+8613800000001"
    await _rate(call, keys)
    after = await client.app[TICKETS].get(ticket.id)
    assert after.status is status
    callbacks = [e for e in after.events if e.type == "callback"]
    assert [(e.data["outcome"], e.actor) for e in callbacks] == [
        (outcome, f"campaign:{campaign_id}")
    ]
    assert after.escalation_level == (1 if outcome == "unsatisfied" else 0)
