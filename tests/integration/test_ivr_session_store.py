"""The IVR session store (issue 17, speed): a step under the call's lock costs two Redis
round trips — the lock taken with the session read, the session stored with the lock
freed — on the embedded store and a real server; what was saved is there after the lock,
a copy of a request waits for the lock, and reads outside it go to Redis."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from callcenter.state import redis as redis_state
from callcenter.state.ivr_sessions import RedisIvrSessionStore
from callcenter.state.keys import Keys
from ivr_flows.commands import Hangup
from ivr_flows.models import Session


def counted(client: Any) -> list[str]:
    """Count the commands the client sends (each one a round trip)."""
    sent: list[str] = []
    send = client.execute_command

    async def execute_command(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await send(*args, **options)

    client.execute_command = execute_command
    return sent


async def test_a_step_under_the_lock_is_two_round_trips(redis_url: str) -> None:
    client = redis_state.connect(redis_url)
    store = RedisIvrSessionStore(client, Keys(f"cctest:{uuid.uuid4().hex[:8]}:"), 60)
    await store.save(Session(call_id="c1", flow="95598", seq=1), [])
    try:
        async with store.lock("warm-up"):  # the scripts are loaded once per server
            await store.save(Session(call_id="warm-up", flow="95598"), [])
        sent = counted(client)
        async with store.lock("c1"):
            stored = await store.load("c1")
            assert stored is not None and stored[0].seq == 1
            await store.save(Session(call_id="c1", flow="95598", seq=2), [Hangup()])
            again = await store.load("c1")  # within the step: what it saved
            assert again is not None and again[0].seq == 2
        assert sent == ["EVALSHA", "EVALSHA"]
        after = await store.load("c1")  # outside the lock: from Redis
        assert after is not None and after[0].seq == 2 and after[1] == [Hangup()]
    finally:
        await client.aclose()


async def test_a_copy_of_a_request_waits_for_the_lock(redis_url: str) -> None:
    client = redis_state.connect(redis_url)
    store = RedisIvrSessionStore(client, Keys(f"cctest:{uuid.uuid4().hex[:8]}:"), 60)
    order: list[str] = []

    async def step(name: str, seq: int) -> None:
        async with store.lock("c2"):
            order.append(f"{name} in")
            stored = await store.load("c2")
            seen = stored[0].seq if stored else 0
            await asyncio.sleep(0.05)
            await store.save(Session(call_id="c2", flow="95598", seq=seen + seq), [])
            order.append(f"{name} out")

    await asyncio.gather(step("a", 1), step("b", 10))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    final = await store.load("c2")
    assert final is not None and final[0].seq == 11  # each saw the other's save
    await client.aclose()


async def test_a_session_never_saved_reads_as_none_under_the_lock(redis_url: str) -> None:
    client = redis_state.connect(redis_url)
    store = RedisIvrSessionStore(client, Keys(f"cctest:{uuid.uuid4().hex[:8]}:"), 60)
    async with store.lock("nobody"):
        assert await store.load("nobody") is None
    assert await store.load("nobody") is None  # nothing was written
    await client.aclose()
