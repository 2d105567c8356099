"""Outage administration: check (pure rules), store with an audit entry. The profile and the
IVR read outages from SQL on every look-up, so a change is heard on the next call. Once a
change is stored, its event (created, ETR changed, restored, cancelled) goes to the
`OutageEvents` port; a failure there is logged, never the caller's error."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from callcenter.core.audit import Editor, Stamp
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.outages import rules
from callcenter.outages.models import (
    NewOutage,
    NoSuchOutageError,
    Outage,
    OutageChanges,
    OutageClosedError,
    OutageEvent,
    OutageEventKind,
    OutageStatus,
)
from callcenter.outages.ports import OutageEvents, OutageStore

log = logging.getLogger(__name__)
LIST_LIMIT = 500


class OutageService:
    """Declare, update, close and list outages (operators and admins)."""

    def __init__(
        self,
        store: OutageStore,
        clock: Clock,
        timezone: str,
        events: OutageEvents | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.zone = ZoneInfo(timezone)
        self._events = events

    async def create(self, new: NewOutage, editor: Editor) -> Outage:
        """A new outage, scheduled or active by its start time."""
        new = rules.checked_new(new)
        now = self._clock.now()
        status = rules.status_at_start(new.start_at, now)
        outage = await self._store.create(new, status, Stamp(now, editor))
        log.info("outage %d (%s, %s) declared by %s", outage.id, new.kind, status, editor.role)
        await self._publish([OutageEvent(OutageEventKind.CREATED, outage)])
        return outage

    async def get(self, outage_id: int) -> Outage:
        """One outage, or `no-such-outage`."""
        found = await self._store.get(outage_id)
        if found is None:
            raise NoSuchOutageError(f"no outage with id {outage_id}")
        return found

    async def search(self, statuses: str | None = None) -> list[Outage]:
        """Outages, newest start first; `statuses`: comma-separated (open = scheduled and
        active)."""
        return await self._store.search(parse_statuses(statuses), LIST_LIMIT)

    async def update(self, outage_id: int, changes: OutageChanges, editor: Editor) -> Outage:
        """Change the area, cause or ETR of an open outage, or close it."""
        outage = await self.get(outage_id)
        if outage.status.closed:
            raise OutageClosedError(f"outage {outage_id} is {outage.status} already")
        now = self._clock.now()
        changes = rules.checked_changes(outage, changes, now)
        action = rules.action_of(changes)
        updated = await self._store.update(outage_id, changes, action, Stamp(now, editor))
        log.info("outage %d: %s by %s", outage_id, action, editor.role)
        await self._publish(rules.events_of(outage, updated))
        return updated

    async def _publish(self, events: list[OutageEvent]) -> None:
        """Tell the listener; the change is stored already, so its failure is only logged."""
        if self._events is None:
            return
        for event in events:
            try:
                await self._events.published(event)
            except Exception:
                log.exception("outage %d: the %s event was not taken", event.outage.id, event.kind)


def parse_statuses(text: str | None) -> frozenset[OutageStatus]:
    """`active,scheduled`, `open` (scheduled and active), empty: every status."""
    if not text:
        return frozenset()
    found: set[OutageStatus] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part == "open":
            found |= {OutageStatus.SCHEDULED, OutageStatus.ACTIVE}
            continue
        try:
            found.add(OutageStatus(part))
        except ValueError:
            names = ", ".join([*(s.value for s in OutageStatus), "open"])
            raise InvalidInputError(
                f"unknown outage status {part!r}; use {names}", code="invalid-query"
            ) from None
    return frozenset(found)
