"""The Redis-compatible state store: the embedded one and a real server behave alike."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from callcenter.core.errors import ConfigError, UnavailableError
from callcenter.devtools.servers import free_port
from callcenter.state import redis as redis_state
from callcenter.state.keys import Keys

CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""


async def test_atomic_script_and_ttl(redis_url: str) -> None:
    client = redis_state.connect(redis_url)
    keys = Keys("cctest:")
    try:
        await redis_state.ping(client, redis_url)
        await client.delete(keys.lease("ami"))
        claim = client.register_script(CLAIM)
        assert await claim(keys=[keys.lease("ami")], args=["node-a", 5000]) == 1
        assert await claim(keys=[keys.lease("ami")], args=["node-b", 5000]) == 0
        assert await client.get(keys.lease("ami")) == b"node-a"
        assert 0 < await client.pttl(keys.lease("ami")) <= 5000
    finally:
        await client.delete(keys.lease("ami"))
        await client.aclose()


def test_memory_stores_are_private_to_their_client() -> None:
    assert redis_state.connect("memory://") is not redis_state.connect("memory://")


async def test_unreachable_redis_is_named_without_password() -> None:
    url = f"redis://:pw@127.0.0.1:{free_port()}/0"
    client = redis_state.connect(url)
    with pytest.raises(UnavailableError) as caught:
        await redis_state.ping(client, url)
    await client.aclose()
    assert "redis unreachable at redis://***@127.0.0.1" in caught.value.message
    assert "pw" not in caught.value.message.split("@")[0].split("//")[1]


def test_unknown_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        redis_state.connect("mysql://x")


def test_keys_share_one_prefix() -> None:
    keys = Keys("cc:")
    assert [keys.health(), keys.ivr_session("c1"), keys.lease("ami")] == [
        "cc:health",
        "cc:ivr:c1",
        "cc:lease:ami",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("PING",),
        ("CONFIG GET", "maxmemory"),
        (b"CLIENT LIST",),
        ("EVALSHA", "ab" * 20, 2, "k:1", b"k:2", 17, -3, 2.5, "电力", b"\x00\xff"),
        ("SET", "k", "x" * 10_000),
        ("SET", "k", memoryview(b"view")),
    ],
)
def test_commands_pack_to_the_same_bytes_as_redis_py(args: tuple[Any, ...]) -> None:
    from redis.asyncio.connection import Connection

    pool = redis_state.connect("redis://127.0.0.1:1").connection_pool
    conn = pool.connection_class(**pool.connection_kwargs)  # no socket until used
    ours = b"".join(bytes(part) for part in conn.pack_command(*args))
    theirs = b"".join(bytes(part) for part in Connection.pack_command(conn, *args))
    assert ours == theirs


def test_packing_refuses_what_redis_py_refuses() -> None:
    from redis.exceptions import DataError

    pool = redis_state.connect("redis://127.0.0.1:1").connection_pool
    conn = pool.connection_class(**pool.connection_kwargs)
    with pytest.raises(DataError):
        conn.pack_command("SET", "k", True)


async def test_lease_has_one_holder_and_passes_on_when_it_lapses(redis_url: str) -> None:
    import asyncio
    import uuid

    from callcenter.state.lease import RedisLease, run_while_leader

    client = redis_state.connect(redis_url)
    key = f"cctest:lease:{uuid.uuid4().hex[:8]}"
    try:
        first, second = RedisLease(client, key, 0.3), RedisLease(client, key, 0.3)
        assert await first.acquire() and not await second.acquire()
        assert await first.renew() and not await second.renew()
        await second.release()  # not its lease: nothing happens
        assert await first.holder_now() == first.holder
        await asyncio.sleep(0.4)  # lapsed without renewal
        assert await second.acquire() and not await first.renew()
        await second.release()
        assert await first.holder_now() is None

        # Two instances racing: one works at a time; when it stops, the other takes over.
        running: list[str] = []

        def worker(name: str) -> Callable[[], Coroutine[Any, Any, None]]:
            async def work() -> None:
                running.append(name)
                await asyncio.Event().wait()

            return work

        a = asyncio.create_task(run_while_leader(first, worker("a")))
        b = asyncio.create_task(run_while_leader(second, worker("b")))
        await asyncio.sleep(0.5)
        assert len(running) == 1
        leader, other = (a, b) if running == ["a"] else (b, a)
        leader.cancel()  # that instance stops (its lease is released on the way out)
        for _ in range(100):
            if len(running) == 2:
                break
            await asyncio.sleep(0.02)
        assert len(running) == 2 and running[0] != running[1]
        other.cancel()
        await asyncio.gather(a, b, return_exceptions=True)
    finally:
        await client.delete(key)
        await client.aclose()
