"""The reconciler (issue 17) on each store pair: a pass costs a bounded number of SQL
statements and Redis round trips whatever the queue holds; stranded calls (ended on record,
ended at Twilio, channel gone on Asterisk) are ended in one pass; Twilio look-ups rotate so
every call is asked within a bounded number of passes; a ready agent whose desk is gone goes
not ready with the reason `desk-gone`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

import pytest
from redis.asyncio.client import Pipeline
from sqlalchemy import event

from agents.models import AgentState, CallerLine, Priority, RoutedCall, WaitingCall
from agents.reconciler import BATCH, PROVIDER_CHECKS_PER_PASS
from callcenter.calls.models import CallEventType, ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys
from callcenter.storage.call_ends import SqlCallEnds
from callcenter.telephony.asterisk.channels import Channel, ChannelTracker
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.web.keys import ACD, ASTERISK_BRIDGE, CALLS, ENGINE, REDIS, SETTINGS
from tests.integration import test_agent_desk as desk
from tests.integration.test_agent_desk import Client, FakeTwilioRest, ready_agent, walk_to_billing

client, rest, clock, zhang = desk.client, desk.rest, desk.clock, desk.zhang


def state_of(client: Client) -> RedisRoutingState:
    return RedisRoutingState(client.app[REDIS], Keys(client.app[SETTINGS].redis.key_prefix))


async def put_queued(client: Client, count: int, provider: str, prefix: str) -> list[str]:
    """`count` calls waiting in billing, known to Redis only (their records are elsewhere)."""
    state = state_of(client)
    ids = [f"{prefix}{n:05d}" for n in range(count)]
    for n, call_id in enumerate(ids):
        await state.enqueue(WaitingCall(call_id, "billing", Priority.NORMAL, 1_000 + n))
        line = CallerLine(caller="+8613800000000", provider=provider, provider_call=call_id)
        await state.put_call_data(call_id, RoutedCall(line, queue="billing"))
    return ids


_COUNTING: ContextVar[bool] = ContextVar("counting", default=False)


@contextmanager
def counted(client: Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts SQL statements and Redis round trips (commands, pipelines) made while inside
    by the test's task and the tasks it starts (not by the app's background loops)."""
    counts = {"sql": 0, "redis": 0}
    token = _COUNTING.set(True)

    def statement(*_: Any) -> None:
        if _COUNTING.get():
            counts["sql"] += 1

    redis = client.app[REDIS]
    command: Callable[..., Awaitable[Any]] = redis.execute_command
    execute = Pipeline.execute

    async def one(*args: Any, **options: Any) -> Any:
        counts["redis"] += _COUNTING.get()
        return await command(*args, **options)

    async def batch(self: Pipeline, *args: Any, **options: Any) -> Any:
        counts["redis"] += _COUNTING.get()
        return await execute(self, *args, **options)

    monkeypatch.setattr(redis, "execute_command", one)
    monkeypatch.setattr(Pipeline, "execute", batch)
    engine = client.app[ENGINE].sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        monkeypatch.undo()
        _COUNTING.reset(token)


async def test_a_pass_over_500_queued_calls_costs_a_bounded_number_of_queries(
    client: Client, rest: FakeTwilioRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    await put_queued(client, 500, "twilio", "CAq")
    asked: list[str] = []
    status = rest.call_status

    async def counting_status(sid: str) -> str | None:
        asked.append(sid)
        return await status(sid)

    rest.call_status = counting_status  # type: ignore[method-assign]
    with counted(client, monkeypatch) as counts:
        assert await client.app[ACD].reconcile() == []
    batches = -(-500 // BATCH)
    # one IN (...) per batch, and one for the calls in the IVR; routed ids, one HMGET per
    # batch, the desks and the presences
    assert counts["sql"] == batches + 1
    assert counts["redis"] <= 3 + batches
    assert len(asked) == PROVIDER_CHECKS_PER_PASS


async def test_twilio_look_ups_rotate_so_every_call_is_asked_within_bounded_passes(
    client: Client, rest: FakeTwilioRest
) -> None:
    ids = await put_queued(client, 2 * PROVIDER_CHECKS_PER_PASS + 20, "twilio", "CAr")
    asked: list[str] = []

    async def status(sid: str) -> str | None:
        asked.append(sid)
        return "in-progress"

    rest.call_status = status  # type: ignore[method-assign]
    passes = -(-len(ids) // PROVIDER_CHECKS_PER_PASS)
    for _ in range(passes):
        before = len(asked)
        await client.app[ACD].reconcile()
        assert len(asked) - before == PROVIDER_CHECKS_PER_PASS
    assert set(asked) >= set(ids)


async def test_a_call_ended_on_record_but_still_queued_is_ended_in_one_pass(
    client: Client, zhang: int
) -> None:
    caller = await walk_to_billing(client)
    ref = ProviderRef("twilio", caller.base["CallSid"])
    record = await client.app[CALLS].find_by_provider(ref)
    assert record is not None
    await client.app[CALLS].record(record.id, CallEventType.HUNG_UP, {"by": "caller"})
    await put_queued(client, 3 * PROVIDER_CHECKS_PER_PASS, "twilio", "CAx")  # ahead in line
    repairs = await client.app[ACD].reconcile()
    assert f"call {record.id} queued but its call has ended: abandoned" in repairs
    assert record.id not in await state_of(client).routed_calls()


@pytest.mark.parametrize("live", [False, True])
async def test_an_asterisk_call_whose_channel_is_gone_is_ended_in_one_pass(
    client: Client, rest: FakeTwilioRest, live: bool
) -> None:
    await put_queued(client, 3 * PROVIDER_CHECKS_PER_PASS, "twilio", "CAy")  # the REST budget
    (gone,) = await put_queued(client, 1, "asterisk", "17000.")
    tracker = ChannelTracker()
    if live:
        tracker.channels[gone] = Channel(gone, gone, "PJSIP/caller-0001")
    ami = type("Ami", (), {"connected": True, "tracker": tracker})()
    client.app[ASTERISK_BRIDGE].ami = cast(AsteriskAmi, ami)
    repairs = await client.app[ACD].reconcile()
    ended = f"call {gone} queued but its call has ended: abandoned"
    assert (ended in repairs, gone in await state_of(client).routed_calls()) == (not live, live)


async def test_an_asterisk_call_is_left_alone_without_an_ami_session(client: Client) -> None:
    (call_id,) = await put_queued(client, 1, "asterisk", "17001.")
    assert await client.app[ACD].reconcile() == []
    assert call_id in await state_of(client).routed_calls()


async def test_a_ready_agent_whose_desk_is_gone_is_not_ready_desk_gone(
    client: Client, clock: ManualClock
) -> None:
    agent_id, _, ws = await ready_agent(client)
    await ws.close()
    deadline = asyncio.get_running_loop().time() + 5
    while not (await state_of(client).desks()).get(agent_id, 0) < 0:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)
    clock.advance(timedelta(seconds=61))
    await client.app[ACD].reconcile()
    presence = await client.app[ACD].presence(agent_id)
    assert (presence.state, presence.reason) == (AgentState.NOT_READY, "desk-gone")


async def test_a_vanished_fastagi_session_ends_the_record_as_the_system(
    client: Client, zhang: int
) -> None:
    """The FastAGI server died mid-queue: the dialplan hung the channel up after `AGI()`, so
    the channel is gone from the AMI tracker while the call still waits in its queue."""
    caller = await walk_to_billing(client)
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert record is not None
    state = state_of(client)
    routed, _ = await state.call_data(record.id)
    assert routed is not None
    line = replace(routed.line, provider="asterisk", provider_call="1733.42")
    await state.put_call_data(record.id, routed.but(line=line))
    ami = type("Ami", (), {"connected": True, "tracker": ChannelTracker()})()
    client.app[ASTERISK_BRIDGE].ami = cast(AsteriskAmi, ami)
    assert len(await client.app[ACD].reconcile()) == 1
    ended = await client.app[CALLS].get(record.id)
    assert (ended.state, ended.end_reason) == ("abandoned", "system")


async def test_with_the_records_unreadable_the_switch_still_ends_stranded_calls(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(self: SqlCallEnds, call_ids: Sequence[str]) -> set[str]:
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(SqlCallEnds, "ended_among", down)
    (gone,) = await put_queued(client, 1, "asterisk", "17002.")
    ami = type("Ami", (), {"connected": True, "tracker": ChannelTracker()})()
    client.app[ASTERISK_BRIDGE].ami = cast(AsteriskAmi, ami)
    assert await client.app[ACD].reconcile() == [
        f"call {gone} queued but its call has ended: abandoned"
    ]
