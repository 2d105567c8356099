"""A FastAGI session whose store fails: the caller hears the apology (both languages) and
the session ends with CC_FALLBACK=1 (and CC_FALLBACK_NUMBER when `[asterisk]
fallback_number` is set), for the dialplan after AGI(...) to take the caller on."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.exceptions
from aiohttp import web
from sqlalchemy.exc import OperationalError

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.core.errors import UnavailableError
from callcenter.web.keys import CALLS, ENDING, FASTAGI, IVR
from tests.adapters.test_fastagi import Client
from tests.agi_helpers import FakeChannel
from tests.conftest import NOW, app_settings
from tests.integration.test_store_down_twilio import failing

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
ClientMaker = Callable[[web.Application], Awaitable[Client]]
DUTY = "PJSIP/duty"
FLAG = "SET VARIABLE CC_FALLBACK 1"


async def fastagi_client(
    aiohttp_client: ClientMaker,
    stores: tuple[str, str],
    prompts_dir: Path,
    number: str = "",
    **env: str,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts_dir),
        CALLCENTER_ASTERISK__FALLBACK_NUMBER=number,
        **env,
    )
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


@pytest.fixture
async def client(aiohttp_client: ClientMaker, stores: tuple[str, str], prompts_dir: Path) -> Client:
    return await fastagi_client(aiohttp_client, stores, prompts_dir)


async def session(client: Client, keys: list[str] | None = None) -> list[str]:
    channel = FakeChannel("agi-session-ivr", keys=keys)
    await channel.call(client.app[FASTAGI].port)
    return channel.commands


@pytest.mark.parametrize(
    "err",
    [
        UnavailableError("the database cannot be reached"),
        OperationalError("SELECT 1", {}, Exception("connection refused")),
        redis.exceptions.ConnectionError("Connection refused"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_store_failing_at_the_start_apologises_and_sets_the_fallback(
    aiohttp_client: ClientMaker,
    stores: tuple[str, str],
    prompts_dir: Path,
    err: Exception,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = await fastagi_client(aiohttp_client, stores, prompts_dir, DUTY)
    monkeypatch.setattr(client.app[CALLS], "find_by_provider", failing(err))
    commands = await session(client)
    assert commands[:2] == [FLAG, f"SET VARIABLE CC_FALLBACK_NUMBER {DUTY}"]
    assert [c.split(" ")[:2] for c in commands[2:]] == [["STREAM", "FILE"]] * 2  # zh, en
    assert "HANGUP" not in commands  # the dialplan goes on after AGI()


async def test_a_store_failing_mid_flow_falls_back_without_a_number(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[IVR], "handle", failing(RuntimeError("redis gone")))
    commands = await session(client, keys=["1"])
    assert commands[0].startswith("SET VARIABLE CC_CALL_ID ")
    assert any(c.startswith("GET DATA") for c in commands)
    fallback = commands[commands.index(FLAG) :]
    assert [c.split(" ")[:2] for c in fallback[1:]] == [["STREAM", "FILE"]] * 2
    assert not any("CC_FALLBACK_NUMBER" in c for c in commands)


async def test_a_caller_already_gone_only_gets_the_flag(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[ENDING], "ended", failing(UnavailableError("down")))
    commands = await session(client, keys=[])  # hangs up at the first input
    assert commands[-1] == FLAG


@pytest.mark.parametrize(
    "err", [ConnectionRefusedError(111, "Connect call failed"), TimeoutError()], ids=repr
)
async def test_a_store_refusing_connections_mid_flow_falls_back_not_a_lost_session(
    client: Client, monkeypatch: pytest.MonkeyPatch, err: Exception
) -> None:
    """asyncpg's refused connection is a `ConnectionError`, like a FastAGI connection lost:
    while Asterisk's connection is up it is a store failing, and the caller is taken on."""
    monkeypatch.setattr(client.app[IVR], "handle", failing(err))
    commands = await session(client, keys=["1"])
    assert any(c.startswith("GET DATA") for c in commands)
    assert FLAG in commands and "HANGUP" not in commands
