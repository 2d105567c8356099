"""What outage administration needs from storage."""

from __future__ import annotations

from typing import Protocol

from callcenter.core.audit import Stamp
from callcenter.outages.models import NewOutage, Outage, OutageChanges, OutageStatus


class OutageStore(Protocol):
    """Outages with their feeders and service points; each write audited in its own
    transaction."""

    async def create(self, new: NewOutage, status: OutageStatus, stamp: Stamp) -> Outage:
        """Store a new outage: `UnknownFeederError`, `UnknownServicePointError`."""

    async def get(self, outage_id: int) -> Outage | None:
        """One outage."""

    async def search(self, statuses: frozenset[OutageStatus], limit: int) -> list[Outage]:
        """Outages in these statuses (all when empty), newest start first."""

    async def update(
        self, outage_id: int, changes: OutageChanges, action: str, stamp: Stamp
    ) -> Outage:
        """Apply checked changes (the store keeps the before and after in the audit log)."""


# ---

from callcenter.outages.models import OutageEvent  # noqa: E402


class OutageEvents(Protocol):
    """Who hears of outage events once they are stored (the outage-notice policies). A
    failure here never undoes or fails the outage change."""

    async def published(self, event: OutageEvent) -> None:
        """Take one event (quickly: slow work goes on in the background)."""
