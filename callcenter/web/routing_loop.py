"""The routing loop of a server instance (its cleanup context): the desks' feed, then,
where `[routing] run_router` is on, routing rounds, offer and wrap-up timers every tick and
the periodic jobs (reconciler, agents' refresh, desk heartbeats, callbacks due again), and the
tickets' SLA sweep beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from functools import partial

from aiohttp import web

from callcenter.core.tasks import cancel_requested, every
from callcenter.state.desk_feed import run_feed
from callcenter.state.keys import Keys
from callcenter.web.keys import ACD, CALLBACKS, DESK, REDIS, SETTINGS, TICKETS

log = logging.getLogger(__name__)
RECOVER_SECONDS = 2


def routing_loop(keys: Keys) -> Callable[[web.Application], AsyncIterator[None]]:
    async def routing(app: web.Application) -> AsyncIterator[None]:
        acd, hub = app[ACD], app[DESK]
        await acd.refresh_agents()
        feed = run_feed(app[REDIS], keys, hub.deliver, hub.resync)
        tasks = [asyncio.create_task(feed, name="desk-feed")]
        settings = app[SETTINGS]
        if settings.routing.run_router:
            await acd.recover()  # notes the shared state as seen
            await acd.reconcile()
            tasks.append(asyncio.create_task(route_forever(app), name="router"))
            if settings.tickets.run_sweep:
                sweep = partial(app[TICKETS].sweep, settings.tickets.sweep_batch)
                job = every(settings.tickets.sweep_seconds, sweep)
                tasks.append(asyncio.create_task(job, name="sla-sweep"))
        try:
            yield
        finally:
            await hub.close_all()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return routing


async def route_forever(app: web.Application) -> None:
    """Routing rounds, offer and wrap-up timers every tick; the reconciler, the desks'
    heartbeats and the agents' refresh on their own periods. Errors are logged, never fatal."""
    acd, hub, routing = app[ACD], app[DESK], app[SETTINGS].routing
    periodic = {
        "reconcile": (routing.reconcile_seconds, acd.reconcile),
        "refresh": (routing.agents_refresh_seconds, acd.refresh_agents),
        "heartbeat": (20, hub.heartbeat),
        "callbacks": (5, app[CALLBACKS].requeue_due),  # retries back in line when due
        "recover": (RECOVER_SECONDS, acd.recover),  # Redis lost its data: rebuilt from SQL
    }
    last = dict.fromkeys(periodic, time.monotonic())
    while not cancel_requested():
        try:
            await acd.expire()
            await acd.route()
            now = time.monotonic()
            for name, (every, job) in periodic.items():
                if now - last[name] >= every:
                    last[name] = now
                    await job()
        except Exception:
            log.exception("routing round failed; going on")
        await asyncio.sleep(routing.tick_ms / 1000)
