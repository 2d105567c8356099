"""`SqlAccountNumbers`: an account's number by its id (issue 17: the call record names the
account a caller was identified with by id; a lost IVR session is rebuilt by its number)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.tables import accounts

_NUMBER = select(accounts.c.account_no).where(accounts.c.id == bindparam("account_id"))


class SqlAccountNumbers:
    """Account numbers by account id (`callcenter.callflow.ivr_history.AccountNumbers`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = reader(engine)

    async def number_of(self, account_id: int) -> str | None:
        """The account's number; None when no account has that id."""
        async with self._engine.connect() as conn:
            found = await conn.scalar(_NUMBER, {"account_id": account_id})
        return None if found is None else str(found)
