"""A benchmark's own PostgreSQL database: on a given server, or on a throwaway one."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg

from callcenter.devtools.servers import postgres_server


@contextlib.contextmanager
def server(admin_url: str | None) -> Iterator[str]:
    """`admin_url` (an admin URL to `postgres`), or a throwaway server's while it runs."""
    if admin_url:
        yield admin_url
    else:
        with postgres_server() as url:
            yield url


@contextlib.asynccontextmanager
async def database(admin_url: str, keep: bool = False) -> AsyncIterator[str]:
    """A new database on the server (dropped at the end unless `keep`); yields its URL."""
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        if keep:
            print(f"kept the database {name}")
        else:
            admin = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
