"""The desks' fan-out: every instance subscribes to one Redis channel and hands each message
to the agent's sockets it holds (published by `RedisRoutingState.publish`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import redis.asyncio as aioredis

from callcenter.state.keys import Keys
from callcenter.state.relay import RedisRelay

log = logging.getLogger(__name__)
Deliver = Callable[[int, Mapping[str, Any]], Awaitable[None]]


async def run_feed(
    client: aioredis.Redis,
    keys: Keys,
    deliver: Deliver,
    resync: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Deliver published desk messages until cancelled; reconnects after Redis errors.
    Pub/sub keeps nothing for a subscriber that is away: once subscribed again, `resync`
    sends the desks held here their state afresh (what they missed meanwhile)."""

    async def handle(data: dict[str, Any]) -> None:
        try:
            await deliver(int(data["agent"]), data["message"])
        except (ValueError, KeyError, TypeError) as err:
            log.warning("bad desk message dropped: %s", err)

    await RedisRelay(client, keys.desk_channel()).follow("desk feed", handle, resync)
