"""`SqlCredentialStore`: users and hashed API tokens, and what a token grants now."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.auth.models import Grant, Principal, User, UserExistsError
from callcenter.core.api import Role
from callcenter.core.audit import Stamp
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import agents, api_tokens, users


def _user(row: Row[Any]) -> User:
    return User(row.id, row.username, row.display_name, Role(row.role), row.disabled)


class SqlCredentialStore:
    """Implements `CredentialStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_user(
        self, username: str, display_name: str, role: Role, password_hash: str, at: datetime
    ) -> User:
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    insert(users)
                    .values(
                        username=username,
                        display_name=display_name,
                        role=role.value,
                        password_hash=password_hash,
                        disabled=False,
                        created_at=at,
                    )
                    .returning(users.c.id)
                )
                user_id = result.scalar_one()
        except IntegrityError as err:
            raise UserExistsError(f"a user named {username!r} exists already") from err
        return User(user_id, username, display_name, role, False)

    async def add_token(
        self,
        token_hash: str,
        role: Role,
        label: str,
        user_id: int | None,
        expires_at: datetime,
        stamp: Stamp,
        action: str,
    ) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert(api_tokens)
                .values(
                    token_hash=token_hash,
                    role=role.value,
                    label=label,
                    user_id=user_id,
                    created_at=stamp.at,
                    expires_at=expires_at,
                )
                .returning(api_tokens.c.id)
            )
            token_id = int(result.scalar_one())
            data = {
                "role": role.value,
                "label": label,
                "user_id": user_id,
                "expires_at": expires_at.isoformat(),
            }
            await write_audit(conn, stamp.entry("token", token_id, action, data))
        return token_id

    async def grant(self, token_hash: str) -> Grant | None:
        async with self._engine.connect() as conn:
            query = _GRANTS.where(api_tokens.c.token_hash == token_hash)
            row = (await conn.execute(query)).first()
        return None if row is None else _grant(row._mapping)

    async def grants(self, token_ids: Collection[int]) -> dict[int, Grant]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_GRANTS.where(api_tokens.c.id.in_(token_ids)))).all()
        return {row.id: _grant(row._mapping) for row in rows}

    async def revoke_token(self, token_id: int, reason: str, stamp: Stamp, action: str) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=stamp.at, revoked_reason=reason[:64])
            )
            if result.rowcount:
                await write_audit(conn, stamp.entry("token", token_id, action, {"reason": reason}))
        return bool(result.rowcount)


# One row per token with its user and agent record: the request's one query. A user's token
# follows the user's current role.
_GRANTS = (
    select(
        api_tokens.c.id,
        func.coalesce(users.c.role, api_tokens.c.role).label("role"),
        api_tokens.c.label,
        api_tokens.c.user_id,
        api_tokens.c.expires_at,
        api_tokens.c.revoked_at,
        users.c.username,
        users.c.disabled,
        agents.c.enabled.label("agent_enabled"),
    )
    .outerjoin(users, users.c.id == api_tokens.c.user_id)
    .outerjoin(agents, agents.c.user_id == api_tokens.c.user_id)
)


def _grant(m: Mapping[Any, Any]) -> Grant:
    role = Role(m["role"])
    name = m["username"] or m["label"] or f"token-{m['id']}"
    disabled = bool(m["disabled"]) or (role is Role.AGENT and m["agent_enabled"] is False)
    principal = Principal(role, m["id"], m["user_id"], name)
    return Grant(principal, m["expires_at"], m["revoked_at"] is not None, disabled)
