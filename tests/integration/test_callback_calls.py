"""Queued callbacks placed by the agent-assisted machinery, on the simulated gateway and the
ACD in Redis: the agent reserved at the head of the queue, the customer dialled, busy or no
answer tried again per the routing settings, then a note; never two calls for one callback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from agents.models import AgentState, CallerLine, QueueRequest
from callcenter.calls.models import Direction
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import callbacks
from callcenter.web.keys import ACD, CALLBACKS, CALLS, ENGINE
from outbound.models import AttemptResult
from tests.conftest import NOW
from tests.integration.admin_helpers import make_app
from tests.integration.test_assisted_modes import Sim, ready

Client = TestClient[web.Request, web.Application]
R = AttemptResult
PHONE = "+8613900000009"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    app = make_app(
        stores,
        clock,
        CALLCENTER_REDIS__KEY_PREFIX=f"cctest:{id(clock)}:",
        CALLCENTER_ROUTING__CALLBACK_TRIES="2",
        CALLCENTER_ROUTING__CALLBACK_RETRY_SECONDS="60",
    )
    return await aiohttp_client(app)


async def kept_callback(client: Client) -> str:
    """A caller waits in billing, asks to be called back, and hangs up keeping the place."""
    record = await client.app[CALLS].start(Direction.INBOUND, PHONE, "95598")
    line = CallerLine(caller=PHONE, called="95598", provider="twilio", provider_call="CAin")
    await client.app[ACD].enqueue(QueueRequest(record.id, "billing", line=line))
    await client.app[ACD].request_callback(record.id, PHONE)
    assert await client.app[ACD].call_ended(record.id, "caller") is True  # place kept
    return record.id


async def status_of(client: Client, call_id: str) -> tuple[str, int]:
    async with client.app[ENGINE].connect() as conn:
        row = (
            await conn.execute(
                select(callbacks.c.status, callbacks.c.tries).where(callbacks.c.call_id == call_id)
            )
        ).one()
    return str(row[0]), int(row[1])


async def test_a_callback_reserves_the_agent_then_dials_the_customer(client: Client) -> None:
    sim = Sim(client, {PHONE: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    call_id = await kept_callback(client)

    await client.app[ACD].route()
    assert (await client.app[ACD].presence(agent_id)).state is AgentState.RESERVED
    assert [c.to for c in sim.calls] == [PHONE]  # dialled once the agent is reserved
    await sim.settle()

    assert await status_of(client, call_id) == ("done", 1)
    assert (await client.app[ACD].presence(agent_id)).state is AgentState.WRAP_UP
    notes = [e.data.get("kind") for e in (await client.app[CALLS].detail(call_id)).events]
    assert "callback_dialled" in notes


async def test_no_answer_retries_then_gives_up_with_a_note(
    client: Client, clock: ManualClock
) -> None:
    sim = Sim(client, {PHONE: [R.NO_ANSWER, R.BUSY]})
    agent_id = await ready(client, "agent01")
    call_id = await kept_callback(client)

    await client.app[ACD].route()
    await sim.settle()
    assert await status_of(client, call_id) == ("pending", 1)
    assert (await client.app[ACD].presence(agent_id)).state is AgentState.READY
    assert await client.app[CALLBACKS].requeue_due() == 0  # not before the retry delay

    clock.advance(timedelta(seconds=61))
    assert await client.app[CALLBACKS].requeue_due() == 1
    await client.app[ACD].route()
    await sim.settle()

    assert len(sim.calls) == 2
    assert await status_of(client, call_id) == ("failed", 2)
    notes = [e.data for e in (await client.app[CALLS].detail(call_id)).events]
    assert {"kind": "callback_failed", "tries": 2, "result": "busy"} in notes
    assert await client.app[CALLBACKS].requeue_due() == 0


async def test_one_callback_is_never_dialled_twice(client: Client) -> None:
    sim = Sim(client, {PHONE: [R.ANSWERED]})
    agent_id = await ready(client, "agent01")
    call_id = await kept_callback(client)
    routed = await client.app[ACD].seats.routed(call_id)
    assert routed is not None

    await client.app[CALLBACKS].reserved(call_id, routed, agent_id)
    await client.app[CALLBACKS].reserved(call_id, routed, agent_id)  # a second instance

    assert len(sim.calls) == 1
