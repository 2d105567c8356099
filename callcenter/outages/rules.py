"""Pure checks of outages: times in order, an area, something cut; naive times are local."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from callcenter.core.errors import InvalidInputError
from callcenter.outages.models import (
    NewOutage,
    Outage,
    OutageChanges,
    OutageEvent,
    OutageEventKind,
    OutageStatus,
)

MAX_TEXT = 500
MAX_TARGETS = 500


def aware(when: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time with its zone; a naive one is local time at the utility."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=zone)


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInputError(f"the {what} must not be empty", code=f"empty-{what}")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"the {what} is at most {MAX_TEXT} characters", code="invalid-body")
    return text


def _etr(start: datetime, etr: datetime | None) -> None:
    if etr is not None and etr <= start:
        raise InvalidInputError(
            f"the estimated restoration time {etr.isoformat()} is not after the start "
            f"{start.isoformat()}",
            code="etr-before-start",
        )


def checked_new(new: NewOutage) -> NewOutage:
    """A new outage: area and cause given, ETR after the start, feeders or service points."""
    feeders = tuple(sorted({f.strip() for f in new.feeders if f.strip()}))
    points = tuple(sorted(set(new.service_points)))
    if not feeders and not points:
        raise InvalidInputError(
            "name the feeders or service points the outage cuts", code="no-outage-scope"
        )
    if len(feeders) + len(points) > MAX_TARGETS:
        raise InvalidInputError(
            f"at most {MAX_TARGETS} feeders and service points", code="invalid-body"
        )
    _etr(new.start_at, new.estimated_restoration_at)
    return NewOutage(
        new.kind,
        _text(new.area, "area"),
        _text(new.cause, "cause"),
        new.start_at,
        new.estimated_restoration_at,
        feeders,
        points,
    )


def status_at_start(start: datetime, now: datetime) -> OutageStatus:
    """A new outage is active once it has started, scheduled before."""
    return OutageStatus.ACTIVE if start <= now else OutageStatus.SCHEDULED


def checked_changes(outage: Outage, changes: OutageChanges, now: datetime) -> OutageChanges:
    """Changes to an open outage: texts not empty, ETR after the start, a close that
    restores (at a time after the start, not in the future) or cancels."""
    if changes.status is not None and not changes.status.closed:
        raise InvalidInputError(
            "status may only be set to restored or cancelled (to close the outage)",
            code="invalid-outage-status",
        )
    if changes.estimated_restoration_at is not None:
        _etr(outage.start_at, changes.estimated_restoration_at)
    restored_at = None
    if changes.status is OutageStatus.RESTORED:
        restored_at = changes.restored_at or now
        if restored_at < outage.start_at or restored_at > now:
            raise InvalidInputError(
                "the restoration time is between the start and now", code="invalid-restored-at"
            )
    elif changes.restored_at is not None:
        raise InvalidInputError(
            'restored_at goes with status "restored"', code="invalid-restored-at"
        )
    return OutageChanges(
        area=None if changes.area is None else _text(changes.area, "area"),
        cause=None if changes.cause is None else _text(changes.cause, "cause"),
        estimated_restoration_at=changes.estimated_restoration_at,
        status=changes.status,
        restored_at=restored_at,
    )


def action_of(changes: OutageChanges) -> str:
    """The audit action: restore, cancel, or update."""
    if changes.status is OutageStatus.RESTORED:
        return "restore"
    return "cancel" if changes.status is OutageStatus.CANCELLED else "update"


# ---


def events_of(before: Outage, after: Outage) -> list[OutageEvent]:
    """The events of an update: closed (restored or cancelled), else a changed ETR, else
    none (an edit of the area or the cause tells nobody). A closed outage has no more."""
    if before.status.closed:
        return []
    if after.status.closed:
        kind = (
            OutageEventKind.RESTORED
            if after.status is OutageStatus.RESTORED
            else OutageEventKind.CANCELLED
        )
        return [OutageEvent(kind, after, before)]
    if after.estimated_restoration_at != before.estimated_restoration_at:
        return [OutageEvent(OutageEventKind.ETR_CHANGED, after, before)]
    return []
