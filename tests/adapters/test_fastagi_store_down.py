"""A PRIVATE PostgreSQL or Redis stopped before a FastAGI session: the caller hears the
apology and the session ends with CC_FALLBACK=1 for the dialplan to take over.
(issue 17, lookup: with only PostgreSQL stopped the IVR goes on with its cannot-look-up path
instead, see test_fastagi_lookup_unavailable.py.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.test_fastagi_fallback import FLAG, ClientMaker, fastagi_client, session
from tests.fallback_servers import PrivatePostgres, PrivateRedis, PrivateServer, running

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@pytest.fixture
def servers() -> Iterator[tuple[PrivatePostgres, PrivateRedis]]:
    with running(PrivatePostgres) as postgres, running(PrivateRedis) as redis:
        yield postgres, redis


@pytest.mark.parametrize("down", ["redis"])  # issue 17 (lookup): postgres in its own test
async def test_a_store_stopped_before_the_session_falls_back(
    aiohttp_client: ClientMaker,
    servers: tuple[PrivatePostgres, PrivateRedis],
    prompts_dir: Path,
    down: str,
) -> None:
    postgres, redis = servers
    client = await fastagi_client(aiohttp_client, (postgres.url, redis.url), prompts_dir)
    stopped: PrivateServer = postgres if down == "postgres" else redis
    stopped.stop()
    commands = await session(client)
    assert FLAG in commands
    after = commands[commands.index(FLAG) + 1 :]
    assert [c.split(" ")[:2] for c in after] == [["STREAM", "FILE"]] * 2
