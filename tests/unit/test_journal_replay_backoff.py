"""Issue 17: the journal replayer retries with backoff while the database is unavailable
(time passed in: the sleeps are recorded, never slept)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from callcenter.calls.journal.ports import JournalEntry
from callcenter.calls.journal.replay import JournalReplayer
from callcenter.calls.models import CallEvent, CallEventType
from tests.conftest import NOW

ENTRY = JournalEntry(1, "01call", (CallEvent("01call", 2, NOW, CallEventType.IVR_ENTERED, {}),))


class DownJournal:
    """One entry waiting; the database never answers (what the replayer uses of a journal)."""

    def pending(self) -> int:
        return 1

    def unavailable(self, error: BaseException) -> bool:
        return isinstance(error, OSError)

    def backlog(self) -> list[JournalEntry]:
        return [ENTRY]

    def replayed(self, number: int) -> None:
        raise AssertionError("nothing can be replayed")


class DownRepository:
    async def get(self, call_id: str) -> Any:
        raise ConnectionRefusedError(111, "Connect call failed")


def counted_sleeps(rounds: int) -> tuple[list[float], Callable[[float], Awaitable[None]]]:
    """A sleep that records its seconds and cancels the replayer at the `rounds`-th."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == rounds:
            raise asyncio.CancelledError

    return slept, sleep


async def test_retries_back_off_up_to_a_ceiling() -> None:
    slept, sleep = counted_sleeps(8)
    replayer = JournalReplayer(DownRepository(), DownJournal())  # type: ignore[arg-type]
    with pytest.raises(asyncio.CancelledError):
        await replayer.run(sleep)
    assert slept == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]


class SwallowingRepository:
    """A database client that turns the cancel of its connect into a connection error (as
    a library racing its own time-out can): the cancellation is lost to the caller."""

    def __init__(self) -> None:
        self.connecting = asyncio.Event()

    async def get(self, call_id: str) -> Any:
        self.connecting.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise ConnectionResetError(104, "connection closed while connecting") from None


async def test_a_cancel_swallowed_by_the_database_client_still_stops_the_replayer() -> None:
    repository = SwallowingRepository()
    rounds: list[float] = []

    async def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) > 50:  # the loop went on after the cancel
            raise AssertionError("the replayer kept retrying after it was cancelled")

    replayer = JournalReplayer(repository, DownJournal())  # type: ignore[arg-type]
    task = asyncio.create_task(replayer.run(sleep))
    await repository.connecting.wait()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)  # before the fix: a second connect, forever
    assert done, "the replayer went on after it was cancelled"
    task.result()  # ended (no CancelledError: the client swallowed it) after the failed round
    assert rounds == [0.2]


class SyncingJournal(DownJournal):
    """An entry appended and waiting for its fsync: pending, but nothing to replay yet."""

    def __init__(self) -> None:
        self.looks = 0

    def backlog(self) -> list[JournalEntry]:
        self.looks += 1
        if self.looks > 1000:  # before the fix: the loop never yielded to the flusher
            raise AssertionError("the replayer spun without yielding")
        return []


async def test_entries_waiting_for_their_fsync_leave_the_loop_free() -> None:
    slept, sleep = counted_sleeps(3)
    replayer = JournalReplayer(DownRepository(), SyncingJournal())  # type: ignore[arg-type]
    with pytest.raises(asyncio.CancelledError):
        await replayer.run(sleep)
    assert slept == [0.5, 0.5, 0.5]  # it waits, as with an empty journal
