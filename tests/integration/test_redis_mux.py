"""Issue 17: the multiplexed Redis connection (`callcenter.state.redis_mux`, `mux_client`)
answers as redis-py's pool does, on a real server: replies and their callbacks, scripts,
pipelines and transactions, errors, concurrency, cancellation, a lost or silent server,
AUTH and SELECT."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from callcenter.devtools.servers import free_port
from callcenter.state.mux_client import MuxRedis, MuxScript
from callcenter.state.redis import connect


@contextlib.contextmanager
def own_redis(port: int, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of the test's own on `port` (so that it can be stopped)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="cc-mux-") as data:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        proc = subprocess.Popen([*argv, "--appendonly", "no", "--dir", data, *extra])
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield proc
        finally:
            proc.terminate()
            proc.wait(10)


@pytest_asyncio.fixture
async def both(redis_server_url: str) -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:
    """(the mux client, redis-py's pool client) on database 9 of the test server."""
    url = redis_server_url.rsplit("/", 1)[0] + "/9"
    mux = connect(url)
    pool = aioredis.Redis.from_url(url)
    assert isinstance(mux, MuxRedis) and mux._mux is not None
    await pool.flushdb()
    yield mux, pool
    await pool.flushdb()
    await mux.aclose()
    await pool.aclose()


async def test_replies_match_the_pool_client(both: tuple[aioredis.Redis, aioredis.Redis]) -> None:
    mux, pool = both
    for client in (mux, pool):
        await client.hset("h", mapping={"a": "1", "b": "2"})
        await client.zadd("z", {"x": 1.5, "y": 2})
        await client.set("s", "v", ex=60)
    assert await mux.hgetall("h") == await pool.hgetall("h") == {b"a": b"1", b"b": b"2"}
    assert await mux.zrange("z", 0, -1, withscores=True) == await pool.zrange(
        "z", 0, -1, withscores=True
    )
    assert await mux.set("s", "w", nx=True) is None
    assert await mux.get("s") == b"v"
    assert await mux.exists("s", "nope") == 1
    assert 0 < await mux.ttl("s") <= 60
    assert await mux.ping() is True
    with pytest.raises(ResponseError):
        await mux.incr("h")  # WRONGTYPE


@contextlib.asynccontextmanager
async def private() -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:
    """(the mux client, redis-py's pool client) on a server of the test's own: SCRIPT FLUSH
    empties a whole server's script cache, under other test workers' feet on a shared one."""
    port = free_port()
    with own_redis(port):
        mux, pool = connect(f"redis://127.0.0.1:{port}/0"), aioredis.Redis(port=port)
        try:
            yield mux, pool
        finally:
            await mux.aclose()
            await pool.aclose()


async def test_scripts_reload_after_a_flush() -> None:
    async with private() as (mux, pool):
        script = mux.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        assert isinstance(script, MuxScript)  # its own client's calls skip redis-py's checks
        assert await script(keys=["n"], args=[2]) == 2
        await pool.script_flush()
        assert await script(keys=["n"], args=[3]) == 5  # NOSCRIPT, loaded, run again
        pipe = mux.pipeline()
        await script(keys=["n"], args=[1], client=pipe)
        pipe.get("n")
        assert await pipe.execute() == [6, b"6"]


async def test_a_transaction_with_a_script_loads_it_again_after_a_flush() -> None:
    """The connection remembers the scripts it loaded, to load each once. After SCRIPT FLUSH
    the transaction that finds its script gone fails (its other commands ran: Redis has no
    rollback, and an EVALSHA in a transaction cannot be retried), and the next one loads the
    script again instead of failing for as long as the connection lives."""
    async with private() as (mux, pool):
        script = mux.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")

        async def transaction(by: int) -> list[object]:
            pipe = mux.pipeline()
            await script(keys=["n"], args=[by], client=pipe)
            pipe.get("n")
            return list(await pipe.execute())

        assert await transaction(1) == [1, b"1"]
        await pool.script_flush()
        with pytest.raises(NoScriptError):
            await transaction(10)
        assert await transaction(100) == [101, b"101"]
        assert await transaction(1000) == [1101, b"1101"]


async def test_pipelines_and_transactions(both: tuple[aioredis.Redis, aioredis.Redis]) -> None:
    mux, _ = both
    for transaction in (True, False):
        pipe = mux.pipeline(transaction=transaction)
        pipe.set("k", "1")
        pipe.incr("k")
        pipe.hset("p", "f", "v")
        pipe.hgetall("p")
        assert await pipe.execute() == [True, 2, 1 if transaction else 0, {b"f": b"v"}]
    pipe = mux.pipeline(transaction=False)
    pipe.set("t", "x")
    pipe.incr("t")
    pipe.get("t")
    results = await pipe.execute(raise_on_error=False)
    assert results[0] is True and isinstance(results[1], ResponseError) and results[2] == b"x"
    pipe = mux.pipeline()
    pipe.set("t", "y")
    pipe.incr("t")
    with pytest.raises(ResponseError):
        await pipe.execute()
    assert await mux.get("t") == b"y"  # a transaction's other commands ran (Redis has no rollback)
    pipe = mux.pipeline()
    pipe.set("u", "1")
    pipe.execute_command("NOSUCHCOMMAND")
    with pytest.raises(ResponseError):
        await pipe.execute()  # EXECABORT: nothing ran
    assert await mux.get("u") is None


async def test_many_tasks_share_one_connection(
    both: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    mux, pool = both
    before = len(await pool.client_list())
    counts = await asyncio.gather(*(mux.incr("c") for _ in range(500)))
    assert sorted(counts) == list(range(1, 501))
    assert len(await pool.client_list()) <= before + 1


async def test_a_cancelled_command_leaves_the_next_replies_in_order(
    both: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    mux, _ = both
    await mux.set("a", "A")
    await mux.set("b", "B")
    for _ in range(20):
        task = asyncio.ensure_future(mux.get("a"))
        await asyncio.sleep(0)
        task.cancel()
        assert await mux.get("b") == b"B"


async def test_blocking_reads_stay_on_the_pool(both: tuple[aioredis.Redis, aioredis.Redis]) -> None:
    mux, _ = both
    waiting = asyncio.ensure_future(mux.blpop(["queue"], timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    assert await mux.rpush("queue", "job") == 1  # not stuck behind the BLPOP
    assert time.monotonic() - started < 1
    popped = await waiting
    assert popped is not None and tuple(popped) == (b"queue", b"job")


async def test_a_lost_server_fails_commands_then_they_work_again() -> None:
    port = free_port()
    client = connect(f"redis://127.0.0.1:{port}/0")
    try:
        with own_redis(port):
            assert await client.set("k", "1") is True
        with pytest.raises(RedisConnectionError):
            await client.get("k")
        with own_redis(port):
            assert await client.get("k") is None  # a new server, reached again
            pipe = client.pipeline()
            pipe.set("k", "2")
            pipe.get("k")
            assert await pipe.execute() == [True, b"2"]
    finally:
        await client.aclose()


async def test_a_silent_server_times_out_and_the_next_command_reconnects() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    client = MuxRedis(host="127.0.0.1", port=port, protocol=2, socket_timeout=0.3).use_mux()
    try:
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await client.get("k")
        assert time.monotonic() - started < 2
    finally:
        silent.close()
        await client.aclose()


async def test_auth_and_database_are_set_on_the_connection() -> None:
    port = free_port()
    with own_redis(port, "--requirepass", "s3cret"):
        client = connect(f"redis://127.0.0.1:{port}/3", password="s3cret")
        wrong = connect(f"redis://127.0.0.1:{port}/0", password="wrong")
        try:
            await client.set("k", "in 3")
            plain = aioredis.Redis(port=port, password="s3cret", db=3)
            assert await plain.get("k") == b"in 3"
            await plain.aclose()
            with pytest.raises(RedisConnectionError) as refused:
                await wrong.get("k")
            assert "WRONGPASS" in str(refused.value) or "invalid" in str(refused.value).lower()
        finally:
            await client.aclose()
            await wrong.aclose()
