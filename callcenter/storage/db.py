"""The async engine: SQLite (embedded, WAL) or PostgreSQL (asyncpg), and its reachability check."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from callcenter.core.errors import UnavailableError

log = logging.getLogger(__name__)


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create the engine for `url`; for SQLite make the directory and turn on WAL. Errors and
    echoed statements leave out the SQL parameters (phone numbers, names)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip per checkout on the hot path; connections that
    # died are dropped by the pool when they fail, and recycled after 30 minutes anyway.
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
    )


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit mode: plain reads without BEGIN/ROLLBACK round trips."""
    return engine.execution_options(isolation_level="AUTOCOMMIT", skip_autocommit_rollback=True)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


async def dispose(engine: AsyncEngine, seconds: float = 10.0) -> None:
    """Close the engine's connections; after `seconds` give up on those still busy (a
    request cut short in the middle of a statement must not hold the shutdown forever)."""
    try:
        await asyncio.wait_for(engine.dispose(), seconds)
    except TimeoutError:
        log.warning("database connections not closed in %.0f s: left to the server", seconds)


def masked(engine: AsyncEngine) -> str:
    """The engine's URL with the password hidden."""
    return engine.url.render_as_string(hide_password=True)


async def ping(engine: AsyncEngine) -> None:
    """Run `SELECT 1`; raise `UnavailableError` naming the (masked) URL when it fails."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError, OSError) as err:
        raise UnavailableError(
            f"database unreachable at {masked(engine)}: {_first_line(err)}",
            code="database-unavailable",
        ) from err


def _first_line(err: BaseException) -> str:
    inner = getattr(err, "orig", None) or err
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]
