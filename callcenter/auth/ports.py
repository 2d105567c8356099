"""What the auth service needs from storage, and how it tells every instance of a change."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from callcenter.auth.models import (
    Account,
    Grant,
    Rehash,
    SignInRefusal,
    TokenInfo,
    Unlocked,
    User,
    UserChanges,
)
from callcenter.core.api import Role
from callcenter.core.audit import Stamp


class CredentialStore(Protocol):
    """Users and hashed API tokens; every change to a token audited in its transaction."""

    async def add_user(
        self, username: str, display_name: str, role: Role, password_hash: str, at: datetime
    ) -> User:
        """Store a new user; `UserExistsError` when the name is taken."""

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


class SignInStore(Protocol):
    """Accounts as sign-in sees them; each outcome is written with its audit entry."""

    async def account(self, username: str) -> Account | None:
        """The user named `username` (exactly), their hash and lock."""

    async def signed_in(self, user: User, stamp: Stamp, rehash: Rehash | None = None) -> bool:
        """Reset the user's failures and audit `sign-in`; with `rehash`, store its new hash
        unless the password changed meanwhile. False (nothing written) when the account was
        locked meanwhile."""

    async def refused(
        self, username: str, user_id: int | None, refusal: SignInRefusal, lockout: int | None,
        stamp: Stamp,
    ) -> bool:  # fmt: skip
        """Audit `sign-in-failed` (for `user_id`, when the name is a user's); with
        `lockout`, count a failure for the enabled, unlocked user of that name, locking
        them at `lockout` failures in a row (audited `lock`). True when this locked them."""

    async def throttled(self, username: str, limit: str, stamp: Stamp) -> None:
        """Audit `sign-in-throttled`: `limit` (username or address) was passed."""

    async def unlock(self, user_id: int, stamp: Stamp) -> Unlocked | None:
        """Unlock the user and reset their failures (audited `unlock` when either was set);
        None when there is no such user."""


class AttemptCounter(Protocol):
    """Sign-in attempts per username and per address, over fixed windows of time."""

    async def count(self, username: str, address: str, window: int) -> tuple[int, int]:
        """Count one attempt in window number `window`: the attempts so far in it for
        `username` and from `address`."""

    async def give_back(self, username: str, address: str, window: int) -> None:
        """Uncount an attempt that succeeded (in the window it was counted in)."""


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
