"""The only writer of call records: start calls, append events, read records back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callcenter.calls.lifecycle import apply, open_record
from callcenter.calls.models import (
    CallEvent,
    CallEventType,
    CallQuery,
    CallRecord,
    Direction,
    LinkedTicket,
    NoSuchCallError,
    ProviderRef,
)
from callcenter.calls.ports import CallRepository
from callcenter.core.clock import Clock
from callcenter.core.ids import new_id
from callcenter.core.phone import mask

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallDetail:
    """A record with its timeline and linked tickets."""

    record: CallRecord
    events: list[CallEvent]
    tickets: list[LinkedTicket]


class CallService:
    """Owns the call lifecycle; everything that happens to a call goes through `record`."""

    def __init__(self, repository: CallRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def start(
        self,
        direction: Direction,
        from_number: str,
        to_number: str,
        ref: ProviderRef | None = None,
        at: datetime | None = None,
        *,
        simulated: bool = False,
    ) -> CallRecord:
        """Open a call (or return the one `ref` already maps to: providers retry);
        `simulated` marks a call placed by the simulator (left out of reports)."""
        when = at or self._clock.now()
        call_id = new_id(when)
        data: dict[str, Any] = {
            "direction": direction.value,
            "from_number": from_number,
            "to_number": to_number,
        }
        if ref is not None:
            data |= {"provider": ref.provider, "provider_id": ref.provider_id}
        if simulated:
            data["simulated"] = True
        event = CallEvent(call_id, 1, when, CallEventType.STARTED, data)
        record = open_record(event)
        stored_id = await self._repo.create(record, event, ref)
        if stored_id != call_id:
            return await self.get(stored_id)  # a retry: the call the provider id maps to
        log.info("call %s started %s from %s", call_id, direction, mask(from_number))
        return record

    async def record(
        self,
        call_id: str,
        type: CallEventType,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> CallRecord:
        """Append one event and return the record as it now stands."""
        return await self.record_many(call_id, [(type, data or {})], at)

    async def record_many(
        self,
        call_id: str,
        events: list[tuple[CallEventType, dict[str, Any]]],
        at: datetime | None = None,
    ) -> CallRecord:
        """Append several events in one transaction (what one request did to the call)."""
        when = at or self._clock.now()
        batch = [CallEvent(call_id, 0, when, kind, data) for kind, data in events]
        return await self._repo.append(call_id, batch, apply)

    async def link_provider(self, call_id: str, ref: ProviderRef) -> None:
        """Map another provider id (an agent leg, a Linkedid) to the call."""
        await self._repo.link_provider(call_id, ref)

    async def find_by_provider(self, ref: ProviderRef) -> CallRecord | None:
        """The call a provider id maps to, if any."""
        return await self._repo.record_by_provider(ref)

    async def get(self, call_id: str) -> CallRecord:
        """The record, or `NoSuchCallError`."""
        record = await self._repo.get(call_id)
        if record is None:
            raise NoSuchCallError(f"no call with id {call_id!r}")
        return record

    async def detail(self, call_id: str) -> CallDetail:
        """The record with its timeline and tickets."""
        record = await self.get(call_id)
        events = await self._repo.events(call_id)
        tickets = await self._repo.tickets(call_id)
        return CallDetail(record, events, tickets)

    async def search(self, query: CallQuery) -> tuple[list[CallRecord], int]:
        """Records matching `query`, newest first, and the total count."""
        return await self._repo.search(query)
