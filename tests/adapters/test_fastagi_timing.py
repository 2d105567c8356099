"""Call timing on Asterisk: the offer rings from the Dial, the talk time ends when the agent's
leg ends (not after the survey), and a queue's maximum wait ends a call politely."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS, FASTAGI
from tests.adapters.test_fastagi import Client, add_sip_agent, caller_is_customer, record
from tests.agi_helpers import FakeChannel, agent_answers, recorded_session
from tests.conftest import NOW, app_settings
from tests.integration.test_agent_desk import call, next_message, sign_in

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
UNIQUEID = "1795334646.1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def asterisk_app(stores: tuple[str, str], prompts: Path, clock: ManualClock, **env: str) -> Any:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts),
        CALLCENTER_ROUTING__TICK_MS="20",
        CALLCENTER_REDIS__KEY_PREFIX=f"cctiming:{id(clock)}:",
        **env,
    )
    return create_app(settings, clock=clock)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
    clock: ManualClock,
) -> Client:
    return await aiohttp_client(asterisk_app(stores, prompts_dir, clock))


async def test_the_offer_rings_from_the_dial_and_talk_ends_when_the_agent_leaves(
    client: Client,
) -> None:
    await caller_is_customer(client)
    agent_id = await add_sip_agent(client, "agent08", "1002")
    auth = await sign_in(client, "agent08")
    await call(client, "POST", "/api/agents/me/login", auth)
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    assert (await call(client, "PUT", "/api/agents/me/state", auth, state="ready"))[0] == 200
    port = client.app[FASTAGI].port
    rang: list[dict[str, Any]] = []

    async def phone_rings(dial: str) -> None:
        rang.append(await next_message(ws, "offer_ringing"))  # before the device answers
        await agent_answers(port, dial)

    channel = FakeChannel("agi-session-ivr", keys=["", "0", "5"], on_dial=phone_rings)
    await asyncio.wait_for(channel.call(port), 30)
    assert len(rang) == 1
    events = await record(client, UNIQUEID)
    types = [e.type for e in events]
    left = types.index("agent_left")
    assert types.index("agent_connected") < left < types.index("survey_answered")
    assert events[left].data["by"] == "agent"
    stored = await client.app[CALLS].get(events[0].call_id)
    assert stored.survey_score == 5 and stored.end_reason == "agent"
    assert (await client.app[ACD].presence(agent_id)).state == "wrap_up"
    await ws.close()


async def test_a_queues_maximum_wait_ends_the_call_politely(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
    clock: ManualClock,
) -> None:
    general = {"name": "general", "max_wait_seconds": 60, "max_wait_action": "end"}
    queues = json.dumps([general])
    client = await aiohttp_client(
        asterisk_app(stores, prompts_dir, clock, CALLCENTER_ROUTING__QUEUES=queues)
    )
    await caller_is_customer(client)
    reader, writer = await asyncio.open_connection("127.0.0.1", client.app[FASTAGI].port)
    env, _ = recorded_session("agi-session-ivr")
    writer.write(env)
    keys = iter(["", "0", ""])  # language, main menu: an agent; no to the callback offer
    received: list[str] = []
    while line := await asyncio.wait_for(reader.readline(), 20):
        command = line.decode().rstrip("\n")
        received.append(command)
        if command.startswith("GET DATA"):
            key = next(keys)
            writer.write(f"200 result={key}\n".encode() if key else b"200 result= (timeout)\n")
        elif command.startswith("SET MUSIC on"):
            clock.advance(timedelta(seconds=61))  # nobody answers for more than the maximum
            writer.write(b"200 result=0\n")
        elif command.startswith("STREAM FILE"):
            writer.write(b"200 result=0 endpos=100\n")
        else:
            writer.write(b"200 result=1\n")
        if command == "HANGUP":
            break
    assert await asyncio.wait_for(reader.read(), 20) == b""  # the session is over and recorded
    writer.close()
    assert "HANGUP" in received and not [c for c in received if c.startswith("EXEC Dial")]
    events = await record(client, UNIQUEID)
    stored = await client.app[CALLS].get(events[0].call_id)
    assert (stored.state, stored.end_reason) == ("ended", "max-wait")
    assert await client.app[ACD].waiting_info(stored.id) is None
