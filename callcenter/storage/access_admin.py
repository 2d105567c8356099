"""`SqlAccessAdminStore`: users and tokens listed and changed by administrators, each change
audited in its own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.auth.models import NoSuchUserError, TokenInfo, User, UserChanges
from callcenter.core.api import Role
from callcenter.core.audit import Stamp, before_after
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import api_tokens, users
from callcenter.storage.users import _user

_TOKENS = select(
    api_tokens.c.id,
    api_tokens.c.label,
    api_tokens.c.role,
    api_tokens.c.user_id,
    users.c.username,
    api_tokens.c.created_at,
    api_tokens.c.expires_at,
    api_tokens.c.revoked_at,
    api_tokens.c.revoked_reason,
).outerjoin(users, users.c.id == api_tokens.c.user_id)


def _token(m: Mapping[Any, Any]) -> TokenInfo:
    return TokenInfo(
        m["id"],
        m["label"],
        Role(m["role"]),
        m["user_id"],
        m["username"],
        m["created_at"],
        m["expires_at"],
        m["revoked_at"],
        m["revoked_reason"],
    )


def _as_json(user: User) -> dict[str, Any]:
    return {"role": user.role.value, "disabled": user.disabled, "display_name": user.display_name}


class SqlAccessAdminStore:
    """Implements `AccessAdminStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def tokens(
        self, user_id: int | None, live_at: datetime | None, limit: int, offset: int
    ) -> list[TokenInfo]:
        query = _TOKENS.order_by(api_tokens.c.id.desc()).limit(limit).offset(offset)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        if live_at is not None:
            query = query.where(
                api_tokens.c.revoked_at.is_(None),
                or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > live_at),
            )
        async with self._engine.connect() as conn:
            return [_token(row._mapping) for row in await conn.execute(query)]

    async def token(self, token_id: int) -> TokenInfo | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_TOKENS.where(api_tokens.c.id == token_id))).first()
        return None if row is None else _token(row._mapping)

    async def users(self) -> list[User]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(users).order_by(users.c.id))
            return [_user(row) for row in rows]

    async def update_user(
        self, user_id: int, changes: UserChanges, revoke_reason: str | None, stamp: Stamp
    ) -> tuple[User, int]:
        values: dict[str, Any] = {
            "role": None if changes.role is None else changes.role.value,
            "disabled": changes.disabled,
            "display_name": changes.display_name,
        }
        values = {k: v for k, v in values.items() if v is not None}
        async with self._engine.begin() as conn:
            before = await _locked_user(conn, user_id)
            if values:
                await conn.execute(update(users).where(users.c.id == user_id).values(values))
            after = await _locked_user(conn, user_id)
            data = before_after(_as_json(before), _as_json(after))
            await write_audit(conn, stamp.entry("user", user_id, "update", data))
            revoked = 0
            if revoke_reason is not None:
                revoked = await _revoke_all(conn, user_id, revoke_reason, stamp)
        return after, revoked

    async def revoke_user_tokens(self, user_id: int, reason: str, stamp: Stamp) -> int:
        async with self._engine.begin() as conn:
            await _locked_user(conn, user_id)
            return await _revoke_all(conn, user_id, reason, stamp)


async def _locked_user(conn: AsyncConnection, user_id: int) -> User:
    query = select(users).where(users.c.id == user_id).with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise NoSuchUserError(f"no user with id {user_id}")
    return _user(row)


async def _revoke_all(conn: AsyncConnection, user_id: int, reason: str, stamp: Stamp) -> int:
    """Revoke the user's live tokens, one audit entry for them all."""
    result = await conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=stamp.at, revoked_reason=reason[:64])
        .returning(api_tokens.c.id)
    )
    ids = sorted(int(i) for i in result.scalars())
    if ids:
        data = {"reason": reason, "tokens": ids}
        await write_audit(conn, stamp.entry("user", user_id, "revoke-tokens", data))
    return len(ids)
