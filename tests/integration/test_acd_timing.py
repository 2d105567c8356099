"""The ACD's call timing through the running app (issues 11 and 12), embedded and real
stores with a fake Twilio REST: the maximum wait (callback, overflow, polite end), the
estimate with no agent logged in, the ring time starting when the device rings, the agent's
leg ending before the call, who ended the call, and the desk's pop in the API's shape."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agents.models import MaxWaitAction, QueueRequest
from callcenter.calls.models import CallRecord, ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS
from tests.adapters.test_twilio_webhooks import CALLER, Caller
from tests.integration import test_agent_desk as desk
from tests.integration.test_agent_desk import (
    Client,
    FakeTwilioRest,
    add_agent,
    call,
    next_message,
    ready_agent,
    walk_to_billing,
)

WAIT_URL = "https://cc.example.com/twilio/wait"
# The desk tests' fixtures: an app on each store pair, a fake Twilio REST, the clock, a caller.
client, rest, clock, zhang = desk.client, desk.rest, desk.clock, desk.zhang


async def record_of(client: Client, caller: Caller) -> CallRecord:
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None
    return found


def set_billing(client: Client, max_wait_seconds: int, action: MaxWaitAction) -> None:
    """Replace the billing queue's rules while the app runs."""
    book = client.app[ACD].queues
    billing = replace(book["billing"], max_wait_seconds=max_wait_seconds, max_wait_action=action)
    book.replace([billing if q == "billing" else book[q] for q in book])


async def test_no_agent_logged_in_means_no_estimate_and_a_callback_at_once(
    client: Client, zhang: int
) -> None:
    await add_agent(client, "agent01", {"billing": 2})  # a member, but logged out
    caller = await walk_to_billing(client)
    info = await client.app[ACD].waiting_info((await record_of(client, caller)).id)
    assert info is not None and not info.agent_available and info.offer_callback


async def test_max_wait_offers_the_callback_once_and_interrupts_the_hold(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    caller = await walk_to_billing(client)
    call_id = (await record_of(client, caller)).id
    clock.advance(timedelta(seconds=599))
    assert await acd.expire() == 0
    clock.advance(timedelta(seconds=2))
    assert await acd.expire() == 1
    sid, twiml, _ = rest.updates[-1]
    assert sid == caller.base["CallSid"] and f'<Redirect method="POST">{WAIT_URL}' in str(twiml)
    info = await acd.waiting_info(call_id)
    assert info is not None and (info.max_wait, info.offer_callback) == (
        MaxWaitAction.CALLBACK,
        True,
    )
    clock.advance(timedelta(seconds=5))
    assert (await acd.expire(), len(rest.updates)) == (0, 1)  # once per call
    notes = [
        e.data for e in (await client.app[CALLS].detail(call_id)).events if e.type == "note_added"
    ]
    assert notes == [{"kind": "max_wait", "outcome": "callback", "queue": "billing"}]


async def test_max_wait_end_is_a_polite_end_not_an_abandon(
    client: Client, zhang: int, clock: ManualClock
) -> None:
    set_billing(client, 60, MaxWaitAction.END)
    caller = await walk_to_billing(client)
    clock.advance(timedelta(seconds=61))
    assert await client.app[ACD].expire() == 1
    call_id = (await record_of(client, caller)).id
    info = await client.app[ACD].waiting_info(call_id)
    assert info is not None and info.max_wait is MaxWaitAction.END
    await caller.post("/twilio/status", {"CallStatus": "completed"})  # goodbye said, hung up
    record = await client.app[CALLS].get(call_id)
    assert (record.state, record.disposition, record.end_reason) == (
        "ended",
        "max-wait",
        "max-wait",
    )
    billing = next(q for q in (await client.app[ACD].realtime())["queues"] if q.queue == "billing")
    assert (billing.abandoned, billing.waiting) == (0, 0)


async def test_max_wait_overflow_keeps_the_place_in_time(
    client: Client, zhang: int, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    set_billing(client, 60, MaxWaitAction.OVERFLOW)
    call_id = (await record_of(client, await walk_to_billing(client))).id
    before = await acd._state.waiting_call(call_id)
    assert before is not None
    clock.advance(timedelta(seconds=30))
    await acd.enqueue(QueueRequest("later", "general", before.priority))
    clock.advance(timedelta(seconds=31))
    assert await acd.expire() == 1
    assert await acd._state.waiting_call(call_id) == replace(before, queue="general")
    info = await acd.waiting_info(call_id)
    assert info is not None and (info.position, info.max_wait) == (1, None)  # ahead of later
    assert (await client.app[CALLS].get(call_id)).queue == "general"
    billing = next(q for q in (await acd.realtime())["queues"] if q.queue == "billing")
    assert (billing.waiting, billing.abandoned) == (0, 0)


async def test_ring_time_starts_when_the_device_rings(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    agent_id, _, ws = await ready_agent(client)
    await walk_to_billing(client)
    await acd.route()
    offer = await next_message(ws, "offer")
    # Twilio: the REST redirect to <Dial> succeeded, so the device rings from now.
    assert "<Dial" in str(rest.updates[-1][1])
    ringing = await next_message(ws, "offer_ringing")
    assert (ringing["call_id"], ringing["deadline_ms"]) == (offer["call_id"], offer["deadline_ms"])
    # Asterisk: the session dials once the caller has heard the position announcement.
    clock.advance(timedelta(seconds=15))
    assert await acd.ringing(offer["call_id"], agent_id)
    ringing = await next_message(ws, "offer_ringing")
    assert ringing["deadline_ms"] == offer["deadline_ms"] + 15_000
    clock.advance(timedelta(seconds=19))
    assert await acd.expire() == 0  # 19 s of ringing out of 20
    clock.advance(timedelta(seconds=1))
    assert await acd.expire() == 1
    assert not await acd.ringing(offer["call_id"], agent_id)  # the offer is gone
    await ws.close()


async def answered(client: Client, clock: ManualClock) -> tuple[int, str, Caller, dict[str, str]]:
    """A billing call answered by agent01 at NOW + 4 s: (agent, call, caller, desk auth)."""
    agent_id, auth, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    await client.app[ACD].route()
    call_id = (await next_message(ws, "offer"))["call_id"]
    await ws.close()
    clock.advance(timedelta(seconds=4))
    leg = f"/twilio/agent-leg?call={call_id}&agent={agent_id}&queue=billing"
    assert (await caller.post(leg, {"CallStatus": "in-progress"})).status == 204
    return agent_id, call_id, caller, auth


async def test_talk_ends_when_the_agent_leaves_not_after_the_survey(
    client: Client, zhang: int, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    agent_id, call_id, caller, _ = await answered(client, clock)
    clock.advance(timedelta(seconds=120))
    assert await acd.agent_left(call_id, agent_id, "agent")
    assert (await acd.presence(agent_id)).state == "wrap_up"
    clock.advance(timedelta(seconds=40))  # the caller answers the survey
    assert not await acd.agent_left(call_id, agent_id, "agent")  # recorded once
    await caller.post("/twilio/status", {"CallStatus": "completed"})
    record = await client.app[CALLS].get(call_id)
    assert (record.talk_seconds, record.end_reason) == (120, "agent")
    left = [e for e in (await client.app[CALLS].detail(call_id)).events if e.type == "agent_left"]
    assert [e.data for e in left] == [{"agent_id": agent_id, "by": "agent"}]


async def test_the_desk_hang_up_is_the_agents(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    _, call_id, caller, auth = await answered(client, clock)
    clock.advance(timedelta(seconds=30))
    assert (await call(client, "POST", "/api/agents/me/hang-up", auth))[0] == 200
    assert rest.updates[-1][2] == "completed"
    clock.advance(timedelta(seconds=1))
    await caller.post("/twilio/status", {"CallStatus": "completed"})  # the REST hang-up
    record = await client.app[CALLS].get(call_id)
    assert (record.state, record.talk_seconds, record.end_reason) == ("wrap_up", 30, "agent")


async def test_the_reconciler_ends_a_lost_call_as_the_system(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    caller = await walk_to_billing(client)
    rest.statuses[caller.base["CallSid"]] = "completed"  # the hang-up callback was lost
    assert len(await client.app[ACD].reconcile()) == 1
    record = await record_of(client, caller)
    assert (record.state, record.end_reason) == ("abandoned", "system")


async def test_the_pop_carries_each_customer_as_the_lookup_api_does(
    client: Client, zhang: int
) -> None:
    _, auth, ws = await ready_agent(client)
    await walk_to_billing(client)
    path = f"/api/customers/lookup?phone=%2B{CALLER[1:]}"
    status, found = await call(client, "GET", path, auth)  # as the call stands when offered
    await client.app[ACD].route()
    pop = (await next_message(ws, "offer"))["pop"]
    assert status == 200 and pop["customers"] == found["customers"]
    assert set(pop) == {
        "call_id",
        "caller",
        "queue",
        "queued_at",
        "callback",
        "transferred_by",
        "ivr_path",
        "keyed",
        "customers",
        "as_of",
        "urges",
    }
    assert pop["keyed"] and set(pop["keyed"][0]) <= {"node", "digits", "speech"}
    await ws.close()
