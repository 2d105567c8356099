"""'Agents or queues changed' notices: published after an administrative write, heard by
every instance (which then reloads them). A notice lost while an instance was not listening
is made up by a reload once it is subscribed again, and by the periodic reload. The same on
the 'auth changed' channel (issue 18): tokens or users changed, every instance re-checks its
open sockets."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.state.keys import Keys
from callcenter.state.relay import RedisRelay

log = logging.getLogger(__name__)
Reload = Callable[[], Awaitable[None]]


class RedisConfigNotices:
    """Publish and hear the notices on one Redis channel."""

    def __init__(self, client: aioredis.Redis, keys: Keys, channel: str | None = None) -> None:
        self._channel = channel or keys.config_changed()
        self._relay = RedisRelay(client, self._channel)

    async def publish(self, what: str) -> None:
        """Tell every instance that `what` (agents, queues) changed."""
        try:
            await self._relay.send({"changed": what})
        except (RedisError, OSError) as err:  # the periodic reload catches up
            log.warning(
                "%s notice not sent (%s); instances catch up on their period", self._channel, err
            )

    async def listen(self, reload: Reload) -> None:
        """Reload on every notice until cancelled; resubscribes after Redis errors, and
        reloads once subscribed again (a notice sent meanwhile never arrives)."""

        async def handle(message: dict[str, Any]) -> None:
            await self._handle(message, reload)

        async def missed() -> None:
            await self._handle({"changed": "while the subscription was lost"}, reload)

        await self._relay.follow(self._channel, handle, missed)

    @staticmethod
    async def _handle(message: dict[str, Any], reload: Reload) -> None:
        try:
            await reload()
        except Exception:  # a failed reload must not stop the listener; the period retries
            log.exception("reload after a %s change failed", message.get("changed"))
