"""Request and response bodies of user and token administration."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from callcenter.core.api import Role


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokensQuery(_In):
    """Filters of `GET /api/tokens` (newest first)."""

    user_id: int | None = Field(default=None, ge=1)
    live: bool = Field(default=False, description="only tokens neither revoked nor expired")
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)


class TokenCreateIn(_In):
    """An API token of no user: its role, a label, how many days it lives."""

    role: Role
    label: str = Field(default="", max_length=128)
    days: int | None = Field(
        default=None, description="1 to security.api_token_max_days; default api_token_days"
    )


class RevokeQuery(_In):
    """Why tokens are revoked (kept with them and in the audit log)."""

    reason: str = Field(default="revoked by an admin", min_length=1, max_length=64)


class TokenOut(BaseModel):
    """A token, never its secret or hash."""

    id: int
    label: str
    role: Role
    user_id: int | None
    username: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None


class TokenListOut(BaseModel):
    """Tokens, newest first."""

    tokens: list[TokenOut]


class TokenCreatedOut(BaseModel):
    """A new token; the secret is shown only now."""

    id: int
    secret: str
    role: Role
    label: str
    expires_at: datetime


class UserOut(BaseModel):
    """A user (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool


class UserListOut(BaseModel):
    """Every user."""

    users: list[UserOut]


class UserPatchIn(_In):
    """A partial update; disabling a user revokes their tokens."""

    role: Role | None = None
    disabled: bool | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=128)


class RevokedOut(BaseModel):
    """How many tokens were revoked."""

    revoked: int
