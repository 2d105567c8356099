"""Issue 17 (speed): a call's start and what happens with it (the IVR entered) are stored in
one write, also through the journal and its replay, and a provider's retry stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.journal.replay import JournalReplayer
from callcenter.calls.models import CallEvent, CallEventType, CallState, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.core.ids import new_id
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.journal import FileCallJournal
from callcenter.storage.pg import FastPg
from tests.conftest import NOW

E = CallEventType
STARTED = {"direction": "inbound", "from_number": "+8613800138000", "to_number": "95598"}
REF = ProviderRef("twilio", "CAstartevents")


@pytest.fixture
def repo(engine: AsyncEngine, fast_pg: FastPg | None) -> SqlCallRepository:
    return SqlCallRepository(engine, fast_pg)


async def test_start_stores_the_events_that_come_with_it(
    repo: SqlCallRepository, clock: ManualClock
) -> None:
    calls = CallService(repo, clock)
    record = await calls.start(
        Direction.INBOUND, "+8613800138000", "95598", REF, then=[(E.IVR_ENTERED, {})]
    )
    assert record.state is CallState.IVR and record.last_seq == 2

    again = await calls.start(
        Direction.INBOUND, "+8613800138000", "95598", REF, then=[(E.IVR_ENTERED, {})]
    )
    assert again.id == record.id
    events = await repo.events(record.id)
    assert [(e.seq, e.type) for e in events] == [(1, E.STARTED), (2, E.IVR_ENTERED)]
    stored = await repo.get(record.id)
    assert stored is not None and stored.state is CallState.IVR and stored.last_seq == 2


async def test_a_journaled_start_with_its_events_is_replayed_whole(
    repo: SqlCallRepository, tmp_path: Path
) -> None:
    call_id = new_id(NOW)
    journal = FileCallJournal(tmp_path)
    opening = [
        CallEvent(call_id, 1, NOW, E.STARTED, STARTED),
        CallEvent(call_id, 2, NOW, E.IVR_ENTERED, {}),
    ]
    await journal.append(call_id, opening, REF, opens=True)
    await journal.append(call_id, [CallEvent(call_id, 3, NOW, E.QUEUED, {"queue": "general"})])
    await journal.close()

    journal = FileCallJournal(tmp_path)
    try:
        assert await JournalReplayer(repo, journal).replay() == 2
    finally:
        await journal.close()

    events = await repo.events(call_id)
    assert [(e.seq, e.type) for e in events] == [(1, E.STARTED), (2, E.IVR_ENTERED), (3, E.QUEUED)]
    record = await repo.get(call_id)
    assert record is not None and record.state is CallState.QUEUED and record.last_seq == 3
