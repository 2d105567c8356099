"""The `[security]` section of the settings (issue 18): tokens, sign-in and password hashes."""

from __future__ import annotations

from pydantic import Field, field_validator

from callcenter.auth.passwords import DEFAULT_N, MAX_N, MIN_N, valid_n
from callcenter.config_types import Section

__all__ = ["SecuritySettings"]


class SecuritySettings(Section):
    """Bearer tokens and sign-in: a sign-in token lives `sign_in_token_minutes`; an API token
    lives the days given when it is made, at most `api_token_max_days` (`api_token_days` when
    not given). Sign-in attempts are limited per username and per address over a minute;
    `lockout_failures` wrong passwords in a row lock the account until an admin unlocks it;
    new password hashes cost `password_scrypt_n` (scrypt's N)."""

    sign_in_token_minutes: int = Field(default=720, ge=5, le=10080)
    api_token_days: int = Field(default=90, ge=1, le=3650)
    api_token_max_days: int = Field(default=365, ge=1, le=3650)
    sign_in_per_minute_username: int = Field(default=5, ge=1, le=1000)
    sign_in_per_minute_address: int = Field(default=30, ge=1, le=100000)
    lockout_failures: int = Field(default=10, ge=2, le=1000)
    # scrypt's work factor for new password hashes (r = 8, p = 1); each stored hash keeps
    # the one it was made with
    password_scrypt_n: int = DEFAULT_N

    @field_validator("password_scrypt_n")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if not valid_n(n):
            raise ValueError(f"must be a power of two from {MIN_N} to {MAX_N}")
        return n
