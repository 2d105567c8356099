"""`callcenter user unlock NAME`: unlock an account that wrong passwords locked (issue 18)."""

from __future__ import annotations

import asyncio

from callcenter.auth.sign_in import Unlocks
from callcenter.config import Settings
from callcenter.core.audit import CLI_EDITOR
from callcenter.core.clock import SystemClock
from callcenter.storage import db, migrate
from callcenter.storage.sign_ins import SqlSignInStore


def unlock(settings: Settings, name: str) -> int:
    """Unlock the user named `name` and reset their failures (audited, by `cli`)."""

    async def run() -> str:
        engine = db.create_engine(settings.database_url)
        try:
            await db.ping(engine)
            await migrate.upgrade(engine)
            done = await Unlocks(SqlSignInStore(engine), SystemClock()).unlock_named(
                name, CLI_EDITOR
            )
        finally:
            await engine.dispose()
        return f"unlocked {name}" if done.was_locked else f"{name} was not locked"

    print(asyncio.run(run()))
    return 0
