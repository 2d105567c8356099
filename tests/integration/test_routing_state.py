"""Routing on Redis (the embedded store and a real server): atomic claims, requeue at the
head after an offer times out, abandons, two router processes racing on one Redis, and the
agents a queue counts as logged in (what a waiting caller hears: the estimated wait, the
callback offer), kept in one set by every presence change (issue 17: an enqueue read every
member's presence, twenty commands for a queue of twenty)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from agents.models import AgentState, Assignment, Presence, Priority, QueueConfig, WaitingCall
from agents.ports import ClaimResult, SeenWaiting
from agents.router import AgentProfile, Router
from agents.routing import queue_configs
from callcenter.devtools import routing_load
from callcenter.state import redis as redis_state
from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys

T0 = 1_780_000_000_000
C = ClaimResult
PRESENT = [1, 2, 3, 4]
S = AgentState
QUEUES = queue_configs([QueueConfig("billing"), QueueConfig("fault"), QueueConfig("general")])


@pytest_asyncio.fixture
async def state(redis_url: str) -> AsyncIterator[RedisRoutingState]:
    client = redis_state.connect(redis_url)
    prefix = f"cctest:{uuid.uuid4().hex[:8]}:"
    yield RedisRoutingState(client, Keys(prefix))
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def waiting(
    cid: str, at: int, queue: str = "billing", priority: Priority = Priority.NORMAL
) -> WaitingCall:
    return WaitingCall(cid, queue, priority, at, (queue,) if queue != "general" else ())


def router(state: RedisRoutingState, agents: dict[int, tuple[str, ...]]) -> Router:
    profiles = {
        a: AgentProfile(
            {s: 1 for s in skills}, frozenset({"zh-CN"}), frozenset({*skills, "general"})
        )
        for a, skills in agents.items()
    }
    return Router(state, QUEUES, profiles, offer_seconds=20)


async def expire_offers(state: RedisRoutingState, now_ms: int) -> list[tuple[str, int]]:
    """What `agents.offers.Offers.expire` does to the shared state: offers past their
    deadline back to the head of their queue."""
    return [
        (call_id, agent_id)
        for call_id, agent_id in await state.expired_offers(now_ms)
        if await state.requeue_at_head(call_id, agent_id, now_ms, due_only=True)
    ]


async def test_snapshot_lists_calls_by_priority_then_time(state: RedisRoutingState) -> None:
    await state.enqueue(waiting("late", T0 + 5))
    await state.enqueue(waiting("early", T0))
    await state.enqueue(waiting("vip", T0 + 9, priority=Priority.IMPORTANT))
    await state.enqueue(waiting("early", T0 + 99))  # again: keeps its place
    await state.set_ready(7, T0 - 1)
    snap = await state.snapshot(["billing"], 10)
    ready, calls = snap.ready, snap.waiting
    assert ready == {7: T0 - 1}
    assert [c.call_id for c in calls] == ["vip", "early", "late"]
    assert calls[1] == waiting("early", T0)


async def test_claim_takes_agent_and_call_together_or_not_at_all(state: RedisRoutingState) -> None:
    await state.enqueue(waiting("c1", T0))
    await state.enqueue(waiting("c2", T0 + 1))
    await state.set_ready(1, T0)
    results = await state.claim(
        [
            Assignment("c1", 1, "billing"),
            Assignment("c2", 1, "billing"),
            Assignment("c1", 2, "billing"),
        ],
        T0 + 10,
        20_000,
    )
    assert results == [C.CLAIMED, C.AGENT_NOT_READY, C.AGENT_NOT_READY]
    await state.set_ready(2, T0)
    assert await state.claim([Assignment("c1", 2, "billing")], T0 + 11, 20_000) == [C.CALL_GONE]
    presence = (await state.presences([1]))[1]
    assert (presence.state, presence.call_id) == ("reserved", "c1")
    snap = await state.snapshot(["billing"], 10)
    ready, calls = snap.ready, snap.waiting
    assert (ready, [c.call_id for c in calls]) == ({2: T0}, ["c2"])


async def test_router_round_offers_by_priority_and_skill(state: RedisRoutingState) -> None:
    await state.enqueue(waiting("bill", T0))
    await state.enqueue(waiting("fault-vip", T0 + 5, "fault", Priority.IMPORTANT))
    await state.enqueue(waiting("any", T0 + 1, "general"))
    await state.set_ready(1, T0 - 100)  # billing only, idle longest
    await state.set_ready(2, T0)  # fault and billing
    result = await router(state, {1: ("billing",), 2: ("fault", "billing")}).route_once(T0 + 50)
    assert [(a.call_id, a.agent_id) for a in result.offered] == [("fault-vip", 2), ("bill", 1)]
    calls = (await state.snapshot(list(QUEUES), 10)).waiting
    assert [c.call_id for c in calls] == ["any"]


async def test_offer_timeout_requeues_at_the_head_and_agent_not_ready(
    state: RedisRoutingState,
) -> None:
    routing = router(state, {1: ("billing",)})
    await state.enqueue(waiting("first", T0 + 30))
    await state.set_ready(1, T0)
    assert [a.call_id for a in (await routing.route_once(T0 + 40)).offered] == ["first"]
    await state.enqueue(waiting("older", T0))  # arrived earlier (a transfer) while it rang
    assert await expire_offers(state, T0 + 40 + 19_999) == []
    assert await expire_offers(state, T0 + 40 + 20_000) == [("first", 1)]
    calls = (await state.snapshot(["billing"], 10)).waiting
    assert [c.call_id for c in calls] == ["first", "older"]
    presence = (await state.presences([1]))[1]
    assert (presence.state, presence.reason, presence.call_id) == ("not_ready", "no-answer", None)
    assert await expire_offers(state, T0 + 99_000) == []  # nothing open any more


async def test_requeued_call_stays_behind_higher_priority(state: RedisRoutingState) -> None:
    routing = router(state, {1: ("billing",)})
    await state.enqueue(waiting("normal", T0))
    await state.set_ready(1, T0)
    await routing.route_once(T0 + 1)
    await state.enqueue(waiting("vip", T0 + 5, priority=Priority.IMPORTANT))
    await expire_offers(state, T0 + 30_000)
    calls = (await state.snapshot(["billing"], 10)).waiting
    assert [c.call_id for c in calls] == ["vip", "normal"]


async def test_abandon_while_queued_and_while_offered(state: RedisRoutingState) -> None:
    routing = router(state, {1: ("billing",)})
    await state.enqueue(waiting("gone", T0))
    await state.enqueue(waiting("ringing", T0 + 1))
    assert await state.abandon("gone", T0 + 2) is None
    await state.set_ready(1, T0)
    await routing.route_once(T0 + 3)
    assert await state.abandon("ringing", T0 + 4) == 1  # the offer withdrawn from agent 1
    presence = (await state.presences([1]))[1]
    assert (presence.state, presence.call_id) == ("ready", None)
    snap = await state.snapshot(["billing"], 10)
    ready, calls = snap.ready, snap.waiting
    assert (ready, calls) == ({1: T0 + 4}, [])
    assert await expire_offers(state, T0 + 60_000) == []
    assert await state.abandon("never-known", T0 + 5) is None


@pytest.mark.parametrize("offered_to", [None, 2, 1])
async def test_an_abandon_trusts_what_the_caller_read_only_while_it_holds(
    state: RedisRoutingState, offered_to: int | None
) -> None:
    """The call's end reads the waiting call and its offer together and hands them to the
    abandon (one round trip fewer); an offer that moved since (made, or made to another
    agent) is read again, and the right agent goes back to ready."""
    routing = router(state, {1: ("billing",)})
    await state.enqueue(waiting("ringing", T0))
    await state.set_ready(1, T0)
    await routing.route_once(T0 + 1)  # offered to agent 1
    seen = SeenWaiting("billing", offered_to)
    assert await state.abandon("ringing", T0 + 2, seen) == 1
    assert (await state.presences([1]))[1].state is AgentState.READY
    assert await state.waiting_call("ringing") is None
    assert await state.offered_to("ringing") is None
    snap = await state.snapshot(["billing"], 10)
    assert (dict(snap.ready), snap.waiting) == ({1: T0 + 2}, [])
    # a queued call abandoned with what was read: gone from its queue
    await state.enqueue(waiting("queued", T0 + 3))
    assert await state.abandon("queued", T0 + 4, SeenWaiting("billing", None)) is None
    assert await state.position("queued", "billing") is None


async def test_snapshot_follows_the_ready_log(state: RedisRoutingState) -> None:
    # Each instance keeps its view of the ready agents from the log of changes: what it
    # reports as changed, and the view itself, match the ready hash after every kind of change.
    async def check(changed: frozenset[int] | None) -> None:
        snap = await state.snapshot(["billing"], 10)
        assert snap.changed == changed
        raw = await state._redis.hgetall(state._keys.acd_ready())
        assert dict(snap.ready) == {int(a): int(s) for a, s in raw.items()}

    await state.set_ready(1, T0)
    await check(None)  # first snapshot: loaded afresh
    await check(frozenset())
    await state.set_ready(2, T0 + 1)
    await state.set_ready(3, T0 + 2)
    await check(frozenset({2, 3}))
    await state.enqueue(waiting("c1", T0))
    await state.claim([Assignment("c1", 2, "billing")], T0 + 3, 20_000)
    not_ready = Presence(AgentState.NOT_READY, T0 + 4, "break")
    assert (await state.set_presence(3, [AgentState.READY], not_ready))[0]
    await check(frozenset({2, 3}))
    assert await state.abandon("c1", T0 + 5) == 2  # the offer withdrawn: agent 2 ready again
    await check(frozenset({2}))
    # The log trimmed past this instance's place: the view is read again in full.
    await state.set_ready(4, T0 + 6)
    await state._redis.xtrim(state._keys.acd_ready_log(), maxlen=0)
    await state.set_ready(5, T0 + 7)
    await check(None)
    # The log gone altogether (Redis restarted empty): read again too.
    await state._redis.delete(state._keys.acd_ready_log(), state._keys.acd_ready())
    await check(None)


@pytest.mark.redis
async def test_two_router_processes_never_double_assign(redis_server_url: str) -> None:
    prefix = f"cctest:race:{uuid.uuid4().hex[:8]}:"
    agents, call_count = 300, 2000
    for round_no in range(3):
        await routing_load.seed(redis_server_url, prefix, agents, call_count, T0)
        claims = await routing_load.race(redis_server_url, prefix, agents, T0)
        assert routing_load.duplicates(claims) == (0, 0), f"round {round_no}"
        assert sum(len(c) for c in claims) == agents  # every agent got exactly one call
    client = redis_state.connect(redis_server_url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    await client.delete(*keys)
    await client.aclose()


async def by_presence(state: RedisRoutingState) -> int:
    """The count as each agent's presence says it."""
    found = await state.presences(PRESENT)
    return sum(1 for p in found.values() if p.state is not S.LOGGED_OUT)


async def test_the_count_follows_every_presence_change(state: RedisRoutingState) -> None:
    assert await state.logged_in(PRESENT) == 0
    assert await state.logged_in([]) == 0
    await state.set_presence(1, [S.LOGGED_OUT], Presence(S.NOT_READY, T0, "login"))
    await state.set_ready(2, T0)
    await state.set_ready(3, T0)
    assert await state.logged_in(PRESENT) == 2 + 1 == await by_presence(state)
    assert await state.logged_in([1, 4]) == 1

    # an offer (the claim script) and its timeout keep the agent logged in
    call = WaitingCall("c1", "billing", Priority.NORMAL, T0, ())
    await state.enqueue(call)
    await state.claim([Assignment("c1", 2, "billing")], T0, 20_000)
    assert (await state.presences([2]))[2].state is S.RESERVED
    assert await state.requeue_at_head("c1", 2, T0 + 30_000)
    assert (await state.presences([2]))[2].state is S.NOT_READY
    assert await state.logged_in(PRESENT) == 3 == await by_presence(state)

    # a refused change changes nothing; logging out leaves the count
    applied, _ = await state.set_presence(3, [S.ON_CALL], Presence(S.LOGGED_OUT, T0))
    assert not applied
    await state.set_presence(1, list(S), Presence(S.LOGGED_OUT, T0 + 1, "logout"))
    await state.set_presence(3, list(S), Presence(S.LOGGED_OUT, T0 + 1, "logout"))
    assert await state.logged_in(PRESENT) == 1 == await by_presence(state)
    assert await state.logged_in([1, 3, 4]) == 0


async def test_a_reload_of_the_agents_makes_a_wrong_count_agree(state: RedisRoutingState) -> None:
    """Presences written before the set was kept (an upgrade) and a set left wrong (by hand):
    `sync_logged_in` (each reload of the agents) fixes both, and only for the agents named."""
    redis = state._redis
    keys = state._keys
    await redis.hset(keys.acd_agent(1), mapping={"state": "ready", "since": T0})
    await redis.hset(keys.acd_agent(2), mapping={"state": "on_call", "since": T0, "call": "c"})
    await redis.hset(keys.acd_agent(3), mapping={"state": "logged_out", "since": T0})
    await redis.sadd(keys.acd_logged_in(), 3, 4)  # 4 has no presence at all
    assert await state.logged_in(PRESENT) == 2

    await state.sync_logged_in([1, 2, 3])
    assert await state.logged_in(PRESENT) == 3  # 4 was not named: left as it was
    await state.sync_logged_in(PRESENT)
    assert await state.logged_in(PRESENT) == 2 == await by_presence(state)
    await state.sync_logged_in([])
    assert await state.logged_in(PRESENT) == 2
