"""Agent-assisted campaigns end to end on the simulated gateway and the ACD in Redis (real
Redis on the real stores): progressive reserves a ready agent before it dials, preview lets
the reserved agent dial or skip, predictive takes a ready agent at the answer or abandons
the call with the identification message; a callee who never answers releases the agent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from agents.models import Actor, Actorship, AgentState
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.telephony.simulated import SimulatedCall, SimulatedGateway
from callcenter.web.keys import ACD, CALLS, ENGINE, OUTBOUND
from outbound.models import (
    AttemptResult,
    CampaignMode,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW
from tests.integration.admin_helpers import make_app, send, staff
from tests.integration.outbound_helpers import town
from tests.integration.test_agent_desk import add_agent, call, sign_in

Client = TestClient[web.Request, web.Application]
R = AttemptResult
ZHANG, FIRM = "+8613800000001", "+8613800000006"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    app = make_app(stores, clock, CALLCENTER_REDIS__KEY_PREFIX=f"cctest:{id(clock)}:")
    client = await aiohttp_client(app)
    await town(client.app[ENGINE])
    return client


class Sim:
    """The simulated gateway; the callees' phones ring until `settle` lets them answer with
    their scripted outcomes (the dialer's round is over by then, as with a real ring)."""

    def __init__(self, client: Client, outcomes: dict[str, Sequence[AttemptResult]]) -> None:
        outbound = client.app[OUTBOUND]
        self._answer = asyncio.Event()
        self.gateway = SimulatedGateway(
            outbound.on_result,
            script=outcomes,
            clock=ManualClock(NOW),
            ring_seconds=1,
            sleep=self._ring,
        )
        outbound.gateways.simulated = self.gateway

    async def _ring(self, seconds: float) -> None:
        await self._answer.wait()

    @property
    def calls(self) -> list[SimulatedCall]:
        return self.gateway.calls

    async def settle(self) -> None:
        """The calls placed so far answer (or not), and their results are in."""
        self._answer.set()
        await self.gateway.settle()
        self._answer.clear()


def script(client: Client, outcomes: dict[str, Sequence[AttemptResult]]) -> Sim:
    return Sim(client, outcomes)


async def ready(client: Client, name: str) -> int:
    """An agent of the billing queue, logged in and ready."""
    agent_id = await add_agent(client, name, {"billing": 2, "general": 1})
    actor = Actorship(Actor.AGENT, agent_id)
    await client.app[ACD].login(agent_id, actor)
    await client.app[ACD].set_state(agent_id, "ready", None, actor)
    return agent_id


async def arrears_campaign(client: Client, mode: CampaignMode) -> int:
    outbound = client.app[OUTBOUND]
    query = TargetQuery(TargetQueryKind.ARREARS_OVER, "10")
    new = NewCampaign(
        "催费", CampaignType.ARREARS_REMINDER, GatewayKind.SIMULATED, query, mode=mode
    )
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    return campaign_id


async def round_and_route(client: Client, campaign_id: int, gateway: Sim) -> int:
    """One dialer round, one routing round, and the simulated results delivered."""
    dialer = await client.app[OUTBOUND].dialer(campaign_id)
    report = await dialer.round(NOW)
    await client.app[ACD].route()
    await gateway.settle()
    return report.held


async def state_of(client: Client, agent_id: int) -> AgentState:
    return (await client.app[ACD].presence(agent_id)).state


async def results(client: Client, campaign_id: int) -> dict[str, int]:
    counts = await client.app[OUTBOUND].stores.attempts.counts(campaign_id, NOW)
    return counts.results


async def test_progressive_reserves_an_agent_before_it_dials(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    campaign_id = await arrears_campaign(client, CampaignMode.PROGRESSIVE)

    assert await round_and_route(client, campaign_id, gateway) == 1  # one agent: one call
    assert len(gateway.calls) == 1
    assert await results(client, campaign_id) == {"answered": 1}
    assert await state_of(client, agent_id) is AgentState.WRAP_UP  # talked, now wrapping up
    placed = gateway.calls[0]
    found = await client.app[OUTBOUND].stores.attempts.find_by_provider(placed.provider_id)
    assert found is not None and found[0].agent_id == agent_id
    assert found[0].call_id is not None
    record = await client.app[CALLS].get(found[0].call_id)
    assert (record.agent_id, record.state.value) == (agent_id, "wrap_up")  # until wrap-up ends

    # the only agent is wrapping up: nothing more is dialled
    assert await round_and_route(client, campaign_id, gateway) == 0
    assert len(gateway.calls) == 1


async def test_no_answer_releases_the_agent_ready_and_retries(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.NO_ANSWER], FIRM: [R.BUSY]})
    agent_id = await ready(client, "agent01")
    campaign_id = await arrears_campaign(client, CampaignMode.PROGRESSIVE)

    await round_and_route(client, campaign_id, gateway)

    assert await state_of(client, agent_id) is AgentState.READY  # not the agent's fault
    assert sum((await results(client, campaign_id)).values()) == 1
    counts = await client.app[OUTBOUND].stores.attempts.counts(campaign_id, NOW)
    assert counts.waiting.get("retry-later") == 1


async def test_no_agent_ready_dials_nothing(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED]})
    await add_agent(client, "agent01", {"billing": 2})  # logged out
    campaign_id = await arrears_campaign(client, CampaignMode.PROGRESSIVE)
    assert await round_and_route(client, campaign_id, gateway) == 0
    assert gateway.calls == []


async def test_preview_waits_for_the_agent_to_dial_or_skip(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    auth = await sign_in(client, "agent01")
    campaign_id = await arrears_campaign(client, CampaignMode.PREVIEW)

    await round_and_route(client, campaign_id, gateway)
    presence = await client.app[ACD].presence(agent_id)
    assert presence.state is AgentState.RESERVED and gateway.calls == []
    first = presence.call_id
    assert first is not None

    status, body = await call(
        client, "POST", f"/api/agents/me/previews/{first}/skip", auth, reason="deceased"
    )
    assert (status, body["presence"]["state"]) == (200, "ready")
    assert await results(client, campaign_id) == {"skipped": 1}
    events = (await client.app[CALLS].detail(first)).events
    assert any(e.data.get("reason") == "deceased" for e in events)

    await round_and_route(client, campaign_id, gateway)
    second = (await client.app[ACD].presence(agent_id)).call_id
    assert second is not None and second != first
    status, _ = await call(client, "POST", f"/api/agents/me/previews/{second}/dial", auth)
    assert status == 200
    await gateway.settle()
    assert len(gateway.calls) == 1
    assert await results(client, campaign_id) == {"skipped": 1, "answered": 1}


async def test_only_the_reserved_agent_decides_a_preview(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    await add_agent(client, "agent02", {"billing": 1})
    other = await sign_in(client, "agent02")
    campaign_id = await arrears_campaign(client, CampaignMode.PREVIEW)
    await round_and_route(client, campaign_id, gateway)
    call_id = (await client.app[ACD].presence(agent_id)).call_id

    status, body = await call(client, "POST", f"/api/agents/me/previews/{call_id}/dial", other)
    assert (status, body["error"]["code"]) == (409, "no-such-preview")
    status, body = await call(client, "POST", "/api/agents/me/previews/nope/skip", other)
    assert (status, body["error"]["code"]) == (400, "invalid-body")
    assert gateway.calls == []


async def test_predictive_connects_a_ready_agent_at_the_answer(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    ids = [await ready(client, f"agent0{n}") for n in (1, 2, 3)]
    campaign_id = await arrears_campaign(client, CampaignMode.PREDICTIVE)

    dialer = await client.app[OUTBOUND].dialer(campaign_id)
    await dialer.round(NOW)
    await gateway.settle()

    assert await results(client, campaign_id) == {"answered": 2}
    states = [await state_of(client, agent_id) for agent_id in ids]
    assert states.count(AgentState.WRAP_UP) == 2


async def test_no_agent_at_the_answer_abandons_and_pacing_drops_to_progressive(
    client: Client,
) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    _, auth = await staff(client, Role.SUPERVISOR)
    campaign_id = await arrears_campaign(client, CampaignMode.PREDICTIVE)
    dialer = await client.app[OUTBOUND].dialer(campaign_id)
    assert (await dialer.round(NOW)).placed == 1  # one agent: one line, no more
    actor = Actorship(Actor.AGENT, agent_id)
    await client.app[ACD].set_state(agent_id, "not_ready", "break", actor)  # gone meanwhile

    await gateway.settle()

    assert await results(client, campaign_id) == {"abandoned": 1}
    status, body = await send(client, "GET", f"/api/campaigns/{campaign_id}/pacing", auth)
    assert status == 200
    assert (body["mode"], body["pacing"], body["near_cap"]) == ("predictive", "progressive", True)
    assert body["abandon_rate"] == 1.0 and body["abandon_cap"] == 0.03
    assert "3 %" in body["reason"] and body["ready_agents"] == 0
    assert (await dialer.round(NOW + timedelta(seconds=10))).claimed == 0  # no agent: no call


async def test_a_paused_campaign_puts_its_queued_calls_back(client: Client) -> None:
    gateway = script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    campaign_id = await arrears_campaign(client, CampaignMode.PROGRESSIVE)
    dialer = await client.app[OUTBOUND].dialer(campaign_id)
    assert (await dialer.round(NOW)).held == 1
    await client.app[OUTBOUND].campaigns.pause(campaign_id)

    await client.app[ACD].route()  # the agent is reserved, but nothing is dialled

    assert gateway.calls == [] and await state_of(client, agent_id) is AgentState.READY
    counts = await client.app[OUTBOUND].stores.attempts.counts(campaign_id, NOW)
    assert counts.waiting == {"due": 2}
    await client.app[OUTBOUND].campaigns.resume(campaign_id)
    assert await round_and_route(client, campaign_id, gateway) == 1
    assert await results(client, campaign_id) == {"answered": 1}


async def test_a_queued_call_whose_place_was_lost_is_queued_again(client: Client) -> None:
    script(client, {ZHANG: [R.ANSWERED], FIRM: [R.ANSWERED]})
    await ready(client, "agent01")
    campaign_id = await arrears_campaign(client, CampaignMode.PROGRESSIVE)
    dialer = await client.app[OUTBOUND].dialer(campaign_id)
    await dialer.round(NOW)
    (queued, _), *_ = await client.app[OUTBOUND].stores.attempts.queued(campaign_id)
    assert queued.call_id is not None
    await client.app[ACD].seats.release(queued.call_id, "lost")  # e.g. Redis emptied

    await dialer.take_over(NOW)  # as a dialer starting on this campaign does

    assert await client.app[OUTBOUND].stores.attempts.queued(campaign_id) == []
    assert (await dialer.round(NOW)).held == 1
    (again, _), *_ = await client.app[OUTBOUND].stores.attempts.queued(campaign_id)
    assert again.call_id == queued.call_id  # the same call record, once
