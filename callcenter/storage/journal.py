"""`FileCallJournal`: call writes kept on local disk while the database is unavailable.

One JSON object per line, each with a journal number (`n`) that grows by one; appends are
written and fsynced in batches (every `flush_seconds` or `flush_records` entries, whichever
comes first) and each caller waits for its own batch's fsync, so a write that was
acknowledged is on disk. When every entry has been replayed the file is truncated. A torn
last line (the process killed while writing it, so never acknowledged) is ignored on load.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import asyncpg
from sqlalchemy import exc as sa_exc

from callcenter.calls.journal.ports import JournalEntry
from callcenter.calls.models import CallEvent, CallEventType, ProviderRef
from callcenter.core.errors import UnavailableError

log = logging.getLogger(__name__)

FILE_NAME = "calls-{slot}.jsonl"  # one per server process: the first slot not locked
SLOTS = 64
FLUSH_SECONDS = 0.02
FLUSH_RECORDS = 100

# The database cannot be reached: connection refused/reset/closed, pool timeout, server
# shutting down. Constraint violations and bad statements are not among them.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    UnavailableError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what it wraps) says the database cannot be reached."""
    if isinstance(error, sa_exc.IntegrityError | asyncpg.IntegrityConstraintViolationError):
        return False
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, _UNAVAILABLE):
        return True
    cause = error.__cause__
    return cause is not None and cause is not error and database_unavailable(cause)


def encode(entry: JournalEntry) -> str:
    """One journal line (without the newline)."""
    body: dict[str, Any] = {
        "n": entry.number,
        "call": entry.call_id,
        "events": [[e.seq, e.at.isoformat(), e.type.value, e.data] for e in entry.events],
    }
    if entry.opens:
        body["opens"] = True
    if entry.ref is not None:
        body["ref"] = [entry.ref.provider, entry.ref.provider_id]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode(line: str) -> JournalEntry:
    """The entry of one journal line (`ValueError`/`KeyError` when it is not one)."""
    body = json.loads(line)
    call_id = str(body["call"])
    events = tuple(
        CallEvent(call_id, int(seq), datetime.fromisoformat(at), CallEventType(kind), dict(data))
        for seq, at, kind, data in body["events"]
    )
    ref = ProviderRef(*body["ref"]) if "ref" in body else None
    return JournalEntry(int(body["n"]), call_id, events, ref, bool(body.get("opens", False)))


def _load(path: Path) -> deque[JournalEntry]:
    entries: deque[JournalEntry] = deque()
    if not path.exists():
        return entries
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(decode(line))
            except (ValueError, KeyError, TypeError) as err:
                log.warning("%s line %d is not a journal entry (%s); ignored", path, number, err)
    return entries


def _claim(directory: Path) -> TextIO:
    """The first journal file of `directory` no other process holds, opened and locked
    (the lock goes with the process, also when it is killed)."""
    for slot in range(SLOTS):
        file = (directory / FILE_NAME.format(slot=slot)).open("a", encoding="utf-8")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            continue
        return file
    raise UnavailableError(f"all {SLOTS} call journal files in {directory} are in use")


class FileCallJournal:
    """Implements `CallJournal` over an append-only file in `directory`."""

    def __init__(
        self,
        directory: Path,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        flush_records: int = FLUSH_RECORDS,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._file = _claim(directory)
        self.path = Path(self._file.name)
        self._entries = _load(self.path)
        self._next = self._entries[-1].number + 1 if self._entries else 1
        self._flush_seconds = flush_seconds
        self._flush_records = flush_records
        self._waiting: list[tuple[JournalEntry, asyncio.Future[None]]] = []
        self._full = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        if self._entries:
            log.warning("call journal %s holds %d writes to replay", self.path, len(self))

    def __len__(self) -> int:
        return len(self._entries) + len(self._waiting)

    def pending(self) -> int:
        return len(self)

    def unavailable(self, error: BaseException) -> bool:
        return database_unavailable(error)

    async def append(
        self,
        call_id: str,
        events: Sequence[CallEvent],
        ref: ProviderRef | None = None,
        *,
        opens: bool = False,
    ) -> None:
        entry = JournalEntry(self._next, call_id, tuple(events), ref, opens)
        self._next += 1
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, done))
        if len(self._waiting) >= self._flush_records:
            self._full.set()
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_soon(), name="call-journal-flush")
        await asyncio.shield(done)

    def backlog(self) -> list[JournalEntry]:
        return list(self._entries)

    def replayed(self, number: int) -> None:
        while self._entries and self._entries[0].number <= number:
            self._entries.popleft()
        if not self._entries and not self._waiting and self._flusher is None:
            self._file.truncate(0)
            self._file.seek(0)
            os.fsync(self._file.fileno())

    async def close(self) -> None:
        """Write what is waiting, then close the file."""
        if self._flusher is not None:
            self._full.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        self._file.close()

    async def _flush_soon(self) -> None:
        try:
            while self._waiting:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._flush_seconds)
                self._full.clear()
                batch, self._waiting = self._waiting, []
                try:
                    await asyncio.to_thread(self._write, [encode(e) for e, _ in batch])
                except OSError as err:
                    for _, done in batch:
                        done.set_exception(err)
                    continue
                for entry, done in batch:
                    self._entries.append(entry)
                    if not done.done():
                        done.set_result(None)
        finally:
            self._flusher = None

    def _write(self, lines: list[str]) -> None:
        self._file.write("".join(f"{line}\n" for line in lines))
        self._file.flush()
        os.fsync(self._file.fileno())
