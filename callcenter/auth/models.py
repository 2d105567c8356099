"""Principals and users."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.api import Principal, Role

__all__ = ["Principal", "User"]
from callcenter.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
)


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: agent, supervisor, operator or admin."""

    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool


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


class Refusal(StrEnum):
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
