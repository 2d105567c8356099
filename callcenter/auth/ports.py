"""What the auth service needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.auth.models import Principal, User
from callcenter.core.api import Role


class CredentialStore(Protocol):
    """Users and hashed API tokens."""

    async def add_user(
        self, username: str, display_name: str, role: Role, password_hash: str, at: datetime
    ) -> User:
        """Store a new user; `UserExistsError` when the name is taken."""

    async def password_hash(self, username: str) -> tuple[User, str] | None:
        """The user and their stored password hash."""

    async def add_token(
        self, token_hash: str, role: Role, label: str, user_id: int | None, at: datetime
    ) -> int:
        """Store a token's hash; returns its id."""

    async def principal_for(self, token_hash: str) -> Principal | None:
        """The principal of a live (not revoked) token."""

    async def revoke_token(self, token_id: int, at: datetime) -> bool:
        """Revoke a token; False when there was none."""
