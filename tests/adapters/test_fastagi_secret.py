"""Issue 18: the FastAGI server in the real app takes a session only from an allowed address
and, with `fastagi_secret` set, only with the secret in the AGI URL's path. A refused one is
closed with nothing sent (the dialplan goes on to its fallback), logged without the secret,
and counted; it creates no call."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from callcenter.calls.models import ProviderRef
from callcenter.web.keys import CALLS, FASTAGI, METRICS
from tests.adapters.test_fastagi import Client
from tests.adapters.test_fastagi_fallback import ClientMaker, fastagi_client
from tests.agi_helpers import FakeChannel

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
SECRET = "0123456789abcdef0123456789abcdef"
WRONG = "fedcba9876543210fedcba9876543210"
UNIQUEID = "1795334646.1"  # the recorded session's channel


async def gated_client(
    aiohttp_client: ClientMaker, stores: tuple[str, str], prompts_dir: Path, allow: str
) -> Client:
    return await fastagi_client(
        aiohttp_client,
        stores,
        prompts_dir,
        CALLCENTER_ASTERISK__FASTAGI_SECRET=SECRET,
        CALLCENTER_ASTERISK__FASTAGI_ALLOW=allow,
    )


@pytest.fixture
async def client(aiohttp_client: ClientMaker, stores: tuple[str, str], prompts_dir: Path) -> Client:
    return await gated_client(aiohttp_client, stores, prompts_dir, '["127.0.0.1", "::1"]')


def refused(client: Client, reason: str) -> float:
    """How many sessions the app's metrics count as refused for `reason`."""
    value = client.app[METRICS].get_sample_value(
        "callcenter_fastagi_refused_total", {"reason": reason}
    )
    return value or 0.0


async def no_call(client: Client) -> bool:
    return await client.app[CALLS].find_by_provider(ProviderRef("asterisk", UNIQUEID)) is None


async def test_a_session_with_the_secret_runs_the_ivr(client: Client) -> None:
    channel = FakeChannel("agi-session-ivr", secret=SECRET)
    await channel.call(client.app[FASTAGI].port)
    assert channel.commands[0].startswith("SET VARIABLE CC_CALL_ID ")
    assert [c.split(" ")[0] for c in channel.commands[1:3]] == ["STREAM", "GET"]
    assert not await no_call(client)
    assert client.app[FASTAGI].active == 0


@pytest.mark.parametrize(
    ("secret", "reason"),
    [("", "no-secret"), (WRONG, "wrong-secret")],
)
async def test_a_session_without_the_secret_is_closed_unanswered(
    client: Client, caplog: pytest.LogCaptureFixture, secret: str, reason: str
) -> None:
    channel = FakeChannel("agi-session-ivr", secret=secret)
    with caplog.at_level(logging.WARNING, "callcenter.telephony.asterisk.fastagi"):
        await channel.call(client.app[FASTAGI].port)
    assert channel.commands == []  # not even a HANGUP: the dialplan's fallback takes the call
    assert await no_call(client)
    assert refused(client, reason) == 1
    assert f"FastAGI 127.0.0.1: session refused ({reason})" in caplog.text
    assert SECRET not in caplog.text and WRONG not in caplog.text
    assert client.app[FASTAGI].active == 0


async def test_a_peer_outside_the_allow_list_is_closed_at_once(
    aiohttp_client: ClientMaker,
    stores: tuple[str, str],
    prompts_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await gated_client(aiohttp_client, stores, prompts_dir, '["10.0.0.0/8"]')
    port = client.app[FASTAGI].port
    with caplog.at_level(logging.WARNING, "callcenter.telephony.asterisk.fastagi"):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # closed before anything is read: the secret in the environment would not help
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
    assert await no_call(client)
    assert refused(client, "address-not-allowed") == 1
    assert "FastAGI 127.0.0.1: session refused (address-not-allowed)" in caplog.text
    assert client.app[FASTAGI].active == 0
