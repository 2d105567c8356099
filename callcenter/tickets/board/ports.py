"""What the ticket board needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.tickets.board.models import SlaCount


class SlaCounter(Protocol):
    """Counts of open tickets for the board and the wallboard."""

    async def counts(self, now: datetime) -> list[SlaCount]:
        """Open (not closed or cancelled) tickets per team and SLA level, with how many
        are overdue at `now` and how many are escalated."""
