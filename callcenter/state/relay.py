"""Messages to whichever instance holds a lease (the AMI session): Redis pub/sub on one
channel. A message nobody holds the lease for is lost, which is what its senders expect (an
action on a call that no session can reach)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from callcenter.core.tasks import cancel_requested

log = logging.getLogger(__name__)
RESUBSCRIBE_SECONDS = 1.0  # after a lost subscription, before subscribing again
Handle = Callable[[dict[str, Any]], Awaitable[None]]


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

    async def follow(
        self, what: str, handle: Handle, resubscribed: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Hand each message to `handle` until cancelled. After a Redis error, subscribe
        again; pub/sub kept nothing meanwhile, so once subscribed again `resubscribed` makes
        up for what was missed (`what` names the listener in the log)."""
        lost = False

        async def subscribed() -> None:
            if lost and resubscribed is not None:
                await resubscribed()

        while not cancel_requested():
            try:
                async for data in self.messages(subscribed):
                    await handle(data)
            except (RedisError, OSError) as err:
                log.warning("%s lost its Redis subscription (%s); resubscribing", what, err)
                lost = True
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
