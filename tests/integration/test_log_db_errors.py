"""A real database error quoting a phone number (in `[parameters: ...]`, or PostgreSQL's
`DETAIL: Key (...)=(...)`) is logged masked, on one line; the app's engines leave the
parameters out of their errors in the first place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from callcenter.storage import db
from callcenter.storage.tables import account_phones
from tests.log_capture import formatted

PHONE = "+8613800138000"
ROW = {"phone": PHONE, "account_id": 987654, "kind": "mobile"}  # no such account


async def _insert_error(engine: AsyncEngine) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(insert(account_phones).values(ROW))
    return caught.value


@pytest.fixture
async def showing_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine that quotes the SQL parameters in its errors (SQLAlchemy's default)."""
    engine = create_async_engine(database_url)
    if engine.dialect.name == "sqlite":  # foreign keys on, as in the app
        event.listen(engine.sync_engine, "connect", db.sqlite_pragmas)
    yield engine
    await db.dispose(engine)


async def test_a_logged_database_error_has_the_number_masked(showing_engine: AsyncEngine) -> None:
    err = await _insert_error(showing_engine)
    assert PHONE in str(err)  # what a plain log line would have carried
    with formatted("cctest.db_errors") as out:
        logging.getLogger("cctest.db_errors").error("storing %s: %s", ROW, err, exc_info=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "IntegrityError" in lines[0]
    assert PHONE.removeprefix("+") not in lines[0] and "+86138****8000" in lines[0]


async def test_the_app_engine_leaves_the_parameters_out(engine: AsyncEngine) -> None:
    text = str(await _insert_error(engine))
    assert "[parameters:" not in text and "'mobile'" not in text
