"""The ACD's timers on Redis (the embedded store and a real server): restarting an offer's
deadline when the device rings, expiry leaving a restarted offer alone, presence changes
tied to one call, and the max-wait look-up, mark and overflow move, all atomic."""

from __future__ import annotations

from dataclasses import replace

from agents.models import AgentState, Assignment, Presence, Priority
from callcenter.state.acd import RedisRoutingState
from tests.integration import test_routing_state as routing
from tests.integration.test_routing_state import T0, expire_offers, waiting

state = routing.state  # a RedisRoutingState on each kind of store, under a fresh prefix
S = AgentState


async def offered(state: RedisRoutingState, call_id: str = "c1", agent_id: int = 1) -> None:
    await state.enqueue(waiting(call_id, T0))
    await state.set_ready(agent_id, T0)
    await state.claim([Assignment(call_id, agent_id, "billing")], T0, 20_000)


async def test_a_ringing_device_restarts_the_offer_deadline(state: RedisRoutingState) -> None:
    await offered(state)
    assert not await state.restart_offer("c1", 2, T0 + 50_000)  # not offered to agent 2
    assert not await state.restart_offer("other", 1, T0 + 50_000)
    assert await state.restart_offer("c1", 1, T0 + 35_000)
    assert await state.expired_offers(T0 + 34_999) == []
    assert await state.expired_offers(T0 + 35_000) == [("c1", 1)]
    assert await expire_offers(state, T0 + 35_000) == [("c1", 1)]
    assert not await state.restart_offer("c1", 1, T0 + 90_000)  # requeued: no offer left


async def test_expiry_leaves_an_offer_restarted_since_it_was_read(
    state: RedisRoutingState,
) -> None:
    await offered(state)
    due = await state.expired_offers(T0 + 20_000)
    assert await state.restart_offer("c1", 1, T0 + 40_000)  # the dial started meanwhile
    assert due == [("c1", 1)]
    assert not await state.requeue_at_head("c1", 1, T0 + 20_000, due_only=True)
    assert (await state.presences([1]))[1].state is S.RESERVED
    assert await state.requeue_at_head("c1", 1, T0 + 20_000)  # a decline needs no deadline


async def test_a_presence_change_for_one_call_leaves_the_next_call_alone(
    state: RedisRoutingState,
) -> None:
    await state.set_presence(1, [S.LOGGED_OUT], Presence(S.ON_CALL, T0, None, "second"))
    wrap = Presence(S.WRAP_UP, T0 + 1, None, "first")
    applied, previous = await state.set_presence(1, [S.ON_CALL], wrap, call_id="first")
    assert (applied, previous.call_id) == (False, "second")
    applied, _ = await state.set_presence(1, [S.ON_CALL], wrap, call_id="second")
    assert applied


async def test_max_wait_lookup_mark_and_move(state: RedisRoutingState) -> None:
    await state.enqueue(waiting("old", T0))
    await state.enqueue(waiting("vip", T0 + 5, priority=Priority.IMPORTANT))
    await state.enqueue(waiting("new", T0 + 60_000))
    cutoffs = {"billing": T0 + 10, "general": T0 + 10}
    found = await state.overdue_waits(cutoffs, 10)
    assert sorted(c.call_id for c in found) == ["old", "vip"]
    assert [c.call_id for c in await state.overdue_waits(cutoffs, 1)] in (["old"], ["vip"])
    assert await state.mark_max_wait("vip", "callback")
    assert not await state.mark_max_wait("vip", "end")  # once, whoever comes second
    assert [c.call_id for c in await state.overdue_waits(cutoffs, 10)] == ["old"]
    old = found[[c.call_id for c in found].index("old")]
    assert await state.move_call(replace(old, queue="general"), "billing")
    assert not await state.move_call(replace(old, queue="general"), "billing")  # moved already
    assert await state.waiting_call("old") == replace(old, queue="general")
    assert (
        await state.position("old", "general") == 1
        and await state.position("old", "billing") is None
    )
    await state.forget_call("vip")  # the call's handling is over: its mark goes with it
    assert await state.mark_max_wait("vip", "end")
