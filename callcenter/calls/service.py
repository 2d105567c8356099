"""The only writer of call records: start calls, append events, read records back.

With a journal (`use_journal`), a write the database cannot take (it is unreachable) goes to
the journal instead and the record is folded in memory from the last one this service saw,
so the IVR carries on; while the journal holds a backlog every write goes behind it, so a
call's events reach the database in order (`callcenter.calls.journal`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callcenter.calls.journal.ports import CallJournal
from callcenter.calls.lifecycle import apply, rebuild
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
from callcenter.core.errors import UnavailableError
from callcenter.core.ids import new_id
from callcenter.core.phone import mask

log = logging.getLogger(__name__)

KEPT_RECORDS = 20_000  # the last record seen per call: the base of a journaled write


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
        self._journal: CallJournal | None = None
        self._recent: OrderedDict[str, CallRecord] = OrderedDict()
        self._refs: OrderedDict[ProviderRef, str] = OrderedDict()

    def use_journal(self, journal: CallJournal) -> None:
        """Keep writes the database cannot take in `journal` (see the module's notes)."""
        self._journal = journal

    def _behind_journal(self) -> bool:
        return self._journal is not None and self._journal.pending() > 0

    def _offline(self, error: Exception) -> bool:
        return self._journal is not None and self._journal.unavailable(error)

    async def start(
        self,
        direction: Direction,
        from_number: str,
        to_number: str,
        ref: ProviderRef | None = None,
        at: datetime | None = None,
        *,
        simulated: bool = False,
        then: Sequence[tuple[CallEventType, dict[str, Any]]] = (),
    ) -> CallRecord:
        """Open a call (or return the one `ref` already maps to: providers retry);
        `simulated` marks a call placed by the simulator (left out of reports); `then`:
        events that happen with the start (stored with it, in one write)."""
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
        first = CallEvent(call_id, 1, when, CallEventType.STARTED, data)
        events = [first]
        events += [CallEvent(call_id, n, when, t, d) for n, (t, d) in enumerate(then, start=2)]
        record = rebuild(events)
        if self._behind_journal():
            stored_id = await self._journal_start(record, events, ref)
        else:
            try:
                stored_id = await self._repo.create(record, events, ref)
            except Exception as err:
                if not self._offline(err):
                    raise
                stored_id = await self._journal_start(record, events, ref)
        if stored_id != call_id:
            return await self.get(stored_id)  # a retry: the call the provider id maps to
        self._keep(record, ref)
        log.info("call %s started %s from %s", call_id, direction, mask(from_number))
        return record

    async def _journal_start(
        self, record: CallRecord, events: list[CallEvent], ref: ProviderRef | None
    ) -> str:
        assert self._journal is not None
        if ref is not None and ref in self._refs:
            return self._refs[ref]  # a provider's retry of a call journaled already
        await self._journal.append(record.id, events, ref, opens=True)
        log.warning("database unavailable: call %s start journaled", record.id)
        return record.id

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
        if self._behind_journal():
            return await self._journal_events(call_id, batch)
        try:
            record = await self._repo.append(call_id, batch, apply)
        except Exception as err:
            if not self._offline(err):
                raise
            return await self._journal_events(call_id, batch)
        self._keep(record)
        return record

    async def _journal_events(self, call_id: str, batch: list[CallEvent]) -> CallRecord:
        """Number `batch` on from the last record seen, fold it and journal it."""
        assert self._journal is not None
        record = self._recent.get(call_id) or await self._stored(call_id)
        numbered = []
        for event in batch:
            event = CallEvent(call_id, record.last_seq + 1, event.at, event.type, event.data)
            record = apply(record, event)
            numbered.append(event)
        await self._journal.append(call_id, numbered)
        self._keep(record)
        return record

    async def _stored(self, call_id: str) -> CallRecord:
        """The stored record of a call this process has not seen (no journaled writes)."""
        try:
            record = await self._repo.get(call_id)
        except Exception as err:
            if not self._offline(err):
                raise
            raise UnavailableError(f"database unavailable; call {call_id} not known") from err
        if record is None:
            raise NoSuchCallError(f"no call with id {call_id!r}")
        return record

    def _keep(self, record: CallRecord, ref: ProviderRef | None = None) -> None:
        self._recent[record.id] = record
        self._recent.move_to_end(record.id)
        if len(self._recent) > KEPT_RECORDS:
            self._recent.popitem(last=False)
        if ref is not None:
            self._map(ref, record.id)

    def _map(self, ref: ProviderRef, call_id: str) -> None:
        self._refs[ref] = call_id
        if len(self._refs) > KEPT_RECORDS:
            self._refs.popitem(last=False)

    def _remembered(self, call_id: str) -> CallRecord | None:
        """The record kept in memory, when it is at least as new as the stored one."""
        return self._recent.get(call_id) if self._behind_journal() else None

    async def link_provider(self, call_id: str, ref: ProviderRef) -> None:
        """Map another provider id (an agent leg, a Linkedid) to the call."""
        try:
            await self._repo.link_provider(call_id, ref)
        except Exception as err:
            if not self._offline(err):
                raise
            log.warning("database unavailable: provider id of call %s kept in memory", call_id)
        self._map(ref, call_id)

    async def find_by_provider(self, ref: ProviderRef) -> CallRecord | None:
        """The call a provider id maps to, if any."""
        known = self._refs.get(ref)
        if known is not None and (record := self._remembered(known)) is not None:
            return record
        try:
            return await self._repo.record_by_provider(ref)
        except Exception as err:
            if not self._offline(err):
                raise
            return self._recent.get(known) if known is not None else None

    async def get(self, call_id: str) -> CallRecord:
        """The record, or `NoSuchCallError`."""
        record = self._remembered(call_id)
        if record is None:
            try:
                record = await self._stored(call_id)
            except UnavailableError:
                record = self._recent.get(call_id)
                if record is None:
                    raise
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
