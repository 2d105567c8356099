"""Outbound on one server (or one CLI run): the stores and use cases, the gateways, a
dialer per campaign, the results routed to their campaign's dialer, and the loop that
dials every running campaign, one instance per campaign at a time (a lease in Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.gateways import GatewayBook
from callcenter.campaigns.metrics import DialerMetrics
from callcenter.campaigns.texting import TextSenders, campaign_texts
from callcenter.campaigns.webhook_events import FINISHED_STOPS, attempt_result, campaign_finished
from callcenter.campaigns.wiring import OutboundStores
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.events import NO_EVENTS, EventSink
from callcenter.core.policy import PolicyPack
from callcenter.core.tasks import cancel_requested
from callcenter.state.keys import Keys
from callcenter.state.lease import RedisLease, run_while_leader
from outbound.arrears_calls import STEPS as ARREARS_STEPS
from outbound.arrears_calls import ArrearsSteps, notice_cut, record_call_step
from outbound.assisted import AgentSeats
from outbound.dialer import Dialer, DialerSettings, RoundReport
from outbound.dialer_parts import campaign_of
from outbound.driver import DriveReport, Progress, drive
from outbound.models import AttemptResult, CampaignCounts, CampaignState, GatewayKind
from outbound.pacing import PacingLimits
from outbound.ports import OutboundCallLog

log = logging.getLogger(__name__)
Intercept = Callable[[str, AttemptResult, str], Awaitable[AttemptResult | None]]
UNLIMITED = 1_000_000.0  # calls a second: no rate limit of our own


def pacing(settings: Settings, kind: GatewayKind) -> PacingLimits:
    """The pacing limits of a gateway kind (Twilio's calls per second per number)."""
    out = settings.outbound
    rate = settings.twilio.calls_per_second if kind is GatewayKind.TWILIO else 0.0
    rate = rate or UNLIMITED
    burst = max(1, min(int(rate), out.campaign_concurrency))
    return PacingLimits(rate, out.gateway_concurrency, out.campaign_concurrency, burst=burst)


class Outbound:
    """Campaigns on this process. `calls` opens outbound call records (None: no records,
    as in a bench); `metrics` counts attempts (None: not counted)."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        pack: PolicyPack,
        clock: Clock,
        *,
        calls: OutboundCallLog | None = None,
        metrics: DialerMetrics | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        seats: AgentSeats | None = None,
    ) -> None:
        self._settings = settings
        self._pack = pack
        self.rules = pack.outbound  # the pack's outbound rules
        self._clock = clock
        self._metrics = metrics
        self._sleep = sleep
        self.stores = OutboundStores.on(engine, pack, settings.server.timezone)
        self.campaigns = self.stores.campaign_service(pack, clock)
        self.gateways = GatewayBook(settings, clock, self.on_result)
        self._ports = replace(self.stores.dialer_ports(calls), seats=seats)
        # results that are not (only) an attempt's: a simulated answer meeting its agent, a
        # callback's call; None: handled there
        self.intercept: Intercept | None = None
        self._dialers: dict[int, Dialer] = {}
        self.arrears: ArrearsSteps | None = None  # set where the arrears service is built
        self.claimer = f"{socket.gethostname()}:{os.getpid()}"
        self.events: EventSink = NO_EVENTS  # webhooks (issue 15): set by setup_webhooks
        # the texts of notice campaigns, sent between dialing rounds
        self.text_senders = TextSenders(self.gateways, clock)
        self.texts = campaign_texts(
            settings, engine, self.stores.opt_outs, self.text_senders, clock
        )

    async def dialer(self, campaign_id: int) -> Dialer:
        """The campaign's dialer on this process (`no-such-campaign`, `gateway-not-configured`)."""
        found = self._dialers.get(campaign_id)
        if found is not None:
            return found
        record = await self.campaigns.get(campaign_id)
        kind = record.campaign.gateway
        gateway = self.gateways.get(kind)
        out = self._settings.outbound
        settings = DialerSettings(
            out.caller_id,
            pacing(self._settings, kind),
            claimer=self.claimer,
            ring_seconds=out.ring_seconds,
            machine_detection=out.machine_detection,
            handle_seconds=out.handle_seconds,
        )
        dialer = Dialer(
            campaign_id, self._ports, gateway, self._pack.outbound, settings, self._clock
        )
        return self._dialers.setdefault(campaign_id, dialer)

    async def on_result(self, key: str, result: AttemptResult, provider_id: str) -> None:
        """A call's result from any gateway, for the dialer of the campaign in its key."""
        if self.intercept is not None:
            taken = await self.intercept(key, result, provider_id)
            if taken is None:
                return
            result = taken
        await self.finish(key, result, provider_id)

    async def finish(
        self,
        key: str,
        result: AttemptResult,
        provider_id: str,
        started_at: datetime | None = None,
    ) -> None:
        """The attempt's result; an arrears call's step of the procedure with it (a
        notice's cut time from the call's `started_at`, as its message spoke it)."""
        campaign_id = campaign_of(key)
        if campaign_id is None:
            log.warning("result %s for a malformed attempt key %r", result, key)
            return
        if self._metrics is not None:
            self._metrics.result(result)
        dialer = await self.dialer(campaign_id)
        done = await dialer.finish(key, result, provider_id)
        if done is not None:  # webhooks (issue 15): attempt.result
            await self.events.publish(attempt_result(*done, result))
        kind = (await self.campaigns.get(campaign_id)).campaign.type
        if done is None or self.arrears is None or kind not in ARREARS_STEPS:
            return
        attempt, target = done
        sequence = await self.stores.arrears.get(target.account_id)
        zone = self._settings.server.timezone
        cut = notice_cut(sequence, started_at or self._clock.now(), zone)
        note = f"campaign {attempt.campaign_id} attempt {attempt.id}"
        await record_call_step(self.arrears, kind, target.account_id, result, cut, note)

    async def drive(
        self,
        campaign_id: int,
        *,
        until_idle: bool = False,
        progress: Progress | None = None,
        stopping: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> DriveReport:
        """Dial the campaign until it stops (or, `until_idle`, until nothing can be placed
        now); `sleep` waits between rounds (a shutdown may cut it short)."""
        out = self._settings.outbound

        def observe(report: RoundReport, counts: CampaignCounts) -> None:
            if self._metrics is not None:
                self._metrics.round_done(report)
            if progress is not None:
                progress(report, counts)

        rounds = observe if (progress is not None or self._metrics is not None) else None

        texting = await self._texting(campaign_id, sleep or self._sleep)
        report = await drive(
            await self.dialer(campaign_id),
            self._clock,
            sleep=texting or sleep or self._sleep,  # texts (when the campaign texts), then sleep
            tick_seconds=out.tick_ms / 1000,
            reconcile_seconds=out.reconcile_seconds,
            until_idle=until_idle,
            progress=rounds,
            stopping=stopping,
        )
        if texting is not None:  # the last round's texts
            await self._send_texts(campaign_id)
        if report.stopped in FINISHED_STOPS:  # webhooks (issue 15): campaign.finished
            await self._finished(campaign_id, report.stopped)
        return report

    async def _finished(self, campaign_id: int, why: str) -> None:
        """Publish `campaign.finished` when the drive's end completed the campaign (webhooks,
        issue 15)."""
        campaign = (await self.campaigns.get(campaign_id)).campaign
        if campaign.state is CampaignState.COMPLETED:
            await self.events.publish(campaign_finished(campaign, why))

    # --- texts of notice campaigns between dialing rounds ---

    async def _texting(
        self, campaign_id: int, sleep: Callable[[float], Awaitable[None]]
    ) -> Callable[[float], Awaitable[None]] | None:
        """For a campaign that texts: the drive's sleep, sending the due texts first."""
        if not self.texts.wanted_by((await self.campaigns.get(campaign_id)).campaign):
            return None

        async def texts_then_sleep(seconds: float) -> None:
            await self._send_texts(campaign_id)
            await sleep(seconds)

        return texts_then_sleep

    async def _send_texts(self, campaign_id: int) -> None:
        try:
            report = await self.texts.round((await self.campaigns.get(campaign_id)).campaign)
        except Exception:
            log.exception("campaign %d: texts failed; the calls go on", campaign_id)
            return
        if report.sent or report.failed or report.refused:
            log.info(
                "campaign %d: %d texts sent, %d refused, %d failed",
                campaign_id,
                report.sent,
                report.refused,
                report.failed,
            )


class CampaignLoop:
    """The server's dialing: every `scan_seconds` the running campaigns are listed, and each
    gets a task that dials it while this instance holds the campaign's lease."""

    def __init__(self, outbound: Outbound, redis: aioredis.Redis, keys: Keys, settings: Settings):
        self._outbound = outbound
        self._redis = redis
        self._keys = keys
        self._settings = settings.outbound
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self._stopped = asyncio.Event()  # wakes the dialers' sleeps at shutdown
        self._working: dict[int, asyncio.Task[object]] = {}  # campaigns' dialers at work

    async def run(self) -> None:
        """Until `request_stop` (or a cancel): keep one lease-holding task per running
        campaign. A stop lets the scan and the dialers finish what they are doing (a query
        cancelled half-way can strand its database connection)."""
        try:
            while not self._stopped.is_set() and not cancel_requested():
                try:
                    await self.scan()
                except Exception:
                    log.exception("campaign scan failed; going on")
                await self._nap(self._settings.scan_seconds)
        finally:
            await self.stop()

    def request_stop(self) -> None:
        """Ask the loop and the dialers to stop at their next pause."""
        self._stopping = True
        self._stopped.set()

    async def scan(self) -> None:
        """Start a task for each running campaign without one; stop the others."""
        running = await self._outbound.stores.campaigns.list_campaigns([CampaignState.RUNNING])
        ids = {r.campaign.id for r in running}
        for campaign_id in ids - self._tasks.keys():
            self._tasks[campaign_id] = asyncio.create_task(
                self._lead(campaign_id), name=f"campaign-{campaign_id}"
            )
        for campaign_id in set(self._tasks) - ids - self._working.keys():  # idle ones only
            task = self._tasks.pop(campaign_id)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _lead(self, campaign_id: int) -> None:
        lease = RedisLease(
            self._redis, self._keys.lease(f"campaign:{campaign_id}"), self._settings.lease_seconds
        )

        async def work() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._working[campaign_id] = task
            try:
                report = await self._outbound.drive(
                    campaign_id, stopping=lambda: self._stopping, sleep=self._nap
                )
            finally:
                self._working.pop(campaign_id, None)
            log.info("campaign %d: dialer stopped (%s)", campaign_id, report.stopped)

        await run_while_leader(lease, work)

    async def _nap(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    async def stop(self) -> None:
        """Let every campaign's dialer finish its round, then stop the tasks (their leases
        are released)."""
        self.request_stop()
        tasks = list(self._tasks.values())
        self._tasks.clear()
        if self._working:
            limit = self._settings.tick_ms / 1000 * 4 + 1
            await asyncio.wait(set(self._working.values()), timeout=limit)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
