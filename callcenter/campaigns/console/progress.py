"""Live progress of campaigns for the console: a `campaign_progress` message per running or
paused campaign (and one last message when it finishes), published every few seconds on the
console's Redis channel by one instance at a time (a lease); every instance hands the
messages to the console sockets it holds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from callcenter.core.clock import Clock
from callcenter.core.tasks import cancel_requested
from callcenter.state.lease import RedisLease
from callcenter.state.relay import RedisRelay
from callcenter.storage.campaign_progress import SqlCampaignProgress
from outbound.campaigns import CampaignService
from outbound.models import AttemptResult, CampaignCounts, CampaignRecord, CampaignState
from outbound.ports import CampaignStore

log = logging.getLogger(__name__)
MESSAGE_TYPE = "campaign_progress"
PUBLISH_SECONDS = 1.0
RATE_WINDOW = timedelta(minutes=1)
CHANGE_MARGIN = timedelta(seconds=1)  # a change committed while the last round ran
LIVE = (CampaignState.RUNNING, CampaignState.PAUSED)
R = AttemptResult
# A person picked up (a machine did not); `abandoned` heard the identification only.
HUMAN = frozenset({R.ANSWERED, R.CONFIRMED, R.OPTED_OUT, R.ABANDONED})
NOT_DIALLED = frozenset({R.REFUSED, R.SKIPPED})


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def progress_message(
    record: CampaignRecord, counts: CampaignCounts, sent_last_minute: int, now: datetime
) -> dict[str, Any]:
    """The `campaign_progress` message: counts by result, refusals by reason, what waits,
    dials in the last minute, and the campaign's answer and abandon rates so far (None
    before any call was answered or dialled)."""
    results = counts.results
    dialled = sum(n for r, n in results.items() if r not in NOT_DIALLED)
    human = sum(results.get(r.value, 0) for r in HUMAN)
    campaign = record.campaign
    return {
        "type": MESSAGE_TYPE,
        "campaign_id": campaign.id,
        "name": campaign.name,
        "state": campaign.state.value,
        "at": now.isoformat(),
        "targets": counts.targets,
        "results": dict(results),
        "refused": dict(counts.refused),
        "waiting": dict(counts.waiting),
        "finished": sum(results.values()) + sum(counts.refused.values()),
        "dial_rate_per_minute": sent_last_minute,
        "answer_rate": _share(human, dialled),
        "abandon_rate": _share(results.get(R.ABANDONED.value, 0), human),
    }


class ProgressPublisher:
    """Publishes the progress of the live campaigns (one round every `period` seconds)."""

    def __init__(
        self,
        campaigns: CampaignStore,
        service: CampaignService,
        progress: SqlCampaignProgress,
        relay: RedisRelay,
        clock: Clock,
    ) -> None:
        self._campaigns = campaigns
        self._service = service
        self._progress = progress
        self._relay = relay
        self._clock = clock
        self._live: set[int] = set()
        self._since: datetime | None = None  # the previous round's time (less a margin)
        self._stopped = asyncio.Event()

    async def message(self, campaign_id: int) -> dict[str, Any]:
        """The campaign's progress message now."""
        now = self._clock.now()
        status = await self._service.status(campaign_id)
        sent = await self._progress.sent_since(campaign_id, now - RATE_WINDOW)
        return progress_message(status.record, status.counts, sent, now)

    async def publish_round(self) -> list[Mapping[str, Any]]:
        """Publish one message per live campaign, and one for each campaign that stopped
        being live or changed since the previous round (one started and finished between
        two rounds too); returns what was published."""
        now = self._clock.now()
        live = {r.campaign.id for r in await self._campaigns.list_campaigns(list(LIVE))}
        changed = set(await self._progress.changed_since(self._since)) if self._since else set()
        sent: list[Mapping[str, Any]] = []
        for campaign_id in sorted(live | self._live | changed):
            message = await self.message(campaign_id)
            await self._relay.send(message)
            sent.append(message)
        self._live, self._since = live, now - CHANGE_MARGIN
        return sent

    def request_stop(self) -> None:
        """Stop after the round under way (a query is never cancelled midway)."""
        self._stopped.set()

    async def run(self, lease: RedisLease, period: float = PUBLISH_SECONDS) -> None:
        """A round every `period` seconds while this instance holds `lease` (taken when
        free), until `request_stop`; a failed round is logged and the next one tried."""
        held = False
        while not self._stopped.is_set() and not cancel_requested():
            try:
                held = await (lease.renew() if held else lease.acquire())
                if held:
                    await self.publish_round()
            except (RedisError, SQLAlchemyError, OSError) as err:
                log.warning("campaign progress not published: %s", err)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), period)
        if held:
            with contextlib.suppress(RedisError, OSError):
                await lease.release()
