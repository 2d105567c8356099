"""The open sockets' re-check (issue 18), one cleanup context: the desk and console sockets
this instance holds are re-checked against their tokens on every 'auth changed' notice (a
token revoked, a user changed, from any instance), on every 'agents or queues changed'
notice (an agent disabled), and every `RECHECK_SECONDS` (tokens expire)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import redis.asyncio as aioredis
from aiohttp import web

from callcenter.auth.ports import AuthNotices
from callcenter.core.tasks import every
from callcenter.state.config_notices import RedisConfigNotices
from callcenter.state.keys import Keys
from callcenter.web.keys import REDIS, SOCKETS

RECHECK_SECONDS = 30


def auth_notices(client: aioredis.Redis, keys: Keys) -> AuthNotices:
    """The 'auth changed' notices on `client` (the app's Redis, or the command line's)."""
    return RedisConfigNotices(client, keys, keys.auth_changed())


def socket_auth(keys: Keys) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context re-checking the sockets held in `app[SOCKETS]`."""

    async def watch(app: web.Application) -> AsyncIterator[None]:
        guard = app[SOCKETS]

        async def recheck() -> None:
            await guard.recheck()

        channels = (keys.auth_changed(), keys.config_changed())
        tasks = [
            asyncio.create_task(
                RedisConfigNotices(app[REDIS], keys, channel).listen(recheck), name=channel
            )
            for channel in channels
        ]
        tasks.append(asyncio.create_task(every(RECHECK_SECONDS, recheck), name="socket-recheck"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return watch
