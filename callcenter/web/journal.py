"""Issue 17 (journal): the call journal wired into the app: opened at start-up, replayed
before serving, then replayed in the background whenever the database comes back.

A non-empty journal is replayed BEFORE the server serves (in the cleanup context, after the
database is reached and migrated): the replay is short (a backlog of one outage) and reads
stay simple, since the database then holds every call this process acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from callcenter.calls.journal.replay import JournalReplayer
from callcenter.config import Settings
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.journal import FileCallJournal
from callcenter.web.keys import CALLS, ENGINE, FAST_PG, SETTINGS

log = logging.getLogger(__name__)


class JournalBacklog:
    """What `/readyz` reads: how many call writes wait in the journal (0 when none)."""

    def __init__(self) -> None:
        self.journal: FileCallJournal | None = None

    def pending(self) -> int:
        return 0 if self.journal is None else self.journal.pending()


JOURNAL_BACKLOG = web.AppKey("journal_backlog", JournalBacklog)


def journal_dir(settings: Settings) -> Path:
    """`[storage] journal_dir`, else `journal` beside the SQLite file, else in the data
    directory (where the SQLite file would be)."""
    if settings.storage.journal_dir:
        return Path(settings.storage.journal_dir).absolute()
    sqlite = settings.sqlite_file
    return (sqlite.parent if sqlite is not None else Path(settings.server.data_dir)) / "journal"


def setup_journal(app: web.Application) -> None:
    """Expose the backlog and open the journal at start-up (after the stores)."""
    if not app[SETTINGS].storage.journal:
        return
    backlog = app[JOURNAL_BACKLOG] = JournalBacklog()

    async def journal(app: web.Application) -> AsyncIterator[None]:
        opened = FileCallJournal(journal_dir(app[SETTINGS]))
        repository = SqlCallRepository(app[ENGINE], app.get(FAST_PG))
        replayer = JournalReplayer(repository, opened)
        try:
            await replayer.replay()
        except Exception as err:
            if not opened.unavailable(err):
                raise
            log.warning("the journal could not be replayed yet: %s", err)
        app[CALLS].use_journal(opened)
        backlog.journal = opened
        task = asyncio.create_task(replayer.run(), name="call-journal-replay")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await opened.close()

    app.cleanup_ctx.append(journal)
