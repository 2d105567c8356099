"""Campaign use cases: create (with the outage-notice lead-time rule), preview the targets,
start (building the targets once), pause, resume, cancel, and the campaign's counts.

Pure of I/O except through the ports; the time comes from the injected clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.policy import OutboundRules
from outbound.models import (
    CampaignCounts,
    CampaignRecord,
    CampaignState,
    CampaignStateError,
    CampaignType,
    NewCampaign,
    NoSuchCampaignError,
    TargetPreview,
    TargetQuery,
    TargetQueryKind,
)
from outbound.ports import AttemptStore, CampaignStore, OutageFacts, TargetStore
from outbound.rules import OutageKind, require_creation_allowed

S = CampaignState
_LIVE = (S.DRAFT, S.RUNNING, S.PAUSED)


@dataclass(frozen=True, slots=True)
class CampaignStatus:
    """A campaign with where its attempts stand."""

    record: CampaignRecord
    counts: CampaignCounts


class CampaignService:
    """Campaigns from draft to completed or cancelled; every state change is the store's
    compare-and-set, so two operators (or instances) racing cannot both succeed."""

    def __init__(
        self,
        campaigns: CampaignStore,
        targets: TargetStore,
        attempts: AttemptStore,
        outages: OutageFacts,
        rules: OutboundRules,
        clock: Clock,
    ) -> None:
        self._campaigns = campaigns
        self._targets = targets
        self._attempts = attempts
        self._outages = outages
        self._rules = rules
        self._clock = clock

    async def create(self, new: NewCampaign) -> CampaignRecord:
        """Store a draft campaign. An outage notice for an outage query must be created early
        enough before the outage (`notice-too-late`, 409; measured from `start_at` when the
        campaign starts later); an unknown outage is `no-such-outage` (404)."""
        now = self._clock.now()
        if not new.name.strip():
            raise InvalidInputError("a campaign needs a name", code="campaign-name-missing")
        query = new.query
        if new.type is CampaignType.OUTAGE_NOTICE and query.kind is TargetQueryKind.OUTAGE:
            await self._check_lead(query, max(now, new.start_at or now))
        return await self._campaigns.create(new, now)

    async def _check_lead(self, query: TargetQuery, notice_at: datetime) -> None:
        info = await self._outages.outage(_outage_id(query))
        require_creation_allowed(
            CampaignType.OUTAGE_NOTICE,
            info.start,
            OutageKind(info.kind),
            notice_at,
            self._rules,
            important_users=info.important,
        )

    async def preview(
        self, target: int | TargetQuery, *, csv: str | None = None, sample: int = 10
    ) -> TargetPreview:
        """How many targets a campaign (by id) or a query would have now, with a sample;
        writes nothing."""
        query = (await self.get(target)).campaign.query if isinstance(target, int) else target
        return await self._targets.preview(query, self._clock.now(), sample, csv)

    async def get(self, campaign_id: int) -> CampaignRecord:
        """The campaign, or `no-such-campaign` (404)."""
        record = await self._campaigns.get(campaign_id)
        if record is None:
            raise NoSuchCampaignError(f"no campaign {campaign_id}")
        return record

    async def start(self, campaign_id: int, *, csv: str | None = None) -> CampaignRecord:
        """Build the draft's targets (unless built already: a start retried after a failure
        does not build twice) and set it running. `campaign-state` (409) unless a draft."""
        record = await self.get(campaign_id)
        if record.campaign.state is not S.DRAFT:
            raise _not_allowed(record, S.RUNNING)
        now = self._clock.now()
        if await self._targets.count(campaign_id) == 0:
            await self._targets.build(campaign_id, record.campaign.query, now, csv)
        return await self._campaigns.set_state(campaign_id, S.RUNNING, [S.DRAFT], now)

    async def pause(self, campaign_id: int) -> CampaignRecord:
        """Running -> paused: no new calls; calls in flight finish and are recorded."""
        return await self._move(campaign_id, S.PAUSED, [S.RUNNING])

    async def resume(self, campaign_id: int) -> CampaignRecord:
        """Paused -> running."""
        return await self._move(campaign_id, S.RUNNING, [S.PAUSED])

    async def cancel(self, campaign_id: int) -> CampaignRecord:
        """Draft, running or paused -> cancelled: nothing more is dialled."""
        return await self._move(campaign_id, S.CANCELLED, _LIVE)

    async def status(self, campaign_id: int) -> CampaignStatus:
        """The campaign and its counts (targets, results, refusals, waiting)."""
        record = await self.get(campaign_id)
        counts = await self._attempts.counts(campaign_id, self._clock.now())
        return CampaignStatus(record, counts)

    async def _move(
        self, campaign_id: int, to: CampaignState, allowed: Sequence[CampaignState]
    ) -> CampaignRecord:
        return await self._campaigns.set_state(campaign_id, to, allowed, self._clock.now())


def _outage_id(query: TargetQuery) -> int:
    value = query.value.strip()
    if not value.isdigit():
        raise InvalidInputError(
            f"target outage:{query.value} needs an outage id", code="invalid-target-query"
        )
    return int(value)


def _not_allowed(record: CampaignRecord, to: CampaignState) -> CampaignStateError:
    campaign = record.campaign
    return CampaignStateError(f"campaign {campaign.id} is {campaign.state}, it cannot become {to}")
