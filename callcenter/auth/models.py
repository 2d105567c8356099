"""Principals and users."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.api import Principal, Role

__all__ = ["Principal", "User"]
from callcenter.core.errors import ConflictError, InvalidInputError


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
