"""`SqlCredentialStore`: users and hashed API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.auth.models import Principal, User, UserExistsError
from callcenter.core.api import Role
from callcenter.storage.tables import api_tokens, users


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
        self, token_hash: str, role: Role, label: str, user_id: int | None, at: datetime
    ) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert(api_tokens)
                .values(
                    token_hash=token_hash,
                    role=role.value,
                    label=label,
                    user_id=user_id,
                    created_at=at,
                )
                .returning(api_tokens.c.id)
            )
            return int(result.scalar_one())

    async def principal_for(self, token_hash: str) -> Principal | None:
        query = (
            select(
                api_tokens.c.id,
                api_tokens.c.role,
                api_tokens.c.label,
                api_tokens.c.user_id,
                users.c.username,
                users.c.disabled,
            )
            .outerjoin(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.disabled:
            return None
        name = row.username or row.label or f"token-{row.id}"
        return Principal(Role(row.role), row.id, row.user_id, name)

    async def revoke_token(self, token_id: int, at: datetime) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return bool(result.rowcount)
