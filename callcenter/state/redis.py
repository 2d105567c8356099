"""Open the Redis client: a real server, or `memory://` for the in-process compatible store."""

from __future__ import annotations

import logging
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.core.errors import ConfigError, UnavailableError

log = logging.getLogger(__name__)

MEMORY_SCHEME = "memory://"


def connect(url: str, password: str | None = None) -> aioredis.Redis:
    """A client for `url`; `memory://` gives fakeredis with Lua, private to this process."""
    if url.startswith(MEMORY_SCHEME):
        from fakeredis import FakeAsyncRedis, FakeServer

        return FakeAsyncRedis(server=FakeServer(), decode_responses=False)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"redis.url: expected memory://, redis://, rediss:// or unix://: {url!r}")
    client = aioredis.Redis.from_url(url, password=password, socket_connect_timeout=5)
    pool = client.connection_pool
    pool.connection_class = type(
        f"Packed{pool.connection_class.__name__}", (_PackInOnePass, pool.connection_class), {}
    )
    return client


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
        encoder = self.encoder
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            kind = type(arg)
            if kind is bytes:
                data = arg
            elif kind is str:
                data = arg.encode(encoder.encoding, encoder.encoding_errors)
            elif kind is int:
                data = b"%d" % arg
            else:
                data = encoder.encode(arg)
            parts += (b"$%d\r\n" % len(data), data, b"\r\n")
        return [b"".join(parts)]


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
