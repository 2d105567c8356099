"""An instance without the AMI session relays the live call's operations to the one holding
it (Redis pub/sub, with an answer): the refs come back, so do Asterisk's refusals with their
codes; with nobody to answer the operation is `live-control-unavailable`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from agents.live.ports import LiveControlError
from callcenter.state.redis import connect
from callcenter.state.relay import RedisRelay
from callcenter.state.requests import RedisRequests
from callcenter.telephony.asterisk.live import AsteriskLive
from callcenter.telephony.asterisk.service import AsteriskAmi
from tests.adapters.asterisk_live_helpers import Scripted, Transcript, attached, bridged, live_call
from tests.adapters.test_ami_service import until
from tests.adapters.test_asterisk_live import (
    HOLD,
    HOLD_AGENT2,
    HOLD_CALLER,
    HOLD_CALLER_ID,
    MIXMON,
    MIXMON_CALLER_ID,
    dtmf,
    holding,
    with_agent2,
)

CHANNEL = "cc:test:ami-actions"


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = connect("memory://")
    yield client
    await client.aclose()


@contextlib.asynccontextmanager
async def serving(ami: AsteriskAmi, redis: aioredis.Redis) -> AsyncIterator[None]:
    """The session's relay reader, as `AsteriskAmi.run` starts it on the leader."""
    task = asyncio.create_task(ami.serve_relayed(RedisRelay(redis, CHANNEL).messages()))

    async def listening() -> bool:
        return bool((await redis.pubsub_numsub(CHANNEL))[0][1])

    try:
        await until(listening, 5)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_an_instance_without_the_session_relays_and_gets_the_refs(
    redis: aioredis.Redis,
) -> None:
    asterisk = with_agent2(PlayDTMF=holding())
    leader = AsteriskLive(RedisRequests(redis, CHANNEL))
    other = AsteriskLive(RedisRequests(redis, CHANNEL))
    async with attached(asterisk, leader) as (ami, _), serving(ami, redis):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        held = await other.hold(live_call("c1", HOLD_CALLER_ID, caller=HOLD_CALLER))
    assert asterisk.actions("PlayDTMF") == dtmf(HOLD_AGENT2, "*8")
    assert held.held and held.refs["agent"] == HOLD_AGENT2


async def test_a_malformed_request_is_answered_and_the_relay_goes_on(
    redis: aioredis.Redis,
) -> None:
    asterisk = with_agent2(PlayDTMF=holding())
    requests = RedisRequests(redis, CHANNEL)
    async with attached(asterisk, AsteriskLive(requests)) as (ami, _), serving(ami, redis):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        args = {"caller": HOLD_CALLER, "caller_uniqueid": HOLD_CALLER_ID}  # and no "exten"
        no_exten = {"action": "live", "op": "consult", "args": args}
        answer = await requests.ask(no_exten, 5)
        held = await AsteriskLive(requests).hold(live_call("c1", HOLD_CALLER_ID))
    assert answer is not None and answer["error"] == "live-control-failed"
    assert held.held


async def test_a_refusal_comes_back_with_its_code(redis: aioredis.Redis) -> None:
    asterisk = Transcript(MIXMON, setup=[2])
    asterisk.expect("MixMonitor", 11)  # No such channel
    leader = AsteriskLive(RedisRequests(redis, CHANNEL))
    other = AsteriskLive(RedisRequests(redis, CHANNEL))
    async with attached(asterisk, leader) as (ami, _), serving(ami, redis):
        await bridged(ami, MIXMON_CALLER_ID)
        with pytest.raises(LiveControlError) as refused:
            await other.started(live_call("c1", MIXMON_CALLER_ID), True)
    assert refused.value.code == "channel-gone"
    assert "No such channel" in refused.value.message


async def test_with_no_session_anywhere_the_live_call_is_unavailable(
    redis: aioredis.Redis,
) -> None:
    for live in (AsteriskLive(RedisRequests(redis, CHANNEL)), AsteriskLive()):
        with pytest.raises(LiveControlError) as refused:
            await live.hold(live_call("c1", HOLD_CALLER_ID))
        assert refused.value.code == "live-control-unavailable"


async def test_a_session_that_does_not_answer_in_time_fails_the_operation(
    redis: aioredis.Redis,
) -> None:
    silent = redis.pubsub()
    await silent.subscribe(CHANNEL)  # listens, never answers
    live = AsteriskLive(RedisRequests(redis, CHANNEL), reply_seconds=0.05)
    with pytest.raises(LiveControlError) as refused:
        await live.resume(live_call("c1", HOLD_CALLER_ID))
    assert refused.value.code == "live-control-failed"
    await silent.aclose()


async def test_a_lost_session_is_unavailable_not_failed() -> None:
    asterisk = Transcript(HOLD, setup=[2])
    asterisk.expect("PlayDTMF", Scripted("Success", "DTMF successfully queued"))
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID)
        await ami.client.close()  # the connection goes: no session here any more
        with pytest.raises(LiveControlError) as refused:
            await live.hold(live_call("c1", HOLD_CALLER_ID, caller=HOLD_CALLER))
    assert refused.value.code == "live-control-unavailable"
