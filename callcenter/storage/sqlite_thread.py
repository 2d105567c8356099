"""What every call step runs on the embedded SQLite database, each operation in one hop to a
thread of its own.

Through the async engine (aiosqlite) every statement is three or four hops to aiosqlite's
thread and back (cursor, execute, fetch, close), and each hop wakes two threads: an IVR step
cost about fourteen of them, a profile look-up forty. Here a whole operation (an append, a
profile) runs as plain synchronous SQLAlchemy on one connection in one worker thread, and the
event loop waits for it once. The database file is the engine's, in WAL mode with the same
settings, so the engine's own connections and this one see each other's commits; writers
wait for each other (`busy_timeout`). Reads (a caller's profile, a call's record) run on a
second connection in a thread of their own: WAL lets them go on beside a write, where on one
thread a profile waited behind the appends queued before it (issue 17: p50 30–35 ms at half
the embedded server's peak).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from callcenter.storage.db import sqlite_pragmas

T = TypeVar("T")


class SqliteThread:
    """A synchronous engine on the async engine's SQLite file, used from one thread."""

    def __init__(self, url: str) -> None:
        self._engine = _engine(url)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        self._reader = _engine(url)
        self._reading = ThreadPoolExecutor(1, thread_name_prefix="sqlite-read")

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> SqliteThread | None:
        """One on the engine's database when it is a SQLite file, else None."""
        url = engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(url.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False))

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work` in a transaction (committed when it returns, rolled back when it raises)."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._write, work)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work` on the reading connection, which sees every write that has returned."""
        return await asyncio.get_running_loop().run_in_executor(self._reading, self._read, work)

    def _write(self, work: Callable[[Connection], T]) -> T:
        with self._engine.begin() as conn:
            return work(conn)

    def _read(self, work: Callable[[Connection], T]) -> T:
        with self._reader.connect() as conn:  # rolled back as it goes back to the pool
            return work(conn)

    async def close(self) -> None:
        """Close the connections and stop the threads."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._engine.dispose)
        await loop.run_in_executor(self._reading, self._reader.dispose)
        self._thread.shutdown(wait=False)
        self._reading.shutdown(wait=False)


def _engine(url: str) -> Engine:
    """One connection (used from one thread), with the async engine's settings."""
    engine = create_engine(
        url,
        poolclass=StaticPool,
        hide_parameters=True,
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    event.listen(engine, "connect", sqlite_pragmas)
    return engine
