"""A queue's maximum wait on Twilio, and the end of the agent's leg: the ACD interrupts the
hold music, the wait URL says goodbye (`end`) or offers the callback (`callback`: silence
keeps the place, 2 keeps waiting), and the agent's hang-up ends the talk time."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web

from agents.models import SYSTEM
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS
from tests.adapters.test_twilio_inbound import (
    BASE,
    SID,
    Client,
    Phone,
    app_for,
    customer,
    to_billing_queue,
)
from tests.conftest import NOW
from tests.integration.test_agent_desk import FakeTwilioRest, add_agent


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def rest() -> FakeTwilioRest:
    return FakeTwilioRest()


Start = Callable[[str], Awaitable[Client]]


@pytest.fixture
def start(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    rest: FakeTwilioRest,
    clock: ManualClock,
) -> Start:
    async def with_billing_action(action: str) -> Client:
        billing = {"name": "billing", "max_wait_seconds": 60, "max_wait_action": action}
        env = {
            "CALLCENTER_SERVER__PUBLIC_BASE_URL": BASE,
            "CALLCENTER_ROUTING__QUEUES": json.dumps([{"name": "general"}, billing]),
        }
        return await aiohttp_client(app_for(stores, rest, clock, **env))

    return with_billing_action


async def past_the_maximum(client: Client, clock: ManualClock, rest: FakeTwilioRest) -> Phone:
    """A caller in the billing queue whose maximum wait passes: the ACD redirects the call
    (REST) to the wait URL's hold loop; the phone follows it."""
    await customer(client)
    phone = Phone(client, BASE)
    await to_billing_queue(phone)
    clock.advance(timedelta(seconds=61))
    await client.app[ACD].expire()
    sid, twiml, _ = rest.updates[-1]
    assert sid == SID and twiml is not None
    phone.twiml = twiml
    await phone.post(phone.urls()[-1])
    return phone


async def record_of(client: Client) -> str:
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", SID))
    assert found is not None
    return found.id


async def test_end_says_goodbye_and_ends_the_call_as_max_wait(
    start: Start, clock: ManualClock, rest: FakeTwilioRest
) -> None:
    client = await start("end")
    phone = await past_the_maximum(client, clock, rest)
    assert "再拨" in phone.twiml and "<Hangup" in phone.twiml
    stored = await client.app[CALLS].get(await record_of(client))
    assert (stored.state, stored.end_reason) == ("ended", "max-wait")
    await phone.post("/twilio/status", {"CallStatus": "completed"})
    assert (await client.app[CALLS].get(stored.id)).end_reason == "max-wait"


async def test_callback_is_offered_and_silence_keeps_the_place(
    start: Start, clock: ManualClock, rest: FakeTwilioRest
) -> None:
    client = await start("callback")
    phone = await past_the_maximum(client, clock, rest)
    assert "继续等待请按2" in phone.twiml
    action = phone.attribute("Gather", "action")
    assert "max_wait=1" in action
    assert "<Hangup" in await phone.post(action)  # silence
    call_id = await record_of(client)
    await phone.post("/twilio/status", {"CallStatus": "completed"})
    stored = await client.app[CALLS].get(call_id)
    assert (stored.state, stored.end_reason) == ("ended", "callback-requested")
    assert await client.app[ACD].waiting_info(call_id) is not None  # still in line


async def test_callback_offer_declined_keeps_the_caller_waiting(
    start: Start, clock: ManualClock, rest: FakeTwilioRest
) -> None:
    client = await start("callback")
    phone = await past_the_maximum(client, clock, rest)
    await phone.post(phone.attribute("Gather", "action"), {"Digits": "2"})
    assert "stay=1" in phone.urls()[-1]
    held = await phone.post(phone.urls()[-1])
    assert "继续等待请按2" not in held and "<Play>" in held and "stay=1" in phone.urls()[-1]


async def test_the_talk_time_ends_when_the_agent_hangs_up_before_the_survey(
    start: Start, clock: ManualClock, rest: FakeTwilioRest
) -> None:
    client = await start("callback")
    await customer(client)
    agent = await add_agent(client, "agent01", {"billing": 1})
    await client.app[ACD].login(agent, SYSTEM)
    await client.app[ACD].set_state(agent, "ready", None, SYSTEM)
    phone = Phone(client, BASE)
    await to_billing_queue(phone)
    assert await client.app[ACD].route() == 1
    phone.twiml = str(rest.updates[-1][1])  # the caller redirected to the call's conference
    leg, dial = rest.legs[-1][3].status_callback, phone.attribute("Dial", "action")
    await phone.post(leg, {"CallStatus": "in-progress"})  # the agent's device answers
    clock.advance(timedelta(seconds=90))
    survey = await phone.post(dial, {"CallStatus": "in-progress"})  # the agent left
    assert "非常满意请按5" in survey
    clock.advance(timedelta(seconds=30))
    await phone.press("5")
    await phone.post("/twilio/status", {"CallStatus": "completed"})
    stored = await client.app[CALLS].get(await record_of(client))
    assert (stored.talk_seconds, stored.survey_score, stored.end_reason) == (90, 5, "agent")
