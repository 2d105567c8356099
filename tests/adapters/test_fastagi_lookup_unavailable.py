"""Asterisk renders the same 95598 flow when the caller's look-up answers `unavailable` (the
database cannot answer it, or a PRIVATE PostgreSQL is stopped): the caller hears that the
account cannot be looked up now, then reaches the main menu or the general queue (issue 17)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.telephony.asterisk.tts import cache_name
from callcenter.web.keys import FASTAGI, PROFILES
from ivr_flows.prompts import render
from tests.adapters.test_fastagi import Client, record, wait_in_queue
from tests.adapters.test_fastagi_fallback import FLAG, ClientMaker, fastagi_client
from tests.agi_helpers import FakeChannel
from tests.conftest import NOW, app_settings
from tests.fallback_servers import PrivatePostgres, running
from tests.integration.test_store_down_twilio import failing
from tests.ivr_helpers import FLOWS

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
REFUSED = OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))
UNIQUEID = "1795334646.1"  # the recorded channel's


def spoken(prompt: str) -> str:
    """The sound file name of a 95598 prompt in Chinese."""
    return cache_name(render(FLOWS["95598"], prompt, "zh-CN", {}), "zh-CN")


@pytest.fixture
async def client(
    aiohttp_client: ClientMaker,
    stores: tuple[str, str],
    prompts_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Client:
    client = await fastagi_client(aiohttp_client, stores, prompts_dir)
    monkeypatch.setattr(client.app[PROFILES], "by_phone", failing(REFUSED))
    return client


async def test_the_caller_hears_it_then_one_is_the_main_menu(client: Client) -> None:
    channel = FakeChannel("agi-session-ivr", keys=["", "1"])  # no language key, then 1
    await channel.call(client.app[FASTAGI].port)
    asked = [c for c in channel.commands if c.startswith("GET DATA")]
    assert spoken("lookup_unavailable") in asked[1] and spoken("main_menu") in asked[2]
    events = await record(client, UNIQUEID)
    looked = [e.data["status"] for e in events if e.type == "lookup_made"]
    assert looked == ["unavailable"]


async def test_zero_puts_the_caller_in_the_general_queue(client: Client) -> None:
    received = await wait_in_queue(client, ["", "0", ""])  # "": no callback in line
    assert any(spoken("lookup_unavailable").encode() in line for line in received)
    events = await record(client, UNIQUEID)
    assert [e.data["queue"] for e in events if e.type == "queued"] == ["general"]


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    with running(PrivatePostgres) as server:
        yield server


async def test_with_postgres_stopped_before_the_session_the_ivr_goes_on(
    aiohttp_client: ClientMaker, postgres: PrivatePostgres, prompts_dir: Path, tmp_path: Path
) -> None:
    settings = app_settings(  # the outage's call journal kept apart from other tests' apps
        (postgres.url, "memory://"),
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts_dir),
        CALLCENTER_STORAGE__JOURNAL_DIR=str(tmp_path),
    )
    client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    postgres.stop()
    channel = FakeChannel("agi-session-ivr", keys=["", "1"])
    await channel.call(client.app[FASTAGI].port)
    asked = [c for c in channel.commands if c.startswith("GET DATA")]
    assert spoken("lookup_unavailable") in asked[1] and spoken("main_menu") in asked[2]
    assert FLAG not in channel.commands
