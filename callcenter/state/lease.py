"""A leader lease in Redis: one holder at a time (the AMI session, a campaign's dialer),
renewed while it works; when the holder dies the lease lapses after its TTL and another
instance takes over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.core.tasks import cancel_requested

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLease:
    """The lease `key`, held by this process as `holder` (host and a random part)."""

    def __init__(self, client: aioredis.Redis, key: str, ttl_seconds: float = 15.0) -> None:
        self._redis = client
        self.key = key
        self.holder = f"{socket.gethostname()}:{secrets.token_hex(4)}"
        self._ttl_ms = int(ttl_seconds * 1000)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(RELEASE_SCRIPT)

    @property
    def ttl_seconds(self) -> float:
        return self._ttl_ms / 1000

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it."""
        return bool(await self._redis.set(self.key, self.holder, nx=True, px=self._ttl_ms))

    async def renew(self) -> bool:
        """Extend the lease; False when it was lost (lapsed, taken by another)."""
        return bool(int(await self._renew(keys=[self.key], args=[self.holder, self._ttl_ms])))

    async def release(self) -> None:
        """Give the lease up now (only if still ours)."""
        await self._release(keys=[self.key], args=[self.holder])

    async def holder_now(self) -> str | None:
        """Who holds the lease, if anyone."""
        value = await self._redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value


async def run_while_leader(
    lease: RedisLease,
    work: Callable[[], Coroutine[Any, Any, None]],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: wait for the lease, run `work` while renewing it every third of its TTL, and
    stop the work as soon as the lease is lost (another instance may already hold it)."""
    period = lease.ttl_seconds / 3
    while not cancel_requested():
        try:
            acquired = await lease.acquire()
        except (RedisError, OSError) as err:
            log.warning("lease %s: Redis unavailable (%s)", lease.key, err)
            acquired = False
        if not acquired:
            await sleep(period)
            continue
        log.info("lease %s taken by %s", lease.key, lease.holder)
        task = asyncio.create_task(work(), name=f"leader:{lease.key}")
        try:
            while not task.done() and not cancel_requested():
                await asyncio.wait({task}, timeout=period)
                if task.done():
                    break
                try:
                    kept = await lease.renew()
                except (RedisError, OSError) as err:
                    log.warning("lease %s: renewal failed (%s)", lease.key, err)
                    kept = False
                if not kept:
                    log.warning("lease %s lost: stopping the work", lease.key)
                    break
        finally:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            with contextlib.suppress(RedisError, OSError):
                await lease.release()
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("lease %s: work failed: %s", lease.key, task.exception())
        await sleep(period)
