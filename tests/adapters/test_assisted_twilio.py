"""Agent-assisted campaign calls on Twilio, played as Twilio plays them (signed webhooks
following the TwiML, a fake REST API): a progressive call is dialled once its agent is
reserved and, answered, says who calls and is redirected to that agent's device; a press-1
callee who confirms is put in the campaign's queue at its priority."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from agents.models import Actor, Actorship, AgentState, Priority
from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, ENGINE, OUTBOUND
from outbound.models import (
    CampaignMode,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.adapters.campaign_twilio_helpers import BASE, CampaignCall, Client
from tests.conftest import NOW, app_settings
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.integration.outbound_helpers import town
from tests.integration.test_agent_desk import FakeTwilioRest, add_agent

Server = Callable[[web.Application], Awaitable[TestServer]]


@dataclass
class Rig:
    client: Client
    fake: FakeTwilio
    rest: FakeTwilioRest

    async def campaign(self, mode: CampaignMode, priority: int = 0) -> int:
        outbound = self.client.app[OUTBOUND]
        query = TargetQuery(TargetQueryKind.ARREARS_OVER, "30")
        new = NewCampaign(
            "催费",
            CampaignType.ARREARS_REMINDER,
            GatewayKind.TWILIO,
            query,
            mode=mode,
            priority=priority,
        )
        campaign_id = (await outbound.campaigns.create(new)).campaign.id
        await outbound.campaigns.start(campaign_id)
        return campaign_id

    async def ready(self, name: str) -> int:
        agent_id = await add_agent(self.client, name, {"billing": 2, "general": 1})
        actor = Actorship(Actor.AGENT, agent_id)
        await self.client.app[ACD].login(agent_id, actor)
        await self.client.app[ACD].set_state(agent_id, "ready", None, actor)
        return agent_id


@pytest.fixture
async def rig(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    aiohttp_server: Server,
    stores: tuple[str, str],
) -> AsyncIterator[Rig]:
    clock = ManualClock(NOW)
    fake = FakeTwilio(clock=clock)
    api = str((await aiohttp_server(fake.app())).make_url("")).rstrip("/")
    settings = app_settings(
        stores,
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        CALLCENTER_TWILIO__API_BASE_URL=api,
        CALLCENTER_TWILIO__CALLS_PER_SECOND="0",
        CALLCENTER_ROUTING__RUN_ROUTER="false",
        CALLCENTER_REDIS__KEY_PREFIX=f"cctest:{id(clock)}:",
    )
    rest = FakeTwilioRest()
    client = await aiohttp_client(create_app(settings, clock=clock, twilio_rest=rest))
    await town(client.app[ENGINE])
    yield Rig(client, fake, rest)


async def test_a_progressive_call_goes_to_its_reserved_agent(rig: Rig) -> None:
    agent_id = await rig.ready("agent01")
    campaign_id = await rig.campaign(CampaignMode.PROGRESSIVE)
    dialer = await rig.client.app[OUTBOUND].dialer(campaign_id)

    assert (await dialer.round(NOW)).held == 1
    assert rig.fake.calls == []  # nobody is dialled before an agent is reserved
    await rig.client.app[ACD].route()
    assert (await rig.client.app[ACD].presence(agent_id)).state is AgentState.RESERVED
    assert len(rig.fake.calls) == 1

    call = CampaignCall(rig.client, rig.fake.calls[0])
    twiml = await call.answer("human")

    assert "正在为您接通客服人员" in twiml and "<Enqueue" in twiml  # who calls, at once
    sid, redirect, _ = rig.rest.updates[-1]
    assert sid == call.call.sid and redirect is not None and "<Conference" in redirect
    assert rig.rest.legs[-1][0] == "client:agent01"  # the agent's device rung into it


async def test_a_machine_releases_the_reserved_agent(rig: Rig) -> None:
    agent_id = await rig.ready("agent01")
    campaign_id = await rig.campaign(CampaignMode.PROGRESSIVE)
    dialer = await rig.client.app[OUTBOUND].dialer(campaign_id)
    await dialer.round(NOW)
    await rig.client.app[ACD].route()

    twiml = await CampaignCall(rig.client, rig.fake.calls[0]).answer("machine_end_beep")

    assert "95598" in twiml and "欠费" not in twiml  # the neutral message only
    assert (await rig.client.app[ACD].presence(agent_id)).state is AgentState.READY


async def test_press_1_puts_the_callee_in_the_campaign_queue_at_its_priority(rig: Rig) -> None:
    campaign_id = await rig.campaign(CampaignMode.PRESS_1, priority=80)
    dialer = await rig.client.app[OUTBOUND].dialer(campaign_id)
    await dialer.round(NOW)
    call = CampaignCall(rig.client, rig.fake.calls[0])
    await call.answer("human")
    await call.press("0001")  # the last 4 digits of Zhang's account
    twiml = await call.press("1")

    assert "<Enqueue" in twiml
    found = await rig.client.app[OUTBOUND].stores.attempts.find_by_provider(call.call.sid)
    assert found is not None and found[0].call_id is not None
    waiting = await rig.client.app[ACD].seats.waiting(found[0].call_id)
    assert waiting is not None
    assert (waiting.queue, waiting.priority) == ("billing", Priority.IMPORTANT)
