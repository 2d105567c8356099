"""What a bearer token grants now, and why it may no longer: revoked, expired, its user (or
their agent record) disabled, or a role that no longer fits. Pure; `now` is passed in.

HTTP turns a refusal into 401 (the role is checked per endpoint); a WebSocket authenticated
with the token is closed with `close_code` and the refusal's text as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.api import ALL_ROLES, Principal, Role


class Refusal(StrEnum):
    """Why a token no longer grants what it did; the value is a socket's close reason."""

    REVOKED = "token revoked"
    EXPIRED = "token expired"
    DISABLED = "disabled"
    ROLE_CHANGED = "role changed"

    @property
    def close_code(self) -> int:
        """4401 when the token is dead, 4403 when the person may no longer."""
        return 4401 if self in (Refusal.REVOKED, Refusal.EXPIRED) else 4403


@dataclass(frozen=True, slots=True)
class Grant:
    """A token as stored now: the principal it stands for (a user's token takes the user's
    current role), when it expires (None: never), and whether it is revoked or its user (or,
    for an agent, the agent record) disabled."""

    principal: Principal
    expires_at: datetime | None
    revoked: bool
    disabled: bool

    def refusal(self, now: datetime, roles: frozenset[Role] = ALL_ROLES) -> Refusal | None:
        """None while the token grants one of `roles` at `now`."""
        if self.disabled:  # first: disabling a user revokes their tokens as well
            return Refusal.DISABLED
        if self.revoked:
            return Refusal.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return Refusal.EXPIRED
        if self.principal.role not in roles:
            return Refusal.ROLE_CHANGED
        return None
