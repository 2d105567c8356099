"""Principals and users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.core.api import Principal, Role
from callcenter.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
)
from callcenter.core.grants import Grant

__all__ = ["Grant", "Principal", "User"]


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: agent, supervisor, operator or admin."""

    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial update of a user: None leaves a part as it is."""

    role: Role | None = None
    disabled: bool | None = None
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    """How long tokens live (`[security]`; these are its defaults): a sign-in token
    `sign_in_minutes`; an API token the days asked for, `api_days` when not asked, at most
    `api_max_days`."""

    sign_in_minutes: int = 720
    api_days: int = 90
    api_max_days: int = 365

    def api_lifetime(self, days: int | None) -> timedelta:
        """The lifetime of an API token of `days` (`invalid-token-days` outside 1..max)."""
        chosen = self.api_days if days is None else days
        if not 1 <= chosen <= self.api_max_days:
            raise InvalidInputError(
                f"an API token lives 1 to {self.api_max_days} days (security.api_token_max_days)"
                f"; asked for {chosen}",
                code="invalid-token-days",
            )
        return timedelta(days=chosen)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: its id, the secret (shown once, never stored) and when it expires."""

    token_id: int
    secret: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as an administrator sees it (never its secret or hash)."""

    id: int
    label: str
    role: Role
    user_id: int | None
    username: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None


class TokenExpiredError(UnauthorizedError):
    """The token has expired (sign in again, or make a new API token)."""

    default_code = "token-expired"


class AccountDisabledError(UnauthorizedError):
    """The token's user, or their agent record, is disabled."""

    default_code = "account-disabled"


class NoSuchTokenError(NotFoundError):
    """No token with that id."""

    default_code = "no-such-token"


class OwnAccountError(ConflictError):
    """An administrator may not disable or demote their own account."""

    default_code = "own-account"


class UserExistsError(ConflictError):
    """The username is taken."""

    default_code = "user-exists"


class InvalidRoleError(InvalidInputError):
    """Not one of agent, supervisor, operator, admin."""

    default_code = "invalid-role"


def parse_role(text: str) -> Role:
    """The role named `text`, or `InvalidRoleError`."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidRoleError(f"unknown role {text!r}; use one of {names}") from None


# --- issue 18 (sign-in): refusals, throttling, lockout
@dataclass(frozen=True, slots=True)
class Account:
    """A user as sign-in sees them: the stored hash and whether wrong passwords locked them."""

    user: User
    password_hash: str
    locked: bool


@dataclass(frozen=True, slots=True)
class Rehash:
    """A password hash to replace at sign-in: `old` (as read) by `new`, made with the
    configured work factor `n`."""

    old: str
    new: str
    n: int


class SignInRefusal(StrEnum):
    """Why a sign-in was refused; the audit log says it, the caller only `bad-credentials`."""

    UNKNOWN_USER = "unknown-user"
    BAD_PASSWORD = "bad-password"
    DISABLED = "disabled"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class Unlocked:
    """An unlocked user, and whether they were locked (else only their failures reset)."""

    user: User
    was_locked: bool


class BadCredentialsError(UnauthorizedError):
    """Wrong username or password, or an account that may not sign in (never says which)."""

    default_code = "bad-credentials"

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class TooManyAttemptsError(TooManyRequestsError):
    """Too many sign-in attempts for this username or from this address this minute."""

    default_code = "too-many-attempts"


class NoSuchUserError(NotFoundError):
    """No user with that id or name."""

    default_code = "no-such-user"
