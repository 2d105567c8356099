"""What the auth service needs from storage, and how it tells every instance of a change."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from callcenter.auth.models import Grant, TokenInfo, User, UserChanges
from callcenter.core.api import Role
from callcenter.core.audit import Stamp


class CredentialStore(Protocol):
    """Users and hashed API tokens; every change to a token audited in its transaction."""

    async def add_user(
        self, username: str, display_name: str, role: Role, password_hash: str, at: datetime
    ) -> User:
        """Store a new user; `UserExistsError` when the name is taken."""

    async def password_hash(self, username: str) -> tuple[User, str] | None:
        """The user and their stored password hash."""

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
        """Store a token's hash, audited as `action` (create, sign-in); returns its id."""

    async def grant(self, token_hash: str) -> Grant | None:
        """What the token grants now (one query), revoked or not; None when unknown."""

    async def grants(self, token_ids: Collection[int]) -> dict[int, Grant]:
        """What each of the tokens grants now (one query), by id."""

    async def revoke_token(self, token_id: int, reason: str, stamp: Stamp, action: str) -> bool:
        """Revoke a live token, audited as `action` (revoke, sign-out); False when there was
        none."""


class AccessAdminStore(Protocol):
    """Users and tokens as administrators list and change them, audited."""

    async def tokens(
        self, user_id: int | None, live_at: datetime | None, limit: int, offset: int
    ) -> list[TokenInfo]:
        """Tokens newest first (of one user; only those neither revoked nor expired at
        `live_at`)."""

    async def token(self, token_id: int) -> TokenInfo | None:
        """One token."""

    async def users(self) -> list[User]:
        """Every user, by id."""

    async def update_user(
        self, user_id: int, changes: UserChanges, revoke_reason: str | None, stamp: Stamp
    ) -> tuple[User, int]:
        """Apply `changes` (`no-such-user`), and revoke the user's live tokens with
        `revoke_reason` when given; the user after and how many tokens were revoked."""

    async def revoke_user_tokens(self, user_id: int, reason: str, stamp: Stamp) -> int:
        """Revoke every live token of the user (`no-such-user`); how many."""


class AuthNotices(Protocol):
    """Tells every instance that tokens or users changed (their sockets are re-checked)."""

    async def publish(self, what: str) -> None:
        """Publish the notice; never raises (the periodic re-check catches up)."""
