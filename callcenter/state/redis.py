"""Open the Redis client: a real server, or `memory://` for the in-process compatible store."""

from __future__ import annotations

import logging
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.core.errors import ConfigError, UnavailableError
from callcenter.state.mux_client import MuxRedis
from callcenter.state.redis_mux import pack_args

log = logging.getLogger(__name__)

MEMORY_SCHEME = "memory://"
CLUSTER_SCHEME = "redis+cluster://"
SENTINEL_SCHEME = "redis+sentinel://"
SCHEMES = "memory://, redis://, rediss://, unix://, redis+cluster:// or redis+sentinel://"
TIMEOUT = 5


def connect(url: str, password: str | None = None, key_prefix: str | None = None) -> aioredis.Redis:
    """A client for `url`: `memory://` gives fakeredis with Lua, private to this process;
    `redis+cluster://host:port[,host:port…]` a Redis Cluster (the key prefix must carry a
    hash tag, so that every key a script touches is in one slot);
    `redis+sentinel://host:port[,host:port…]/service[/db]` the master Sentinel names."""
    if url.startswith(MEMORY_SCHEME):
        from fakeredis import FakeAsyncRedis, FakeServer

        return FakeAsyncRedis(server=FakeServer(), decode_responses=False)
    if url.startswith(CLUSTER_SCHEME):
        return _cluster(url, password, key_prefix)
    if url.startswith(SENTINEL_SCHEME):
        return _sentinel(url, password)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"redis.url: expected {SCHEMES}: {masked(url)!r}")
    client = cast(
        MuxRedis, MuxRedis.from_url(url, password=password, socket_connect_timeout=TIMEOUT)
    )
    pool = client.connection_pool
    pool.connection_class = type(
        f"Packed{pool.connection_class.__name__}", (_PackInOnePass, pool.connection_class), {}
    )
    return client.use_mux()  # issue 17: one multiplexed connection for the hot path


def _hosts(text: str, what: str) -> list[tuple[str, int]]:
    hosts = []
    for item in filter(None, text.split(",")):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"redis.url: {what} wants host:port[,host:port…], got {item!r}")
        hosts.append((host, int(port)))
    if not hosts:
        raise ConfigError(f"redis.url: {what} names no host")
    return hosts


def has_hash_tag(prefix: str) -> bool:
    """Whether keys under `prefix` all hash to one Redis Cluster slot (`{tag}` in it)."""
    start = prefix.find("{")
    end = prefix.find("}", start + 1)
    return start >= 0 and end > start + 1


def _cluster(url: str, password: str | None, key_prefix: str | None) -> aioredis.Redis:
    from redis.asyncio.cluster import ClusterNode, RedisCluster

    if key_prefix is not None and not has_hash_tag(key_prefix):
        raise ConfigError(
            f"redis.key_prefix {key_prefix!r}: a Redis Cluster needs a hash tag in it, e.g. "
            "'{cc}:', so that the keys each routing script touches share one slot"
        )
    nodes = [
        ClusterNode(h, p) for h, p in _hosts(url.removeprefix(CLUSTER_SCHEME).strip("/"), "cluster")
    ]
    cluster = RedisCluster(startup_nodes=nodes, password=password, socket_connect_timeout=TIMEOUT)
    return cast(aioredis.Redis, cluster)  # the commands, scripts and pub/sub callcenter uses


def _sentinel(url: str, password: str | None) -> aioredis.Redis:
    from redis.asyncio.sentinel import Sentinel

    hosts, _, rest = url.removeprefix(SENTINEL_SCHEME).partition("/")
    service, _, db = rest.strip("/").partition("/")
    if not service or (db and not db.isdigit()):
        raise ConfigError("redis.url: redis+sentinel://host:port[,host:port…]/service[/db]")
    sentinel = Sentinel(_hosts(hosts, "sentinel"), socket_connect_timeout=TIMEOUT)
    master = sentinel.master_for(
        service,
        redis_class=_SentinelMaster,
        db=int(db or 0),
        password=password,
        socket_connect_timeout=TIMEOUT,
    )
    return cast(aioredis.Redis, master)


class _SentinelMaster(aioredis.Redis):
    """The master's client; closing it closes the Sentinels' connections too."""

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        for sentinel in self.connection_pool.sentinel_manager.sentinels:  # type: ignore[attr-defined]
            await sentinel.aclose()


class _PackInOnePass:
    """redis-py's `pack_command` copies its growing buffer once per argument (quadratic: a
    claim script of a few hundred keys and arguments spent a millisecond packing); this packs
    the same bytes in one join, taking the common argument types (bytes, str, int) without
    the encoder's checks. Anything else goes through the encoder as before."""

    encoder: Any

    def pack_command(self, *args: Any) -> list[bytes]:
        if isinstance(args[0], str):
            args = (*args[0].encode().split(), *args[1:])
        elif b" " in args[0]:
            args = (*args[0].split(), *args[1:])
        return [pack_args(args, self.encoder.encode)]  # `connect` keeps UTF-8


def masked(url: str) -> str:
    """The URL without any password in it."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


async def ping(client: aioredis.Redis, url: str) -> None:
    """PING the server; `UnavailableError` naming the (masked) URL when it fails."""
    try:
        await client.ping()
    except (RedisError, OSError) as err:
        raise UnavailableError(
            f"redis unreachable at {masked(url)}: {err}", code="redis-unavailable"
        ) from err
