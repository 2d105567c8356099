"""What a token grants at a time (issue 18): the pure refusal, API token lifetimes, and the
socket guard closing the sockets whose tokens no longer may."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.auth.models import TokenLifetimes
from callcenter.config_security import SecuritySettings
from callcenter.core.api import STAFF_ROLES, Principal, Role
from callcenter.core.clock import ManualClock
from callcenter.core.errors import InvalidInputError
from callcenter.core.grants import Grant, Refusal
from callcenter.core.socket_guard import SocketGuard
from callcenter.web.sign_in import token_lifetimes

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
LIVE = Grant(Principal(Role.OPERATOR, 7, 3, "ops1"), NOW + timedelta(hours=1), False, False)


@pytest.mark.parametrize(
    ("grant", "roles", "refusal"),
    [
        (LIVE, STAFF_ROLES, None),
        (replace(LIVE, expires_at=None), STAFF_ROLES, None),
        (replace(LIVE, revoked=True), STAFF_ROLES, Refusal.REVOKED),
        (replace(LIVE, expires_at=NOW), STAFF_ROLES, Refusal.EXPIRED),
        (replace(LIVE, disabled=True, revoked=True), STAFF_ROLES, Refusal.DISABLED),
        (LIVE, frozenset({Role.AGENT}), Refusal.ROLE_CHANGED),
    ],
)
def test_refusal(grant: Grant, roles: frozenset[Role], refusal: Refusal | None) -> None:
    assert grant.refusal(NOW, roles) is refusal


@pytest.mark.parametrize(
    ("refusal", "code"),
    [
        (Refusal.REVOKED, 4401),
        (Refusal.EXPIRED, 4401),
        (Refusal.DISABLED, 4403),
        (Refusal.ROLE_CHANGED, 4403),
    ],
)
def test_close_codes(refusal: Refusal, code: int) -> None:
    assert refusal.close_code == code


@pytest.mark.parametrize(("days", "lifetime"), [(None, 90), (1, 1), (365, 365)])
def test_api_token_lifetimes(days: int | None, lifetime: int) -> None:
    assert TokenLifetimes().api_lifetime(days) == timedelta(days=lifetime)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_api_token_lifetime_out_of_bounds(days: int) -> None:
    with pytest.raises(InvalidInputError) as caught:
        TokenLifetimes().api_lifetime(days)
    assert caught.value.code == "invalid-token-days"


def test_lifetimes_default_to_the_security_settings() -> None:
    assert token_lifetimes(SecuritySettings()) == TokenLifetimes()


class FakeSocket:
    """Records how it was closed."""

    def __init__(self) -> None:
        self.closed: tuple[int, bytes] | None = None

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        self.closed = (code, message)
        return True


async def test_the_guard_closes_only_refused_sockets() -> None:
    stored = {7: LIVE, 8: replace(LIVE, principal=replace(LIVE.principal, token_id=8))}

    async def grants(ids: Collection[int]) -> Mapping[int, Grant]:
        return {i: stored[i] for i in ids if i in stored}

    clock = ManualClock(NOW)
    guard = SocketGuard(grants, clock)
    kept, revoked, expired, gone = FakeSocket(), FakeSocket(), FakeSocket(), FakeSocket()
    guard.hold(kept, LIVE.principal, STAFF_ROLES)
    guard.hold(revoked, LIVE.principal, STAFF_ROLES)
    guard.hold(gone, replace(LIVE.principal, token_id=99), STAFF_ROLES)
    assert await guard.recheck() == 1  # token 99 is unknown
    assert gone.closed == (4401, b"token revoked") and kept.closed is None
    stored[7] = replace(LIVE, revoked=True)
    guard.hold(expired, stored[8].principal, STAFF_ROLES)
    assert await guard.recheck() == 2  # both sockets of token 7
    assert [s.closed for s in (kept, revoked)] == [(4401, b"token revoked")] * 2
    clock.advance(timedelta(hours=1))
    assert await guard.recheck() == 1
    assert expired.closed == (4401, b"token expired")
    assert await guard.recheck() == 0  # released: never closed twice
