"""Wiring of the outgoing webhooks (issue 15): the store, the service (the app's one
`EventSink`, handed to the use cases that publish), the API, and the delivery worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from callcenter.config import WebhookSettings
from callcenter.core.clock import Clock
from callcenter.storage.webhooks import SqlWebhookStore
from callcenter.web.keys import ENDING, ENGINE, OUTBOUND, SETTINGS, TICKETS, WEBHOOKS
from callcenter.webhooks.backoff import RetryPolicy
from callcenter.webhooks.http import WebhooksHttp
from callcenter.webhooks.sender import AiohttpSender
from callcenter.webhooks.service import WebhookService
from callcenter.webhooks.worker import DeliveryWorker

log = logging.getLogger(__name__)
STOP_MARGIN_SECONDS = 5.0


def setup_webhooks(app: web.Application, clock: Clock) -> None:
    """`app[WEBHOOKS]`, its routes, the publishers hooked to it, and (with
    `webhooks.run_worker`) the delivery worker; call after the services are built."""
    store = SqlWebhookStore(app[ENGINE])
    sink = app[WEBHOOKS] = WebhookService(store, clock)
    app[ENDING].events = sink  # call.ended
    app[TICKETS].events = sink  # ticket.created
    if OUTBOUND in app:
        app[OUTBOUND].events = sink  # attempt.result, campaign.finished
    WebhooksHttp(sink).setup(app)
    app.cleanup_ctx.append(_worker(store, clock))


def _delivery(
    settings: WebhookSettings, store: SqlWebhookStore, clock: Clock
) -> tuple[DeliveryWorker, AiohttpSender]:
    """The delivery worker with the `[webhooks]` settings, and its sender (not yet open)."""
    policy = RetryPolicy(
        settings.max_attempts, settings.backoff_base_seconds, settings.backoff_max_seconds
    )
    sender = AiohttpSender(settings.timeout_seconds)
    worker = DeliveryWorker(
        store, sender, clock, policy, timeout_seconds=settings.timeout_seconds, batch=settings.batch
    )
    return worker, sender


def _worker(
    store: SqlWebhookStore, clock: Clock
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def running(app: web.Application) -> AsyncIterator[None]:
        hooks = app[SETTINGS].webhooks
        if not hooks.run_worker:
            yield
            return
        worker, sender = _delivery(hooks, store, clock)
        await sender.open()
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(hooks.poll_seconds, stop), name="webhook-deliveries")
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, hooks.timeout_seconds + STOP_MARGIN_SECONDS)
            except TimeoutError:
                log.warning("webhook worker did not stop in time; cancelled")
            await sender.close()

    return running
