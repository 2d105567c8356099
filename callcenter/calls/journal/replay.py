"""The journal's replayer: call events written while the database was unavailable are
written to it, in order, when it is back.

Replay is idempotent: an entry carries the events' `seq` numbers, and an event whose seq the
stored call has already reached is skipped, so a replay cut short (a crash, the database
failing again) is simply run again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from callcenter.calls.journal.ports import CallJournal, JournalEntry
from callcenter.calls.lifecycle import apply, rebuild
from callcenter.calls.ports import CallRepository
from callcenter.core.errors import CallcenterError
from callcenter.core.tasks import cancel_requested

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.5  # how often an empty journal is looked at
FIRST_RETRY_SECONDS = 0.2
LONGEST_RETRY_SECONDS = 5.0


Sleep = Callable[[float], Awaitable[None]]


class JournalReplayer:
    """Writes the journal's backlog to the call repository, oldest first."""

    def __init__(self, repository: CallRepository, journal: CallJournal) -> None:
        self._repo = repository
        self._journal = journal

    async def replay(self) -> int:
        """Write every pending entry; returns how many. Errors propagate (the caller
        decides whether to retry); what was written before stays marked as written."""
        done = 0
        while entries := self._journal.backlog():
            for entry in entries:
                await self._write(entry)
                self._journal.replayed(entry.number)
                done += 1
        if done:
            log.info("replayed %d journaled call writes into the database", done)
        return done

    async def run(self, sleep: Sleep = asyncio.sleep) -> None:
        """Replay whenever there is a backlog, retrying with backoff while the database
        is unavailable; runs until cancelled (also when a database client swallows the
        cancellation: a shutdown with the database down then still ends)."""
        delay = FIRST_RETRY_SECONDS
        while not cancel_requested():
            # what is written to disk; entries still waiting for their fsync are not yet
            # (waiting on `pending()` instead, this loop spun without ever yielding)
            if not self._journal.backlog():
                delay = FIRST_RETRY_SECONDS
                await sleep(IDLE_SECONDS)
                continue
            try:
                await self.replay()
            except Exception as err:  # any failure: retry later
                if not self._journal.unavailable(err):
                    log.exception("journal replay failed; retrying")
                await sleep(delay)
                delay = min(delay * 2, LONGEST_RETRY_SECONDS)

    async def _write(self, entry: JournalEntry) -> None:
        if entry.opens:
            await self._open(entry)
            return
        stored = await self._repo.get(entry.call_id)
        if stored is None:
            log.error("journal entry %d: call %s is not stored; skipped", entry.number,
                      entry.call_id)  # fmt: skip
            return
        missing = [e for e in entry.events if e.seq > stored.last_seq]
        if not missing:
            return  # already written (a replay cut short and run again)
        try:
            await self._repo.append(entry.call_id, missing, apply)
        except CallcenterError as err:  # a transition the stored record refuses
            log.error("journal entry %d for call %s skipped: %s", entry.number,
                      entry.call_id, err)  # fmt: skip

    async def _open(self, entry: JournalEntry) -> None:
        if await self._repo.get(entry.call_id) is not None:
            return
        await self._repo.create(rebuild(entry.events), entry.events, entry.ref)
