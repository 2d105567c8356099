"""The 'changed' notices (agents or queues; issue 18's 'auth changed': tokens revoked, users
disabled) travel on Redis pub/sub, which keeps nothing for a subscriber that is away. Once a
listener has subscribed again after losing its connection, it reloads (re-checks the open
sockets) as if it had heard a notice; the first subscription reloads nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from callcenter.state import relay
from callcenter.state.config_notices import RedisConfigNotices
from callcenter.state.keys import Keys


class FakePubSub:
    """A subscription that breaks at its first read when `breaks`, else stays quiet."""

    def __init__(self, breaks: bool) -> None:
        self._breaks = breaks

    async def subscribe(self, channel: str) -> None:
        pass

    async def get_message(self, timeout: float) -> dict[str, Any] | None:
        if self._breaks:
            raise RedisConnectionError("Connection closed by server.")
        await asyncio.sleep(0.01)
        return None

    async def aclose(self) -> None:
        pass


class FakeRedis:
    """Hands out subscriptions: the first breaks, the later ones hold."""

    def __init__(self) -> None:
        self.subscriptions = 0

    def pubsub(self, ignore_subscribe_messages: bool = False) -> FakePubSub:
        self.subscriptions += 1
        return FakePubSub(breaks=self.subscriptions == 1)


async def test_a_listener_reloads_once_subscribed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relay, "RESUBSCRIBE_SECONDS", 0.01)
    redis = FakeRedis()
    reloaded = asyncio.Event()
    reloads: list[int] = []

    async def reload() -> None:
        reloads.append(redis.subscriptions)
        reloaded.set()

    notices = RedisConfigNotices(redis, Keys("t:"), "t:auth-changed")  # type: ignore[arg-type]
    task = asyncio.create_task(notices.listen(reload))
    await asyncio.wait_for(reloaded.wait(), 5)  # before: the lost notice was never made up
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert reloads == [2]  # after the second subscription, once; none at the first


async def test_a_listener_that_never_lost_its_subscription_reloads_nothing() -> None:
    redis = FakeRedis()
    redis.subscriptions = 1  # the next subscription holds
    reloads: list[int] = []

    async def reload() -> None:
        reloads.append(1)

    notices = RedisConfigNotices(redis, Keys("t:"))  # type: ignore[arg-type]
    task = asyncio.create_task(notices.listen(reload))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert reloads == [] and redis.subscriptions == 2
