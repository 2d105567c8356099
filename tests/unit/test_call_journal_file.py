"""Issue 17: the call journal file (durable, ordered, torn lines ignored, emptied once
replayed, one file per process) and which errors mean "the database is unavailable"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from callcenter.calls.journal.ports import JournalEntry
from callcenter.calls.models import CallEvent, CallEventType, ProviderRef
from callcenter.core.errors import UnavailableError
from callcenter.storage.journal import FileCallJournal, database_unavailable, decode, encode
from tests.conftest import NOW

E = CallEventType
REF = ProviderRef("twilio", "CA0001")


def _event(seq: int, kind: CallEventType = E.DIGITS_RECEIVED) -> CallEvent:
    return CallEvent("01call", seq, NOW, kind, {"digits": "1", "名": "张三"})


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[FileCallJournal]:
    opened = FileCallJournal(tmp_path)
    yield opened
    await opened.close()


async def test_entries_survive_a_reopen_in_order(tmp_path: Path) -> None:
    first = FileCallJournal(tmp_path)
    await first.append("01call", [_event(1, E.STARTED)], REF, opens=True)
    await first.append("01call", [_event(2), _event(3)])
    await first.close()

    again = FileCallJournal(tmp_path)
    entries = again.backlog()
    assert [e.number for e in entries] == [1, 2]
    assert entries[0].opens and entries[0].ref == REF
    assert [e.seq for e in entries[1].events] == [2, 3]
    assert entries[1].events[0] == _event(2)
    await again.append("01call", [_event(4)])
    assert again.backlog()[-1].number == 3  # numbering goes on from the file
    await again.close()


async def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    first = FileCallJournal(tmp_path)
    await first.append("01call", [_event(2)])
    await first.close()
    with first.path.open("a", encoding="utf-8") as file:
        file.write('{"n": 2, "call": "01ca')  # killed while writing: never acknowledged
    again = FileCallJournal(tmp_path)
    assert [e.number for e in again.backlog()] == [1]
    await again.close()


async def test_replayed_entries_leave_and_the_file_is_emptied(journal: FileCallJournal) -> None:
    for seq in (2, 3, 4):
        await journal.append("01call", [_event(seq)])
    journal.replayed(2)
    assert journal.pending() == 1 and journal.path.stat().st_size > 0
    journal.replayed(3)
    assert journal.pending() == 0 and journal.path.stat().st_size == 0


async def test_each_process_gets_its_own_file(journal: FileCallJournal, tmp_path: Path) -> None:
    second = FileCallJournal(tmp_path)
    assert second.path != journal.path
    await second.close()


@pytest.mark.parametrize(
    ("make", "unavailable"),
    [
        (lambda: ConnectionRefusedError(111, "refused"), True),
        (lambda: ConnectionResetError(104, "reset"), True),
        (lambda: TimeoutError(), True),
        (lambda: sa_exc.OperationalError("SELECT", {}, Exception("server closed")), True),
        (lambda: sa_exc.InterfaceError("SELECT", {}, Exception("closed")), True),
        (lambda: sa_exc.TimeoutError("QueuePool limit reached"), True),
        (lambda: asyncpg.ConnectionDoesNotExistError("closed mid-operation"), True),
        (lambda: asyncpg.CannotConnectNowError("starting up"), True),
        (lambda: UnavailableError("database unreachable"), True),
        (lambda: sa_exc.IntegrityError("INSERT", {}, Exception("duplicate")), False),
        (lambda: asyncpg.UniqueViolationError("duplicate key"), False),
        (lambda: ValueError("bad value"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(
    make: Callable[[], BaseException], unavailable: bool
) -> None:
    assert database_unavailable(make()) is unavailable


def test_a_wrapped_connection_error_counts() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "refused")
        except OSError as err:
            raise RuntimeError("pool") from err
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)


def test_a_line_holds_its_entry() -> None:
    entry = JournalEntry(7, "01call", (_event(2), _event(3)), REF)
    assert decode(encode(entry)) == entry
