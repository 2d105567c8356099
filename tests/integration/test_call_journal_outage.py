"""Issue 17: call writes survive PostgreSQL being down, on a PRIVATE server stopped and
started by the test: calls keep being answered, their events are journaled, and when the
server is back they arrive in order (calls in = records out). Also a writer killed with
SIGKILL: every write it acknowledged is replayed from its journal."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.journal.replay import JournalReplayer
from callcenter.calls.models import CallEventType, CallState, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.core.errors import UnavailableError
from callcenter.devtools.servers import free_port
from callcenter.storage import db, migrate
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.journal import FileCallJournal
from callcenter.storage.pg import FastPg
from tests.conftest import BACKENDS, NOW
from tests.pg_private import PrivatePostgres, private_postgres

pytestmark = pytest.mark.skipif(BACKENDS == "embedded", reason="needs a real PostgreSQL")

E = CallEventType
HOTLINE = "+861095598"
DEADLINE_SECONDS = 15.0
ACKED_WRITES = 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    with private_postgres() as started:
        yield started


@pytest.fixture
async def engine(server: PrivatePostgres) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(server.url, pool_size=4)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def fast(engine: AsyncEngine) -> AsyncIterator[FastPg]:
    pool = FastPg.for_engine(engine, 4)
    assert pool is not None
    yield pool
    await pool.close()


async def _replayed(journal: FileCallJournal, replayer: JournalReplayer) -> None:
    """Run the replayer until the journal is empty, within the deadline."""
    task = asyncio.create_task(replayer.run())
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while journal.pending():
            assert time.monotonic() < deadline, f"{journal.pending()} writes not replayed"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()


async def _call(service: CallService, number: int) -> str:
    ref = ProviderRef("twilio", f"CA{number:04d}")
    call = await service.start(Direction.INBOUND, f"+86138000{number:05d}", HOTLINE, ref)
    await service.record(call.id, E.IVR_ENTERED)
    return call.id


async def test_events_written_while_postgres_is_down_arrive_in_order(
    server: PrivatePostgres, engine: AsyncEngine, fast: FastPg, tmp_path: Path
) -> None:
    repo = SqlCallRepository(engine, fast)
    service = CallService(repo, ManualClock(NOW))
    journal = FileCallJournal(tmp_path / "journal")
    service.use_journal(journal)
    before = [await _call(service, n) for n in range(3)]
    elsewhere = await _call(CallService(repo, ManualClock(NOW)), 99)  # another process's

    server.stop()
    with pytest.raises(UnavailableError):  # no record of it here to fold onto: 503
        await service.record(elsewhere, E.HUNG_UP, {"reason": "caller"})
    during = [await _call(service, n) for n in range(3, 6)]
    for call_id in before + during:
        await service.record(call_id, E.DIGITS_RECEIVED, {"digits": "1"})
        queued = await service.record(call_id, E.QUEUED, {"queue": "general"})
        assert queued.state is CallState.QUEUED  # derived in memory, as the IVR needs
    found = await service.find_by_provider(ProviderRef("twilio", "CA0004"))
    assert found is not None and found.id == during[1]
    assert journal.pending() == 3 * 2 + 6 * 2  # starts, IVR entries, then two each
    assert journal.path.stat().st_size > 0

    server.start()
    await _replayed(journal, JournalReplayer(SqlCallRepository(engine, fast), journal))
    assert journal.path.stat().st_size == 0

    for call_id in before + during:
        events = await repo.events(call_id)
        assert [e.seq for e in events] == [1, 2, 3, 4]
        assert [e.type for e in events] == [E.STARTED, E.IVR_ENTERED, E.DIGITS_RECEIVED, E.QUEUED]
        record = await repo.get(call_id)
        assert record is not None and record.state is CallState.QUEUED
    # after the backlog, writes go straight to the database again
    after = await service.record(during[0], E.HUNG_UP, {"reason": "caller"})
    assert after.last_seq == 5 and journal.pending() == 0
    await journal.close()


async def test_writer_killed_mid_call_loses_nothing_it_acknowledged(
    server: PrivatePostgres, engine: AsyncEngine, fast: FastPg, tmp_path: Path
) -> None:
    directory = tmp_path / "journal"
    down = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres"
    argv = [sys.executable, "-m", "tests.journal_writer", str(directory), down]
    acked: dict[str, int] = {}
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True) as writer:
        try:
            assert writer.stdout is not None
            while sum(acked.values()) < ACKED_WRITES:
                line = writer.stdout.readline()
                assert line, "the writer stopped early"
                _, call_id = line.split()
                acked[call_id] = acked.get(call_id, 0) + 1
        finally:
            os.kill(writer.pid, signal.SIGKILL)

    journal = FileCallJournal(directory)
    assert journal.pending() >= sum(acked.values())
    await JournalReplayer(SqlCallRepository(engine, fast), journal).replay()
    repo = SqlCallRepository(engine, fast)
    for call_id, writes in acked.items():
        events = await repo.events(call_id)
        assert len(events) >= writes
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
    await journal.close()
