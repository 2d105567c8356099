"""A process that writes calls while the database is unreachable (so into the journal) and
prints one line per acknowledged write, until it is killed: `python -m tests.journal_writer
JOURNAL_DIR DATABASE_URL`. The kill -9 test reads its lines, kills it, and replays."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from callcenter.calls.models import CallEventType, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.core.clock import SystemClock
from callcenter.storage import db
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.journal import FileCallJournal
from callcenter.storage.pg import FastPg


async def main(directory: Path, url: str) -> None:
    engine = db.create_engine(url, pool_size=2)
    service = CallService(SqlCallRepository(engine, FastPg.for_engine(engine, 2)), SystemClock())
    service.use_journal(FileCallJournal(directory))
    number = 0
    while True:
        number += 1
        ref = ProviderRef("twilio", f"CA{number:06d}")
        call = await service.start(Direction.INBOUND, f"+86138{number:08d}", "+861095598", ref)
        print(f"started {call.id}", flush=True)
        for digit in "12":
            await service.record(call.id, CallEventType.DIGITS_RECEIVED, {"digits": digit})
            print(f"event {call.id}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
