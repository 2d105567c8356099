"""Redis lost its data while the server runs (issue 17: restarted without persistence):
within one check, agents get back their last state from SQL (a ready agent is ready again,
told on the desk) and callers waiting keep their place in line by their enqueue time, then
are offered as before. Embedded and real stores."""

from __future__ import annotations

from datetime import timedelta

from agents.models import SYSTEM, AgentState
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS, REDIS, SETTINGS
from tests.adapters.test_twilio_webhooks import Caller
from tests.integration import test_agent_desk as desk
from tests.integration.test_agent_desk import (
    Client,
    FakeTwilioRest,
    add_agent,
    next_message,
    ready_agent,
    walk_to_billing,
)

client, rest, clock, zhang = desk.client, desk.rest, desk.clock, desk.zhang


async def lose_redis(client: Client) -> None:
    """What a Redis restart without persistence does to this app: every key gone."""
    redis = client.app[REDIS]
    prefix = client.app[SETTINGS].redis.key_prefix
    keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis.delete(*keys)


async def test_agents_and_waiting_callers_are_rebuilt_from_sql(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    # the shared state as first seen: nothing lost, but an in-process store is new with
    # every process (a restart on the embedded defaults rebuilds from SQL)
    volatile = client.app[SETTINGS].redis.url.startswith("memory://")
    assert await acd.recover() is volatile
    busy = await add_agent(client, "agent02", {"general": 1})
    await acd.login(busy, SYSTEM)
    await acd.set_state(busy, "not_ready", "meal", SYSTEM)
    first = await walk_to_billing(client)
    clock.advance(timedelta(seconds=5))
    second = Caller(client, "CA1042bb91000000000000000000000002")
    await second.ring()
    await second.silence()
    await second.press("2")
    assert ">billing</Enqueue>" in await second.press("0")  # behind the first in line
    agent_id, _, ws = await ready_agent(client)  # ready after the callers queued
    await lose_redis(client)
    assert (await acd.presence(agent_id)).state is AgentState.LOGGED_OUT  # what Redis says now

    assert await acd.recover() is True
    assert (await acd.presence(agent_id)).state is AgentState.READY
    meal = await acd.presence(busy)
    assert (meal.state, meal.reason) == (AgentState.NOT_READY, "meal")
    notice = await next_message(ws, "notice")
    assert (notice["code"], notice["state"]) == ("state-restored", "ready")
    assert await acd.recover() is False  # once

    assert await acd.route() == 1
    await next_message(ws, "offer")
    assert rest.updates[-1][0] == first.base["CallSid"]  # who waited longest goes first
    assert await acd.waiting_info(await call_of(client, second)) is not None  # still in line


async def call_of(client: Client, caller: Caller) -> str:
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert record is not None
    return record.id
