"""Issue 17: replaying the call journal is idempotent: a replay cut short (the process
killed before the journal was emptied) is run again and stores every event once."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.journal.replay import JournalReplayer
from callcenter.calls.models import CallEvent, CallEventType, CallState, ProviderRef
from callcenter.core.ids import new_id
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.journal import FileCallJournal
from callcenter.storage.pg import FastPg
from tests.conftest import NOW

E = CallEventType
STARTED = {"direction": "inbound", "from_number": "+8613800138000", "to_number": "95598"}


async def _journal(directory: Path, call_id: str) -> None:
    journal = FileCallJournal(directory)
    start = CallEvent(call_id, 1, NOW, E.STARTED, STARTED)
    await journal.append(call_id, [start], ProviderRef("twilio", "CAreplay"), opens=True)
    await journal.append(call_id, [CallEvent(call_id, 2, NOW, E.IVR_ENTERED, {})])
    await journal.append(call_id, [CallEvent(call_id, 3, NOW, E.QUEUED, {"queue": "general"})])
    await journal.close()


async def _replay(directory: Path, repo: SqlCallRepository) -> int:
    journal = FileCallJournal(directory)
    try:
        return await JournalReplayer(repo, journal).replay()
    finally:
        await journal.close()


async def test_a_replay_run_twice_stores_each_event_once(
    engine: AsyncEngine, fast_pg: FastPg | None, tmp_path: Path
) -> None:
    repo = SqlCallRepository(engine, fast_pg)
    call_id = new_id(NOW)
    await _journal(tmp_path / "first", call_id)
    shutil.copytree(tmp_path / "first", tmp_path / "again")  # as left by a killed replay

    assert await _replay(tmp_path / "first", repo) == 3
    assert await _replay(tmp_path / "again", repo) == 3

    events = await repo.events(call_id)
    assert [(e.seq, e.type) for e in events] == [(1, E.STARTED), (2, E.IVR_ENTERED), (3, E.QUEUED)]
    record = await repo.get(call_id)
    assert record is not None and record.state is CallState.QUEUED and record.last_seq == 3
