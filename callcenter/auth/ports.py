"""What the auth service needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.auth.models import Account, Principal, Refusal, Unlocked, User
from callcenter.core.api import Role
from callcenter.core.audit import Stamp


class CredentialStore(Protocol):
    """Users and hashed API tokens."""

    async def add_user(
        self, username: str, display_name: str, role: Role, password_hash: str, at: datetime
    ) -> User:
        """Store a new user; `UserExistsError` when the name is taken."""

    async def add_token(
        self, token_hash: str, role: Role, label: str, user_id: int | None, at: datetime
    ) -> int:
        """Store a token's hash; returns its id."""

    async def principal_for(self, token_hash: str) -> Principal | None:
        """The principal of a live (not revoked) token."""

    async def revoke_token(self, token_id: int, at: datetime) -> bool:
        """Revoke a token; False when there was none."""


class SignInStore(Protocol):
    """Accounts as sign-in sees them; each outcome is written with its audit entry."""

    async def account(self, username: str) -> Account | None:
        """The user named `username` (exactly), their hash and lock."""

    async def signed_in(self, user: User, stamp: Stamp) -> bool:
        """Reset the user's failures and audit `sign-in`; False (nothing written) when the
        account was locked meanwhile."""

    async def refused(
        self, username: str, user_id: int | None, refusal: Refusal, lockout: int | None,
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
