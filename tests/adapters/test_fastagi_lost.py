"""A FastAGI session lost without a hang-up (a reset, a closed socket, a stalled Asterisk)
ends the call with reason `network`, takes it out of the queue, and says so in the log."""

from __future__ import annotations

import asyncio
import logging
import shutil

import pytest

from callcenter.web.keys import ACD, CALLS, FASTAGI
from tests.adapters.test_fastagi import Client, caller_is_customer, client, record
from tests.agi_helpers import recorded_session

__all__ = ["client"]
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


async def lose_the_session(client: Client, keys: list[str], at: bytes, reset: bool) -> None:
    """A caller who answers each GET DATA with the next of `keys`, then the connection is
    reset (or closed) when the server sends a command starting with `at`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.app[FASTAGI].port)
    env, _ = recorded_session("agi-session-ivr")
    writer.write(env)
    answers = iter(keys)
    while line := await asyncio.wait_for(reader.readline(), 10):
        if line.startswith(at):
            break
        if line.startswith(b"GET DATA"):
            key = next(answers)
            writer.write(f"200 result={key}\n".encode() if key else b"200 result= (timeout)\n")
        elif line.startswith(b"STREAM FILE"):
            writer.write(b"200 result=0 endpos=100\n")
        else:
            writer.write(b"200 result=1\n")
    if reset:
        writer.transport.abort()
    else:
        writer.close()


async def ended(client: Client) -> str:
    """The call's end reason, once the server has written it."""
    for _ in range(200):
        events = await record(client, "1795334646.1")
        if events[-1].type == "hung_up":
            return str(events[-1].data["reason"])
        await asyncio.sleep(0.02)
    raise AssertionError("the call was never ended")


@pytest.mark.parametrize("reset", [True, False])
async def test_a_session_lost_while_waiting_ends_the_call_and_leaves_the_queue(
    client: Client, reset: bool, caplog: pytest.LogCaptureFixture
) -> None:
    await caller_is_customer(client)
    caplog.set_level(logging.WARNING)
    await lose_the_session(client, ["", "0", ""], b"SET MUSIC on", reset)
    assert await ended(client) == "network"
    call_id = (await record(client, "1795334646.1"))[0].call_id
    assert (await client.app[CALLS].get(call_id)).state == "abandoned"
    assert await client.app[ACD].waiting_info(call_id) is None
    assert any("lost" in r.getMessage() and call_id in r.getMessage() for r in caplog.records)


async def test_a_session_lost_in_the_menu_ends_the_call(client: Client) -> None:
    await caller_is_customer(client)
    await lose_the_session(client, [""], b"GET DATA", reset=True)
    assert await ended(client) == "network"
