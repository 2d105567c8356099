"""What the campaign reports read (SQL adapters in `callcenter.storage` implement them)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from outbound.reports.models import AttemptWait


class AttemptWaits(Protocol):
    """Reads why a campaign's attempts wait."""

    async def waits(self, campaign_id: int, now: datetime) -> list[AttemptWait]:
        """The campaign's waiting attempts grouped by reason, earliest first (those not up
        to the clock last)."""
