"""A shutdown never waits forever for a database connection left busy by a request cut short
(seen as a test app's cleanup hanging): the pool is terminated, the engine left to close."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from callcenter.storage import db, pg
from callcenter.storage.pg import FastPg


class StuckPool:
    def __init__(self) -> None:
        self.terminated = False

    async def close(self) -> None:
        await asyncio.Event().wait()  # a connection that is never released

    def terminate(self) -> None:
        self.terminated = True


class StuckEngine:
    async def dispose(self) -> None:
        await asyncio.Event().wait()


async def test_a_pool_that_does_not_close_is_terminated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "CLOSE_SECONDS", 0.01)
    fast = FastPg("postgresql://nowhere/db", 1)
    stuck = StuckPool()
    fast._pool = stuck
    await fast.close()
    assert stuck.terminated


async def test_an_engine_that_does_not_close_is_left(caplog: pytest.LogCaptureFixture) -> None:
    engine: Any = StuckEngine()
    await db.dispose(engine, seconds=0.01)
    assert "not closed" in caplog.text


async def test_uses_that_open_the_pool_at_once_open_one_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two look-ups before the pool was open each made a pool; the one overwritten was never
    closed (its connections left open, seen as ResourceWarnings after a test)."""
    made: list[StuckPool] = []

    async def create_pool(*args: Any, **kwargs: Any) -> StuckPool:
        await asyncio.sleep(0.01)  # connecting takes a moment
        made.append(StuckPool())
        return made[-1]

    monkeypatch.setattr(asyncpg, "create_pool", create_pool)
    fast = FastPg("postgresql://nowhere/db", 2)
    await asyncio.gather(fast.open(), fast.open(), fast.open())
    assert len(made) == 1
    assert fast._pool is made[0]
