"""What the campaign reports read (SQL adapters in `callcenter.storage` implement them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from outbound.models import TargetPreview
from outbound.reports.models import AttemptLine, AttemptWait


class AttemptWaits(Protocol):
    """Reads why a campaign's attempts wait."""

    async def waits(self, campaign_id: int, now: datetime) -> list[AttemptWait]:
        """The campaign's waiting attempts grouped by reason, earliest first (those not up
        to the clock last)."""


class CampaignReads(Protocol):
    """Reads of a campaign's stored rows."""

    def attempt_lines(self, campaign_id: int) -> AsyncIterator[AttemptLine]:
        """Every attempt of the campaign, by target then attempt number (streamed)."""

    async def stored_targets(self, campaign_id: int, sample: int = 10) -> TargetPreview:
        """How many targets the campaign has and its first `sample` of them."""
