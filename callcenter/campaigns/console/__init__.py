"""The operations console (`/ops`, operators, supervisors and admins): campaigns with a
target preview and the gate's dry run, live progress over a WebSocket, attempts, opt-outs,
area suspensions, arrears approvals and outages. `setup_console` mounts it all (one line
in the app) and adds its one cleanup context: the socket feed and the progress publisher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from callcenter.campaigns.console.http import ConsoleHttp
from callcenter.campaigns.console.progress import ProgressPublisher
from callcenter.campaigns.console.socket import ConsoleHub
from callcenter.core.clock import Clock
from callcenter.core.policy import PolicyPack
from callcenter.state.keys import Keys
from callcenter.state.lease import RedisLease
from callcenter.state.relay import RedisRelay
from callcenter.storage.campaign_progress import SqlCampaignProgress
from callcenter.web.keys import AUTH, ENGINE, OUTBOUND, REDIS, SETTINGS, SOCKETS
from outbound.preview_gate import GatePreview

LEASE = "ops-progress"  # one instance publishes the progress
STOP_SECONDS = 10.0  # the longest a shutdown waits for the publisher's round


def setup_console(app: web.Application, pack: PolicyPack, clock: Clock) -> None:
    """Mount the console (after the campaign routes) and start its feed with the app."""
    settings, outbound = app[SETTINGS], app[OUTBOUND]
    stores = outbound.stores
    progress = SqlCampaignProgress(app[ENGINE])
    gate = GatePreview(stores.targets, stores, stores.arrears, pack.outbound, clock)
    ConsoleHttp(outbound.campaigns, gate, progress, clock, settings.server.timezone).setup(app)
    hub = ConsoleHub(app[AUTH].check, app[SOCKETS])
    app.router.add_get("/ops/ws", hub.socket)
    app.cleanup_ctx.append(_live(hub, progress, clock))


def _live(
    hub: ConsoleHub, progress: SqlCampaignProgress, clock: Clock
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def live(app: web.Application) -> AsyncIterator[None]:
        keys = Keys(app[SETTINGS].redis.key_prefix)
        channel = keys.ops_channel()
        outbound = app[OUTBOUND]
        publisher = ProgressPublisher(
            outbound.stores.campaigns,
            outbound.campaigns,
            progress,
            RedisRelay(app[REDIS], channel),
            clock,
        )
        lease = RedisLease(app[REDIS], keys.lease(LEASE))
        feed = asyncio.create_task(hub.feed(RedisRelay(app[REDIS], channel)), name="ops-feed")
        publishing = asyncio.create_task(publisher.run(lease), name="ops-progress")
        try:
            yield
        finally:
            await hub.close_all()
            publisher.request_stop()  # its round under way finishes: no query cut midway
            done, _ = await asyncio.wait({publishing}, timeout=STOP_SECONDS)
            for task in (feed, *({publishing} - done)):
                task.cancel()
            for task in (feed, publishing):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return live
