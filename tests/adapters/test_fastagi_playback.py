"""Prompts on Asterisk (issue 12, item 9): the FastAGI server renders the flows' missing fixed
prompts before it listens, gives Asterisk absolute paths, and a prompt Asterisk cannot play
(`STREAM FILE` → `200 result=-1 endpos=0`) is logged with its file and does not end the
call; a real hang-up (a `HANGUP` line, `511` to `CHANNEL STATUS`) still does."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.telephony.asterisk.tts import EspeakTts, static_prompts
from callcenter.web.keys import CALLS, FASTAGI
from ivr_flows.loader import default_flow_files, load_flows
from tests.agi_helpers import recorded_session
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
UNIQUEID = "1795334646.1"  # the recorded `agi-session-ivr` channel
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"


async def start(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts: Path,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts),
    )
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


@dataclass
class Asterisk:
    """A channel whose prompts cannot be played: STREAM FILE gets `stream` (the result line
    and any `HANGUP` after it), CHANNEL STATUS gets `status`; GET DATA times out twice, then
    the caller hangs up."""

    stream: list[str]
    status: list[str]
    commands: list[str] = field(default_factory=list)

    async def call(self, port: int) -> None:
        env, _ = recorded_session("agi-session-ivr")
        inputs = [["200 result= (timeout)"], ["200 result= (timeout)"]]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(env)
        dead = False
        try:
            while line := await asyncio.wait_for(reader.readline(), 20):
                cmd = line.decode().rstrip("\n")
                self.commands.append(cmd)
                answer = self._answer(cmd, dead, inputs)
                dead = dead or "HANGUP" in answer
                writer.write("".join(f"{a}\n" for a in answer).encode())
                await writer.drain()
        finally:
            writer.close()

    def _answer(self, cmd: str, dead: bool, inputs: list[list[str]]) -> list[str]:
        if dead and not cmd.startswith(("SET VARIABLE", "VERBOSE")):
            return [DEAD]
        if cmd.startswith("STREAM FILE"):
            return self.stream
        if cmd == "CHANNEL STATUS":
            return self.status
        if cmd.startswith("GET DATA"):
            return inputs.pop(0) if inputs else ["200 result=-1", "HANGUP"]
        return ["200 result=1"]


async def events(client: Client) -> list[Any]:
    call = await client.app[CALLS].find_by_provider(ProviderRef("asterisk", UNIQUEID))
    assert call is not None
    return (await client.app[CALLS].detail(call.id)).events


async def test_the_start_renders_the_missing_prompts(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    tmp_path: Path,
) -> None:
    flows = load_flows(default_flow_files(""))
    prompts = static_prompts(flows.values())
    assert len(EspeakTts(tmp_path).missing(prompts)) == len(prompts) > 20
    await start(aiohttp_client, stores, tmp_path)
    assert EspeakTts(tmp_path).missing(prompts) == []


async def test_a_prompt_asterisk_cannot_play_is_logged_and_the_call_goes_on(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await start(aiohttp_client, stores, prompts_dir)
    asterisk = Asterisk(stream=["200 result=-1 endpos=0"], status=["200 result=6"])
    with caplog.at_level(logging.WARNING):
        await asterisk.call(client.app[FASTAGI].port)
    first = asterisk.commands[1]
    assert first.startswith(f"STREAM FILE {prompts_dir}/")  # an absolute path
    assert asterisk.commands[2] == "CHANNEL STATUS"
    assert "GET DATA" in " ".join(asterisk.commands[3:])  # the flow went on to its menu
    played = first.split(" ")[2]
    assert f"could not play {played}.wav" in caplog.text
    steps = [e.data["node"] for e in await events(client) if e.type == "ivr_step"]
    assert steps[:2] == ["greeting", "language"]


@pytest.mark.parametrize(
    ("stream", "status"),
    [
        (["200 result=-1 endpos=1200", "HANGUP"], [DEAD]),  # HANGUP read with the result
        (["200 result=-1 endpos=1200"], ["HANGUP", DEAD]),  # HANGUP only after (as recorded)
        (["200 result=-1 endpos=1200"], ["200 result=-1"]),  # the channel is gone
    ],
)
async def test_a_hang_up_during_a_prompt_still_ends_the_call(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
    caplog: pytest.LogCaptureFixture,
    stream: list[str],
    status: list[str],
) -> None:
    client = await start(aiohttp_client, stores, prompts_dir)
    asterisk = Asterisk(stream=stream, status=status)
    await asterisk.call(client.app[FASTAGI].port)
    assert not [c for c in asterisk.commands if c.startswith("GET DATA")]
    assert "could not play" not in caplog.text
    last = (await events(client))[-1]
    assert (last.type, last.data["reason"]) == ("hung_up", "caller")
