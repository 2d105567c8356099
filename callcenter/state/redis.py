"""Open the Redis client: a real server, or `memory://` for the in-process compatible store."""

from __future__ import annotations

import logging

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
    return aioredis.Redis.from_url(url, password=password, socket_connect_timeout=5)


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
