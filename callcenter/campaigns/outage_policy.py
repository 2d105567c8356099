"""Outage events start campaigns by policy (`[outbound.outage_policy]`): an outage declared
→ an outage-notice to everyone it cuts; its ETR changed → an etr-update; restored → a
restoration-notice to everyone who asked the IVR to be told (and, per policy, everyone the
notices reached). Cancelled outages start nothing.

`OutagePolicy` is the outage service's `OutageEvents` port: it takes an event at once and
does the campaign work in a background task, so the operator's request neither waits for
nor fails because of it. What a policy did, or why it could not (the notice lead-time rule,
nobody to tell), is logged and written to the outage's audit entries. Events are handled
one at a time, and a restoration (or a creation) whose campaign exists already starts
nothing, so two closes never start two restoration campaigns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.config import OutagePolicySettings
from callcenter.core.clock import Clock
from callcenter.core.errors import CallcenterError
from callcenter.outages.models import Outage, OutageEvent, OutageEventKind
from callcenter.storage.outage_callers import NOTIFIED, SqlOutagePolicyRecords
from outbound.campaigns import CampaignService
from outbound.models import CampaignType, GatewayKind, NewCampaign, TargetQuery, TargetQueryKind

log = logging.getLogger(__name__)
K = OutageEventKind


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """What the policy did with one event: the campaign it started, or why none."""

    campaign_id: int | None = None
    skipped: str = ""  # off, exists, nobody, refused:<code>, cancelled


class OutagePolicy:
    """`callcenter.outages.ports.OutageEvents` starting notice campaigns."""

    def __init__(
        self,
        campaigns: CampaignService,
        records: SqlOutagePolicyRecords,
        settings: OutagePolicySettings,
        clock: Clock,
    ) -> None:
        self._campaigns = campaigns
        self._records = records
        self._settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def on(
        cls,
        engine: AsyncEngine,
        campaigns: CampaignService,
        settings: OutagePolicySettings,
        clock: Clock,
    ) -> OutagePolicy:
        """The policy on `engine`'s campaigns and audit log."""
        return cls(campaigns, SqlOutagePolicyRecords(engine), settings, clock)

    async def published(self, event: OutageEvent) -> None:
        """Handle the event in the background (see `settle`)."""
        task = asyncio.create_task(self._safely(event), name=f"outage-{event.outage.id}-policy")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Until every event taken so far is handled (tests, the CLI, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def running(self, _app: object) -> AsyncIterator[None]:
        """The app's cleanup context: events taken are handled before the database closes."""
        try:
            yield
        finally:
            await self.settle()

    async def _safely(self, event: OutageEvent) -> None:
        try:
            await self.handle(event)
        except Exception:
            log.exception("outage %d: the %s policy failed", event.outage.id, event.kind)

    async def handle(self, event: OutageEvent) -> PolicyOutcome:
        """Apply the policy of the event now, one event at a time."""
        async with self._lock:
            outcome = await self._apply(event)
        if outcome.campaign_id is not None:
            log.info(
                "outage %d %s: campaign %d started",
                event.outage.id,
                event.kind,
                outcome.campaign_id,
            )
        return outcome

    async def _apply(self, event: OutageEvent) -> PolicyOutcome:
        policy = self._settings
        outage = event.outage
        if event.kind is K.CREATED and policy.notice_on_create:
            return await self._start(outage, CampaignType.OUTAGE_NOTICE, _outage(outage))
        if event.kind is K.ETR_CHANGED and policy.etr_update:
            return await self._start(outage, CampaignType.ETR_UPDATE, _outage(outage))
        if event.kind is K.RESTORED and policy.restoration != "off":
            suffix = NOTIFIED if policy.restoration == "callers-and-notified" else ""
            query = TargetQuery(TargetQueryKind.OUTAGE_CALLERS, f"{outage.id}{suffix}")
            return await self._start(outage, CampaignType.RESTORATION_NOTICE, query)
        return PolicyOutcome(skipped="cancelled" if event.kind is K.CANCELLED else "off")

    async def _start(self, outage: Outage, kind: CampaignType, query: TargetQuery) -> PolicyOutcome:
        if kind is not CampaignType.ETR_UPDATE:  # each ETR change is news; the rest once
            existing = await self._records.campaign_of(outage.id, kind, query.kind)
            if existing is not None:
                return PolicyOutcome(existing, skipped="exists")
        try:
            if (await self._campaigns.preview(query, sample=0)).count == 0:
                await self._note(outage, "policy-skipped", kind, reason="nobody to tell")
                return PolicyOutcome(skipped="nobody")
            record = await self._campaigns.create(self._campaign(outage, kind, query))
            campaign_id = record.campaign.id
            await self._campaigns.start(campaign_id)
        except CallcenterError as err:
            log.warning("outage %d: no %s campaign: %s (%s)", outage.id, kind, err, err.code)
            await self._note(outage, "notice-refused", kind, reason=str(err), code=err.code)
            return PolicyOutcome(skipped=f"refused:{err.code}")
        await self._note(outage, "campaign-started", kind, campaign_id=campaign_id)
        return PolicyOutcome(campaign_id)

    def _campaign(self, outage: Outage, kind: CampaignType, query: TargetQuery) -> NewCampaign:
        return NewCampaign(
            f"{kind.value} · outage {outage.id} · {outage.area}"[:128],
            kind,
            GatewayKind(self._settings.gateway),
            query,
            sms=self._settings.sms,
        )

    async def _note(self, outage: Outage, action: str, kind: CampaignType, **data: Any) -> None:
        await self._records.note(
            outage.id, action, {"campaign_type": kind.value, **data}, self._clock.now()
        )


def _outage(outage: Outage) -> TargetQuery:
    return TargetQuery(TargetQueryKind.OUTAGE, str(outage.id))
