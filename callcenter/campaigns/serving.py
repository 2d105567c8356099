"""The outbound side of the running server: gateways opened at start-up and closed at
shutdown (Asterisk's on the AMI session when there is one), and, with
`outbound.run_dialer`, the loop that dials the running campaigns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from callcenter.campaigns.answering import CampaignCallService
from callcenter.campaigns.assisted import AcdSeats, AssistedCalls
from callcenter.campaigns.callbacks import CallbackCalls, is_callback_key
from callcenter.campaigns.calls import CallRecordLog
from callcenter.campaigns.http import CampaignsHttp
from callcenter.campaigns.metrics import DialerMetrics
from callcenter.campaigns.outage_policy import OutagePolicy
from callcenter.campaigns.pacing_http import PacingHttp
from callcenter.campaigns.preview_http import PreviewHttp
from callcenter.campaigns.runtime import CampaignLoop, Intercept, Outbound
from callcenter.core.clock import Clock
from callcenter.core.policy import PolicyPack
from callcenter.core.tasks import every
from callcenter.state.amd_verdicts import RedisAmdVerdicts
from callcenter.state.keys import Keys
from callcenter.storage.callback_tries import SqlCallbackTries
from callcenter.telephony.twilio.http import TwilioWebhooks
from callcenter.telephony.twilio.outbound_http import TwilioCampaignWebhooks
from callcenter.web.keys import (
    ACD,
    AMI,
    CALLBACKS,
    CALLS,
    CAMPAIGN_CALLS,
    DESK_CAMPAIGNS,
    ENDING,
    ENGINE,
    IVR,
    METRICS,
    OUTBOUND,
    OUTBOUND_BRIDGE,
    REDIS,
    SETTINGS,
    TICKETS,
)
from outbound.models import AttemptResult

log = logging.getLogger(__name__)


def setup_outbound(
    app: web.Application, pack: PolicyPack, clock: Clock, webhooks: TwilioWebhooks
) -> OutagePolicy:
    """`app[OUTBOUND]` with its call records and metrics, and the campaign calls' Twilio
    webhooks (next to the inbound ones, whose signature check and rendering they share);
    the outage-event policy that starts notice campaigns (for the outage service)."""
    settings = app[SETTINGS]
    app[OUTBOUND] = outbound = Outbound(
        settings,
        app[ENGINE],
        pack,
        clock,
        calls=CallRecordLog(app[CALLS], app[ENDING]),
        metrics=DialerMetrics(app[METRICS]),
        seats=(seats := AcdSeats(app[ACD])),
    )
    assisted = AssistedCalls(outbound, app[ACD], app[CALLS])
    callbacks = CallbackCalls(
        settings,
        app[ACD],
        outbound.gateways,
        SqlCallbackTries(app[ENGINE]),
        app[CALLS],
        app[IVR],
        clock,
    )
    app[OUTBOUND_BRIDGE].calls = assisted
    app[OUTBOUND_BRIDGE].callbacks = app[CALLBACKS] = callbacks
    outbound.intercept = intercepting(assisted, callbacks)
    app[CAMPAIGN_CALLS] = campaign_calls = CampaignCallService(
        outbound,
        app[CALLS],
        app[IVR],
        pack.outbound,
        settings.server.timezone,
        assisted,
        callbacks,
    )
    PreviewHttp(assisted).setup(app)
    PacingHttp(outbound, seats, clock).setup(app)
    verdicts = RedisAmdVerdicts(app[REDIS], Keys(settings.redis.key_prefix))
    TwilioCampaignWebhooks(
        webhooks,
        campaign_calls,
        app[CALLS],
        verdicts,
        machine_detection=settings.outbound.machine_detection,
    ).setup(app)
    CampaignsHttp(outbound, app[TICKETS], app[ENGINE], pack, clock, app[ACD].queues).setup(app)
    return OutagePolicy.on(app[ENGINE], outbound.campaigns, settings.outbound.outage_policy, clock)


def intercepting(assisted: AssistedCalls, callbacks: CallbackCalls) -> Intercept:
    """What the gateways' results go through before the attempt's dialer: a callback's
    call is the callbacks' (handled there), a simulated answer of an agent-assisted call
    meets its agent."""

    async def intercept(key: str, result: AttemptResult, provider_id: str) -> AttemptResult | None:
        if is_callback_key(key):
            await callbacks.finished(key, await callbacks.simulated(key, result))
            return None
        return await assisted.simulated(key, result, provider_id)

    return intercept


STOP_SECONDS = 10.0
PROMISES_SECONDS = 60.0  # promises to pay past their date are followed up this often


def dialing(keys: Keys) -> Callable[[web.Application], AsyncIterator[None]]:
    """The app's cleanup context for outbound (after the AMI's)."""

    async def campaigns(app: web.Application) -> AsyncIterator[None]:
        outbound = app[OUTBOUND]
        if AMI in app:
            outbound.gateways.attach_ami(app[AMI])
        await outbound.gateways.open()
        loop = task = None
        chores: list[asyncio.Task[None]] = []
        if app[SETTINGS].outbound.run_dialer:
            loop = CampaignLoop(outbound, app[REDIS], keys, app[SETTINGS])
            task = asyncio.create_task(loop.run(), name="campaigns")
            follow_up = app[DESK_CAMPAIGNS].promises.follow_up
            chores.append(asyncio.create_task(every(PROMISES_SECONDS, follow_up), name="promises"))
        try:
            yield
        finally:
            for chore in chores:
                chore.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await chore
            if loop is not None and task is not None:
                loop.request_stop()  # finish the scan and the rounds under way, then stop
                done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS)
                if not done:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await outbound.gateways.close()

    return campaigns
