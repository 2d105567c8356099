"""The FastAGI server in the real app running the 95598 flow, driven by the AGI sessions
recorded from Asterisk 22: the caller pressing 1 then 2#, and the caller hanging up during
input. Prompts are spoken by espeak-ng into the prompts directory."""

from __future__ import annotations

import asyncio
import json
import shutil
import wave
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import insert

from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import agent_queues, agent_skills, agents
from callcenter.telephony.asterisk.fastagi import FastAgiServer, FastAgiSettings
from callcenter.web.keys import ACD, AUTH, CALLS, ENGINE, FASTAGI
from tests.agi_helpers import FakeChannel, agent_answers, recorded_session
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import PASSWORD, call, sign_in

Client = TestClient[web.Request, web.Application]
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts_dir),
    )
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


async def caller_is_customer(client: Client) -> None:
    # The recorded channel's caller ID is 4155550100 (a landline number once normalised).
    await add_customer(
        client.app[ENGINE],
        "张三",
        [
            AccountSpec(
                "0100000001",
                phones=["+864155550100"],
                bills=[BillSpec("2026-01", "120.00", date(2026, 2, 20))],
            )
        ],
    )


async def record(client: Client, uniqueid: str) -> list[Any]:
    call = await client.app[CALLS].find_by_provider(ProviderRef("asterisk", uniqueid))
    assert call is not None
    return (await client.app[CALLS].detail(call.id)).events


async def test_recorded_session_walks_the_95598_flow(client: Client) -> None:
    # The recorded caller keys 1, then 2#. In the 95598 flow the first key meets the
    # language menu (9 for English): not a choice, and that menu gives up after one try and
    # goes on; the caller is identified by number, so the main menu hears 2: bills.
    await caller_is_customer(client)
    channel = FakeChannel("agi-session-ivr")
    await channel.call(client.app[FASTAGI].port)
    assert channel.commands[0].startswith("SET VARIABLE CC_CALL_ID ")  # the record's id
    verbs = [" ".join(c.split(" ")[:2]) for c in channel.commands[1:]]
    assert verbs[:3] == ["STREAM FILE", "GET DATA", "GET DATA"]  # greeting, language, menu
    greeting = channel.commands[1].split(" ")[2]
    with wave.open(greeting + ".wav") as sound:
        assert (sound.getframerate(), sound.getnchannels(), sound.getsampwidth()) == (8000, 1, 2)
        assert sound.getnframes() > 8000  # a sentence, not silence
    assert channel.commands[2].endswith(" 2000 1")  # the language menu: 2 s, one key
    events = await record(client, "1795334646.1")
    keyed = [(e.data["node"], e.data.get("digits")) for e in events if e.type == "digits_received"]
    assert keyed[:2] == [("language", None), ("main_menu", "2")]
    nodes = [e.data["node"] for e in events if e.type == "ivr_step"]
    assert nodes[:4] == ["greeting", "language", "identify", "check_outage"]
    assert "billing_menu" in nodes or "bill" in " ".join(nodes)
    assert events[-1].type == "hung_up" and events[-1].data["reason"] == "caller"


async def test_recorded_hangup_during_input_ends_the_session(client: Client) -> None:
    channel = FakeChannel("agi-session-hangup")
    await channel.call(client.app[FASTAGI].port)
    events = await record(client, "1795334744.29")
    assert events[-1].type == "hung_up" and events[-1].data["reason"] == "caller"
    assert not [e for e in events if e.type == "digits_received" and e.data.get("digits")]
    assert client.app[FASTAGI].active == 0


def test_the_recorded_sessions_pair_every_command_with_its_answer() -> None:
    env, pairs = recorded_session("agi-session-hangup")
    assert env.startswith(b"agi_network: yes\n") and env.endswith(b"\n\n")
    assert pairs[5] == ("GET DATA custom/enter-digit 5000 1", ["200 result=-1"])
    assert pairs[6][1] == [
        "HANGUP",
        "511 Command Not Permitted on a dead channel or intercept routine",
    ]


async def test_garbage_and_silence_are_closed_without_touching_other_sessions(
    client: Client,
) -> None:
    server = client.app[FASTAGI]
    await caller_is_customer(client)
    garbage_reader, garbage = await asyncio.open_connection("127.0.0.1", server.port)
    garbage.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert await asyncio.wait_for(garbage_reader.read(), 5) == b""  # closed on us
    garbage.close()
    channel = FakeChannel("agi-session-ivr")
    await channel.call(server.port)
    assert len(channel.commands) > 3
    assert server.active == 0


async def test_a_silent_connection_is_timed_out() -> None:
    server = FastAgiServer(None, None, None, None, FastAgiSettings(env_timeout_seconds=0.2))  # type: ignore[arg-type]
    port = await server.start("127.0.0.1", 0)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"agi_network: yes\n")  # then nothing
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        assert server.active == 0
    finally:
        await server.close()


async def add_sip_agent(client: Client, name: str, endpoint: str) -> int:
    user = await client.app[AUTH].add_user(name, Role.AGENT, PASSWORD, f"坐席 {name}")
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            insert(agents).values(
                user_id=user.id, device_kind="sip", device_address=endpoint, languages="zh-CN"
            )
        )
        await conn.execute(insert(agent_skills), [{"agent_id": user.id, "skill": "billing"}])
        await conn.execute(
            insert(agent_queues),
            [{"agent_id": user.id, "queue": q, "level": 1} for q in ("billing", "general")],
        )
    await client.app[ACD].refresh_agents()
    return user.id


async def test_a_caller_waits_on_asterisk_and_reaches_the_agent(client: Client) -> None:
    # The caller asks for an agent (0 at the main menu), waits with music on hold, routing
    # offers the call to the ready agent, the session dials the agent's PJSIP endpoint, the
    # agent answers (Dial's U() subroutine reports it), talks, hangs up: wrap-up.
    await caller_is_customer(client)
    agent_id = await add_sip_agent(client, "agent07", "1001")
    auth = await sign_in(client, "agent07")
    await call(client, "POST", "/api/agents/me/login", auth)
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    assert (await call(client, "PUT", "/api/agents/me/state", auth, state="ready"))[0] == 200
    port = client.app[FASTAGI].port
    states: list[str] = []

    async def phone_rings(dial: str) -> None:
        states.append((await client.app[ACD].presence(agent_id)).state)
        await agent_answers(port, dial)
        states.append((await client.app[ACD].presence(agent_id)).state)

    channel = FakeChannel("agi-session-ivr", keys=["", "0"], on_dial=phone_rings)
    await asyncio.wait_for(channel.call(port), 30)
    dials = [c for c in channel.commands if c.startswith("EXEC Dial")]
    assert len(dials) == 1 and dials[0].startswith(
        "EXEC Dial PJSIP/1001,20,tU(callcenter-answered^"
    )
    assert dials[0].endswith(f"^{agent_id})")
    assert "SET MUSIC on default" in channel.commands
    assert states == ["reserved", "on_call"]
    assert (await client.app[ACD].presence(agent_id)).state == "wrap_up"
    events = await record(client, "1795334646.1")
    types = [e.type for e in events]
    assert types.index("queued") < types.index("offered") < types.index("agent_connected")
    assert types[-1] == "hung_up"
    await ws.close()


async def general_queue(client: Client) -> Any:
    """Today's figures of the general queue (the real Redis keeps them across tests)."""
    stats = await client.app[ACD].realtime()
    return next(q for q in stats["queues"] if q.queue == "general")


async def wait_in_queue(client: Client, keys: list[str]) -> list[bytes]:
    """A caller who answers each GET DATA with the next of `keys` ("" = silence) and, once
    on music on hold with nobody ready, hangs up. The commands received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.app[FASTAGI].port)
    env, _ = recorded_session("agi-session-ivr")
    writer.write(env)
    answers = iter(keys)
    received = []
    while line := await asyncio.wait_for(reader.readline(), 10):
        received.append(line)
        if line.startswith(b"GET DATA"):
            key = next(answers)
            writer.write(f"200 result={key}\n".encode() if key else b"200 result= (timeout)\n")
        elif line.startswith(b"SET MUSIC on"):
            writer.write(b"200 result=0\n")
            await asyncio.sleep(0.3)  # in the queue, nobody ready
            writer.write(b"HANGUP\n")
        elif line.startswith(b"STREAM FILE"):
            writer.write(b"200 result=0 endpos=100\n")
        else:
            writer.write(b"200 result=1\n")
    writer.close()
    return received


async def test_a_caller_who_hangs_up_while_waiting_abandons(client: Client) -> None:
    # Nobody serves the queue, so the wait is unknown and the callback is offered: silence.
    await caller_is_customer(client)
    before = await general_queue(client)
    await wait_in_queue(client, ["", "0", ""])
    events = await record(client, "1795334646.1")
    assert events[-1].type == "hung_up" and events[-1].data["reason"] == "caller"
    assert (await client.app[CALLS].get(events[0].call_id)).state == "abandoned"
    after = await general_queue(client)
    assert (after.abandoned - before.abandoned, after.waiting - before.waiting) == (1, 0)


async def test_a_long_wait_offers_a_callback_that_keeps_the_place(client: Client) -> None:
    await caller_is_customer(client)
    before = await general_queue(client)
    received = await wait_in_queue(client, ["", "0", "1"])
    assert not [line for line in received if line.startswith(b"SET MUSIC")]  # no waiting
    events = await record(client, "1795334646.1")
    assert (events[-1].type, events[-1].data["reason"]) == ("hung_up", "callback-requested")
    call_id = events[0].call_id
    assert await client.app[ACD].waiting_info(call_id) is not None  # still in line
    after = await general_queue(client)
    assert (after.abandoned - before.abandoned, after.waiting - before.waiting) == (0, 1)
