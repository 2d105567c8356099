"""The simulator's mailbox in Redis (embedded and real): instructions in order, a long poll
that ends empty, and the call's status from the simulator's polling."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
import redis.asyncio as aioredis

from callcenter.state import redis as redis_state
from callcenter.state.keys import Keys
from callcenter.state.simulator import RedisSimulatorRest

SID = "CA" + "7" * 32


@pytest_asyncio.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = redis_state.connect(redis_url)
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def keys(client: aioredis.Redis) -> AsyncIterator[Keys]:
    keys = Keys(f"cctest:{uuid.uuid4().hex[:8]}:")
    yield keys
    found = [key async for key in client.scan_iter(match=f"{keys.prefix}*")]
    if found:
        await client.delete(*found)


async def test_instructions_come_out_in_order_then_nothing(
    client: aioredis.Redis, keys: Keys
) -> None:
    rest = RedisSimulatorRest(client, keys, 60)
    await rest.update_call(SID, twiml="<Response><Dial/></Response>")
    await rest.update_call(SID, status="completed")
    assert await rest.next_instruction(SID, 0) == {"twiml": "<Response><Dial/></Response>"}
    assert await rest.next_instruction(SID, 1) == {"status": "completed"}
    assert await rest.next_instruction(SID, 0) is None
    assert 0 < await client.ttl(keys.simulator_polled(SID)) <= 60


async def test_status_follows_the_simulators_polling(client: aioredis.Redis, keys: Keys) -> None:
    rest = RedisSimulatorRest(client, keys, 60)
    assert await rest.call_status(SID) is None  # never polled: cannot tell
    await rest.next_instruction(SID, 0)
    assert await rest.call_status(SID) == "in-progress"
    await client.delete(keys.simulator_alive(SID))  # it stopped polling long enough ago
    assert await rest.call_status(SID) == "completed"
