"""Issue 17: on the embedded defaults (`memory://`) IVR sessions live in the process: no
emulated-Redis scripts per step, the same locking and expiry as in Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from callcenter.core.clock import ManualClock
from callcenter.state import redis as redis_state
from callcenter.state.ivr_sessions import RedisIvrSessionStore, ivr_session_store
from callcenter.state.ivr_sessions_local import LocalIvrSessionStore
from callcenter.state.keys import Keys
from ivr_flows.commands import Hangup
from ivr_flows.models import Session


def test_memory_url_gets_the_local_store_and_a_server_the_redis_one() -> None:
    client = redis_state.connect("memory://")
    assert isinstance(ivr_session_store("memory://", client, Keys(""), 60), LocalIvrSessionStore)
    server = redis_state.connect("redis://127.0.0.1:1/0")
    store = ivr_session_store("redis://127.0.0.1:1/0", server, Keys(""), 60)
    assert isinstance(store, RedisIvrSessionStore)


async def test_copies_of_a_request_take_turns_and_each_sees_the_last_save() -> None:
    store = LocalIvrSessionStore(60)
    inside: list[str] = []

    async def step(name: str, add: int) -> None:
        async with store.lock("c1"):
            inside.append(name)
            assert len(inside) == 1, inside  # one at a time, also when handed on
            stored = await store.load("c1")
            await asyncio.sleep(0.01)
            seq = (stored[0].seq if stored else 0) + add
            await store.save(Session(call_id="c1", flow="95598", seq=seq), [Hangup()])
            inside.remove(name)

    await asyncio.gather(*(step(f"s{i}", 1) for i in range(5)))
    final = await store.load("c1")
    assert final is not None and final[0].seq == 5 and final[1] == [Hangup()]
    assert store._locks == {}  # nothing kept for calls no request holds


async def test_sessions_expire_after_the_ttl() -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    store = LocalIvrSessionStore(60, clock)
    await store.save(Session(call_id="old", flow="95598", seq=1), [])
    clock.advance(timedelta(seconds=59))
    assert await store.load("old") is not None
    clock.advance(timedelta(seconds=2))
    assert await store.load("old") is None
    await store.save(Session(call_id="new", flow="95598", seq=1), [])
    assert list(store._kept) == ["new"]
