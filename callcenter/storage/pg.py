"""`FastPg`: a plain asyncpg pool beside the SQLAlchemy engine, for PostgreSQL's hot path.

Every IVR step of every call reads and appends call events and looks callers up; through
SQLAlchemy Core each statement costs about 0.7 ms of the server's CPU (compile cache, result
processing, pool events), through asyncpg's prepared statements a tenth of that. Only the
statements that run per call step use it; everything else stays on the engine. SQLite (the
embedded default) has no such pool: the repositories fall back to the engine.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
CLOSE_SECONDS = 10.0
# Issue 17: the statements of this pool are fixed look-ups and writes by key, which one
# generic plan serves. With PostgreSQL's default (`auto`) the call append (a statement of
# 32 array parameters) was planned again at every execution: half of its CPU there.
SERVER_SETTINGS = {"plan_cache_mode": "force_generic_plan"}


class FastPg:
    """Open with `open()` at start-up, `close()` at shutdown; `acquire()` in between."""

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()  # first uses at once open one pool, not one each

    @classmethod
    def for_engine(cls, engine: AsyncEngine, size: int) -> FastPg | None:
        """A pool on the engine's database when it is PostgreSQL, else None."""
        url = engine.url
        if url.get_backend_name() != "postgresql":
            return None
        plain = make_url(url).set(drivername="postgresql")
        return cls(plain.render_as_string(hide_password=False), size)

    async def open(self) -> None:
        """Connect the pool (idempotent)."""
        async with self._opening:
            if self._pool is not None:
                return
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=1,
                max_size=self._size,
                init=_init,
                reset=_keep_state,
                server_settings=SERVER_SETTINGS,
            )

    async def close(self) -> None:
        """Close every connection: gracefully, or at once after `CLOSE_SECONDS` (a
        connection left busy by a request cut short must not hold the shutdown forever)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), CLOSE_SECONDS)
            except TimeoutError:
                log.warning("PostgreSQL pool not closed in %.0f s: terminated", CLOSE_SECONDS)
                pool.terminate()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection from the pool (opening the pool on first use)."""
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            yield conn


async def _keep_state(conn: asyncpg.Connection) -> None:
    """Nothing to reset on release: this code never leaves session state behind (no SET,
    LISTEN or advisory locks; transactions close in their `async with`). asyncpg's default
    reset is one more round trip per use, about a tenth of an IVR step's CPU."""


async def _init(conn: asyncpg.Connection) -> None:
    # JSON columns travel as Python values, as they do through SQLAlchemy.
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
