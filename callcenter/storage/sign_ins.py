"""`SqlSignInStore`: sign-in outcomes on the users table (failures in a row, the lock), each
written with its audit entry in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.auth.models import Account, Rehash, SignInRefusal, Unlocked, User
from callcenter.core.audit import Stamp
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import UtcDateTime, users
from callcenter.storage.users import _user

ENTITY = "user"
UNKNOWN_ID = ""  # the audit entity id of a username no user has
MAX_ID = 2**31 - 1  # users.id is a 32-bit integer on PostgreSQL


class SqlSignInStore:
    """Implements `SignInStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def account(self, username: str) -> Account | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.username == username))).first()
        return None if row is None else Account(_user(row), row.password_hash, _locked(row))

    async def signed_in(self, user: User, stamp: Stamp, rehash: Rehash | None = None) -> bool:
        reset = (
            update(users)
            .where(users.c.id == user.id, users.c.locked_at.is_(None))
            .values(failed_sign_ins=0)
        )
        async with self._engine.begin() as conn:
            if not (await conn.execute(reset)).rowcount:
                return False
            data: dict[str, Any] = {"username": user.username}
            if rehash is not None and await _rehashed(conn, user.id, rehash):
                data["password_rehashed_n"] = rehash.n
            await write_audit(conn, stamp.entry(ENTITY, user.id, "sign-in", data))
        return True

    async def refused(
        self, username: str, user_id: int | None, refusal: SignInRefusal, lockout: int | None,
        stamp: Stamp,
    ) -> bool:  # fmt: skip
        data: dict[str, Any] = {"username": username, "reason": refusal.value}
        async with self._engine.begin() as conn:
            counted = None
            if lockout is not None:
                counted = await _count_failure(conn, username, lockout, stamp.at)
            if counted is not None:
                user_id, data["failed_sign_ins"], locked = counted
            entity_id = UNKNOWN_ID if user_id is None else user_id
            await write_audit(conn, stamp.entry(ENTITY, entity_id, "sign-in-failed", data))
            if counted is None or not locked:
                return False
            lock_data = {"username": username, "failed_sign_ins": data["failed_sign_ins"]}
            await write_audit(conn, stamp.entry(ENTITY, entity_id, "lock", lock_data))
        return True

    async def throttled(self, username: str, limit: str, stamp: Stamp) -> None:
        data = {"username": username, "limit": limit}
        async with self._engine.begin() as conn:
            await write_audit(conn, stamp.entry(ENTITY, UNKNOWN_ID, "sign-in-throttled", data))

    async def unlock(self, user_id: int, stamp: Stamp) -> Unlocked | None:
        if user_id > MAX_ID:
            return None
        query = select(users).where(users.c.id == user_id)
        async with self._engine.begin() as conn:
            row = (await conn.execute(query.with_for_update())).first()
            if row is None:
                return None
            was_locked = _locked(row)
            if was_locked or row.failed_sign_ins:
                clear = update(users).where(users.c.id == user_id)
                await conn.execute(clear.values(locked_at=None, failed_sign_ins=0))
                data = {
                    "username": row.username,
                    "was_locked": was_locked,
                    "failed_sign_ins": row.failed_sign_ins,
                }
                await write_audit(conn, stamp.entry(ENTITY, user_id, "unlock", data))
        return Unlocked(_user(row), was_locked)


async def _rehashed(conn: AsyncConnection, user_id: int, rehash: Rehash) -> bool:
    """Store the new hash unless the password was changed since it was read."""
    query = (
        update(users)
        .where(users.c.id == user_id, users.c.password_hash == rehash.old)
        .values(password_hash=rehash.new)
    )
    return bool((await conn.execute(query)).rowcount)


def _locked(row: Any) -> bool:
    return row.locked_at is not None


async def _count_failure(
    conn: AsyncConnection, username: str, lockout: int, at: datetime
) -> tuple[int, int, bool] | None:
    """One more failure in a row for the enabled, unlocked user of that name, locking them
    at `lockout` failures, in one statement: (id, failures, locked now)."""
    failures = users.c.failed_sign_ins + 1
    lock = case((failures >= lockout, bindparam("at", at, type_=UtcDateTime())), else_=null())
    counted = (
        update(users)
        .where(
            users.c.username == username,
            users.c.locked_at.is_(None),
            users.c.disabled.is_(False),
        )
        .values(failed_sign_ins=failures, locked_at=lock)
        .returning(users.c.id, users.c.failed_sign_ins, users.c.locked_at)
    )
    row = (await conn.execute(counted)).first()
    if row is None:
        return None
    return int(row.id), int(row.failed_sign_ins), row.locked_at is not None
