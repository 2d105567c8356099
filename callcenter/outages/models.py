"""Outages as operators manage them, and the errors their edits may raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from callcenter.core.errors import ConflictError, InvalidInputError, NotFoundError


class OutageKind(StrEnum):
    """故障停电 fault, 计划停电 planned (notice 7 days ahead), 临时停电 temporary (24 h)."""

    PLANNED = "planned"
    FAULT = "fault"
    TEMPORARY = "temporary"


class OutageStatus(StrEnum):
    """Scheduled (starts later), active, and the two ends: restored, cancelled."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    RESTORED = "restored"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        """Restored or cancelled: no more changes."""
        return self in (OutageStatus.RESTORED, OutageStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class Outage:
    """An outage with the feeders and service points it cuts."""

    id: int
    kind: OutageKind
    status: OutageStatus
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None
    restored_at: datetime | None
    feeders: tuple[str, ...]
    service_points: tuple[int, ...]
    created_at: datetime
    updated_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready, for the audit log."""
        times = {
            "start_at": self.start_at,
            "estimated_restoration_at": self.estimated_restoration_at,
            "restored_at": self.restored_at,
        }
        return {
            "kind": self.kind.value,
            "status": self.status.value,
            "area": self.area,
            "cause": self.cause,
            **{k: v.isoformat() if v else None for k, v in times.items()},
            "feeders": list(self.feeders),
            "service_points": list(self.service_points),
        }


@dataclass(frozen=True, slots=True)
class NewOutage:
    """An outage to declare."""

    kind: OutageKind
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None
    feeders: tuple[str, ...] = ()
    service_points: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class OutageChanges:
    """What an update may change (None: unchanged); `status` restored or cancelled closes the
    outage (restored at `restored_at`, or now)."""

    area: str | None = None
    cause: str | None = None
    estimated_restoration_at: datetime | None = None
    status: OutageStatus | None = None
    restored_at: datetime | None = None


class NoSuchOutageError(NotFoundError):
    """No outage with that id."""

    default_code = "no-such-outage"


class OutageClosedError(ConflictError):
    """The outage is restored or cancelled already."""

    default_code = "outage-closed"


class UnknownFeederError(InvalidInputError):
    """A feeder no service point is on."""

    default_code = "no-such-feeder"


class UnknownServicePointError(InvalidInputError):
    """A service point id that does not exist."""

    default_code = "no-such-service-point"


# --- the events outage administration publishes ---


class OutageEventKind(StrEnum):
    """What happened to an outage, for the policies that follow outages (notices)."""

    CREATED = "created"
    ETR_CHANGED = "etr-changed"  # the estimated restoration time of an open outage changed
    RESTORED = "restored"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OutageEvent:
    """One event: the outage as stored after it, and before it (None for a creation)."""

    kind: OutageEventKind
    outage: Outage
    before: Outage | None = None
