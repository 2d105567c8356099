"""Pacing of requests to a telephony provider: at most N call starts a second per number
(Twilio's default is 1 CPS) and at most M requests in flight at once.

Time is injected (`monotonic`, `sleep`) so tests advance a fake clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class RequestPacer:
    """Turns per key (the caller-id number) spaced `1 / per_second` apart, in the order asked,
    and a cap on requests in flight. `per_second` 0 switches the spacing off."""

    def __init__(
        self,
        per_second: float,
        max_in_flight: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_second < 0 or max_in_flight < 1:
            raise ValueError("per_second must be >= 0 and max_in_flight >= 1")
        self._interval = 1.0 / per_second if per_second else 0.0
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """Wait for a free request slot, then for `key`'s next turn; the request runs inside.
        The slot is taken first so that requests held back by the cap do not bunch up once
        they get through (each still waits for its own turn)."""
        async with self._in_flight:
            await self._wait_turn(key)
            yield

    async def _wait_turn(self, key: str) -> None:
        if not self._interval:
            return
        now = self._monotonic()
        at = max(now, self._next.get(key, now))
        self._next[key] = at + self._interval  # reserved before waiting: first asked, first served
        if at > now:
            await self._sleep(at - now)
