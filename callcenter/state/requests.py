"""Requests to whichever instance holds a lease (the AMI session), with an answer: published
on the relay's channel with a `reply_to` channel of their own, answered there (Redis
pub/sub). Nobody listening: no answer at once (`None`)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis


class RedisRequests:
    """Ask on one pub/sub channel and wait for the answer on a private one."""

    def __init__(self, client: aioredis.Redis, channel: str) -> None:
        self._redis = client
        self._channel = channel

    async def ask(self, message: Mapping[str, Any], timeout: float) -> dict[str, Any] | None:
        """The answer; None when no instance listens; `TimeoutError` when it does not
        answer within `timeout` seconds."""
        reply_to = f"{self._channel}:reply:{secrets.token_hex(8)}"
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(reply_to)
        try:
            sent = json.dumps({**message, "reply_to": reply_to})
            if not await self._redis.publish(self._channel, sent):
                return None
            async with asyncio.timeout(timeout):
                while True:
                    got = await pubsub.get_message(timeout=min(timeout, 1.0))
                    if got is not None and got.get("type") == "message":
                        answer = json.loads(got["data"])
                        return answer if isinstance(answer, dict) else None
        finally:
            await pubsub.aclose()

    async def answer(self, to: str, reply: Mapping[str, Any]) -> None:
        """Answer a request on its `reply_to` channel."""
        await self._redis.publish(to, json.dumps(dict(reply)))
