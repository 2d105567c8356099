"""Messages to whichever instance holds a lease (the AMI session): Redis pub/sub on one
channel. A message nobody holds the lease for is lost, which is what its senders expect (an
action on a call that no session can reach)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import redis.asyncio as aioredis

from callcenter.core.tasks import cancel_requested

log = logging.getLogger(__name__)


class RedisRelay:
    """Publish to and listen on one pub/sub channel."""

    def __init__(self, client: aioredis.Redis, channel: str) -> None:
        self._redis = client
        self._channel = channel

    async def send(self, message: Mapping[str, Any]) -> int:
        """Publish; how many listeners got it."""
        return int(await self._redis.publish(self._channel, json.dumps(dict(message))))

    async def messages(
        self, subscribed: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """What is published from now on, until the caller stops iterating; `subscribed`
        is awaited once the subscription is in place (nothing published later is missed)."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._channel)
        try:
            if subscribed is not None:
                await subscribed()
            while not cancel_requested():
                msg = await pubsub.get_message(timeout=1.0)
                if msg is None or msg.get("type") != "message":
                    continue
                try:
                    data = json.loads(msg["data"])
                except ValueError:
                    log.warning("relay %s: a message that is not JSON dropped", self._channel)
                    continue
                if isinstance(data, dict):
                    yield data
        finally:
            await pubsub.aclose()
