"""The outbound side of the running server: gateways opened at start-up and closed at
shutdown (Asterisk's on the AMI session when there is one), and, with
`outbound.run_dialer`, the loop that dials the running campaigns."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from callcenter.campaigns.runtime import CampaignLoop
from callcenter.state.keys import Keys
from callcenter.web.keys import AMI, OUTBOUND, REDIS, SETTINGS


def dialing(keys: Keys) -> Callable[[web.Application], AsyncIterator[None]]:
    """The app's cleanup context for outbound (after the AMI's)."""

    async def campaigns(app: web.Application) -> AsyncIterator[None]:
        outbound = app[OUTBOUND]
        if AMI in app:
            outbound.gateways.attach_ami(app[AMI])
        await outbound.gateways.open()
        task = None
        if app[SETTINGS].outbound.run_dialer:
            loop = CampaignLoop(outbound, app[REDIS], keys, app[SETTINGS])
            task = asyncio.create_task(loop.run(), name="campaigns")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await outbound.gateways.close()

    return campaigns
