"""The reconciler (issue 17) ends a call whose end never reached us (the server was killed
mid-call and Twilio's status callback was lost) once Twilio says the call is over: left in the
IVR (a live call, a call just begun and a call Twilio does not know are left alone), or
talking with an agent (the agent goes to wrap-up instead of staying on the call for ever).
Each store pair."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.models import AgentState
from agents.reconciler import IVR_AFTER
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS
from tests.adapters.test_twilio_webhooks import Caller
from tests.integration import test_agent_desk as desk
from tests.integration.test_agent_desk import (
    Client,
    FakeTwilioRest,
    next_message,
    ready_agent,
    walk_to_billing,
)

client, rest, clock, zhang = desk.client, desk.rest, desk.clock, desk.zhang
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("status", "later", "ends"),
    [
        ("completed", IVR_AFTER + SECOND, True),
        ("in-progress", IVR_AFTER + SECOND, False),  # the caller is still at the menu
        ("completed", IVR_AFTER - SECOND, False),  # not asked yet: too young
        (None, IVR_AFTER + SECOND, False),  # Twilio cannot say: asked again later
    ],
)
async def test_a_call_left_in_the_ivr_is_ended_once_twilio_says_it_is_over(
    client: Client,
    rest: FakeTwilioRest,
    clock: ManualClock,
    zhang: int,
    status: str | None,
    later: timedelta,
    ends: bool,
) -> None:
    caller = Caller(client)
    await caller.ring()
    assert "<Gather" in await caller.silence()  # at the main menu; then nothing more
    sid = caller.base["CallSid"]
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", sid))
    assert record is not None
    if status is not None:
        rest.statuses[sid] = status
    clock.advance(later)

    repairs = await client.app[ACD].reconcile()
    ended = [f"call {record.id} in the IVR but its call has ended: ended"]
    assert repairs == (ended if ends else [])
    now = await client.app[CALLS].get(record.id)
    assert (now.state, now.end_reason) == (("ended", "system") if ends else ("ivr", None))
    assert await client.app[ACD].reconcile() == []  # once


@pytest.mark.parametrize(("status", "ends"), [("completed", True), ("in-progress", False)])
async def test_a_call_with_an_agent_whose_end_was_lost_sends_the_agent_to_wrap_up(
    client: Client, rest: FakeTwilioRest, zhang: int, status: str, ends: bool
) -> None:
    agent_id, _, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    call_id = (await next_message(ws, "offer"))["call_id"]
    leg = f"/twilio/agent-leg?call={call_id}&agent={agent_id}&queue=billing"
    assert (await caller.post(leg, {"CallStatus": "in-progress"})).status == 204
    assert (await client.app[ACD].presence(agent_id)).state is AgentState.ON_CALL
    rest.statuses[caller.base["CallSid"]] = status

    repairs = await client.app[ACD].reconcile()
    ended = [f"call {call_id} with agent {agent_id} but its call has ended: wrap-up"]
    assert repairs == (ended if ends else [])
    presence = await client.app[ACD].presence(agent_id)
    assert presence.state is (AgentState.WRAP_UP if ends else AgentState.ON_CALL)
    record = await client.app[CALLS].get(call_id)
    assert record.end_reason == ("system" if ends else None)
    assert await client.app[ACD].reconcile() == []  # once
