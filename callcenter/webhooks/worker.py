"""The delivery worker (one per server instance): claims due deliveries from the outbox,
signs and posts them, logs each try and schedules the next with backoff, or gives up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from callcenter.core.clock import Clock
from callcenter.core.tasks import cancel_requested
from callcenter.webhooks.backoff import RetryPolicy
from callcenter.webhooks.models import Claimed, DeliveryStatus
from callcenter.webhooks.ports import Sender, WebhookStore
from callcenter.webhooks.signing import headers

log = logging.getLogger(__name__)
LEASE_MARGIN = timedelta(seconds=60)


class DeliveryWorker:
    """`run_once` delivers what is due now (tests call it with a manual clock); `run`
    repeats it every `poll_seconds`."""

    def __init__(
        self,
        store: WebhookStore,
        sender: Sender,
        clock: Clock,
        policy: RetryPolicy,
        *,
        timeout_seconds: float,
        batch: int = 20,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._store = store
        self._sender = sender
        self._clock = clock
        self._policy = policy
        self._lease = timedelta(seconds=timeout_seconds) + LEASE_MARGIN
        self._batch = batch
        self._draw = draw

    async def run_once(self) -> int:
        """Deliver the due deliveries (a batch at a time until none is due); how many tries."""
        tried = 0
        while True:
            now = self._clock.now()
            claimed = await self._store.claim(now, now + self._lease, self._batch)
            if not claimed:
                return tried
            await asyncio.gather(*(self._deliver(c) for c in claimed))
            tried += len(claimed)

    async def run(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set (the round under way finishes: a query cancelled
        half-way can strand its connection) or a cancel; a failing round (the database
        away) is logged and retried."""
        while not stop.is_set() and not cancel_requested():
            try:
                await self.run_once()
            except Exception:
                log.exception("webhook delivery round failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)

    async def _deliver(self, claimed: Claimed) -> None:
        now = self._clock.now()
        sent = headers(
            claimed.secret, int(now.timestamp()), claimed.body, claimed.event_type, claimed.id
        )
        result = await self._sender.post(claimed.url, sent, claimed.body)
        attempts = claimed.attempts + 1
        done = self._clock.now()
        if result.ok:
            await self._store.attempted(claimed.id, result, done, DeliveryStatus.DELIVERED, None)
            return
        retry_at = self._policy.next_attempt(attempts, done, self._draw())
        status = DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED
        await self._store.attempted(claimed.id, result, done, status, retry_at)
        log.warning(
            "webhook delivery %s try %d failed (%s)%s",
            claimed.id,
            attempts,
            result.error or result.status_code,
            "" if retry_at else ": given up",
        )
