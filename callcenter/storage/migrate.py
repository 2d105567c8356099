"""Alembic migrations run from inside the event loop (through `connection.run_sync`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision`. A database already at the newest revision costs
    one query: Alembic reads every migration script to find that out (about 40 ms at each
    start-up of the server and of each CLI command)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: _upgrade(sync, revision))


def _upgrade(connection: Connection, revision: str) -> None:
    if revision == "head":
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and current == head_revision():
            return
    command.upgrade(alembic_config(connection), revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Roll migrations back to `revision`."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty one."""
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


@cache
def head_revision() -> str | None:
    """The newest revision shipped with the code (read once: the scripts do not change
    while the process runs)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
