"""The pure parts of sign-in (issue 18): the password hash format (hashes stored before stay
valid), the dummy hash, the one-minute windows, the counted name and the refusal reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.auth.models import Account, SignInRefusal, User
from callcenter.auth.passwords import (
    DUMMY_HASH,
    Passwords,
    dummy_hash,
    hash_password,
    verify_password,
)
from callcenter.auth.sign_in import refusal_of, username_key, window
from callcenter.config import load_settings
from callcenter.core.api import Role
from callcenter.core.errors import ConfigError

# Made by the hash function before it moved to `callcenter.auth.passwords`.
STORED = "scrypt$MDEyMzQ1Njc4OWFiY2RlZg==$XUfbvK5Mb/PhO0ZzP2F1/xHGmiduJCmFyivsCzaSsHI="
STORED_PASSWORD = "坐席-password-1"


def test_hashes_stored_before_stay_valid() -> None:
    assert hash_password(STORED_PASSWORD, b"0123456789abcdef") == STORED
    assert verify_password(STORED_PASSWORD, STORED)
    assert not verify_password("坐席-password-2", STORED)


@pytest.mark.parametrize("stored", ["", "scrypt$abc", "bcrypt$MDEy$XUfb", STORED + "$x"])
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_password(STORED_PASSWORD, stored)


def test_the_dummy_hash_is_well_formed_and_matches_nothing() -> None:
    scheme, _, digest = DUMMY_HASH.split("$")
    assert scheme == "scrypt" and len(digest) == len(STORED.split("$")[2])
    assert not verify_password("", DUMMY_HASH)


@pytest.mark.parametrize(
    ("at", "number", "retry_after"),
    [
        (datetime(2026, 3, 10, 2, 0, 0, tzinfo=UTC), 29551800, 60),
        (datetime(2026, 3, 10, 2, 0, 15, tzinfo=UTC), 29551800, 45),
        (datetime(2026, 3, 10, 2, 0, 59, 500000, tzinfo=UTC), 29551800, 1),
        (datetime(2026, 3, 10, 2, 1, 0, tzinfo=UTC), 29551801, 60),
    ],
)
def test_windows_are_fixed_minutes(at: datetime, number: int, retry_after: int) -> None:
    assert window(at) == (number, retry_after)


@pytest.mark.parametrize("name", ["li.na", "LI.NA", " Li.Na "])
def test_case_and_spaces_do_not_make_a_new_name_to_count(name: str) -> None:
    assert username_key(name) == "li.na"


def _account(disabled: bool = False, locked: bool = False) -> Account:
    return Account(User(1, "li.na", "Li Na", Role.AGENT, disabled), STORED, locked)


@pytest.mark.parametrize(
    ("account", "matches", "refusal"),
    [
        (None, False, SignInRefusal.UNKNOWN_USER),
        (_account(), False, SignInRefusal.BAD_PASSWORD),
        (_account(), True, None),
        (_account(locked=True), True, SignInRefusal.LOCKED),
        (_account(disabled=True), True, SignInRefusal.DISABLED),
        (_account(disabled=True, locked=True), False, SignInRefusal.LOCKED),
    ],
)
def test_why_a_sign_in_is_refused(
    account: Account | None, matches: bool, refusal: SignInRefusal | None
) -> None:
    assert refusal_of(account, matches) == refusal


def test_a_hash_with_another_work_factor_names_it_and_still_verifies() -> None:
    cheap = hash_password(STORED_PASSWORD, b"0123456789abcdef", n=1024)
    assert cheap.startswith("scrypt:1024$") and cheap != STORED
    assert verify_password(STORED_PASSWORD, cheap) and verify_password(STORED_PASSWORD, STORED)
    assert not verify_password("坐席-password-2", cheap)
    assert not verify_password("", dummy_hash(1024))
    assert dummy_hash(1024).startswith("scrypt:1024$") and dummy_hash() == DUMMY_HASH


@pytest.mark.parametrize(
    "scheme", ["scrypt:1000", "scrypt:512", "scrypt:262144", "scrypt:", "x:1024"]
)
def test_a_stored_hash_with_a_work_factor_out_of_bounds_matches_nothing(scheme: str) -> None:
    assert not verify_password(STORED_PASSWORD, scheme + STORED.removeprefix("scrypt"))


@pytest.mark.parametrize("n", [1000, 512, 262144])
def test_a_work_factor_out_of_bounds_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        hash_password(STORED_PASSWORD, n=n)
    with pytest.raises(ConfigError, match="password_scrypt_n"):
        load_settings(None, {"CALLCENTER_SECURITY__PASSWORD_SCRYPT_N": str(n)})


async def test_new_hashes_and_the_unknown_users_check_cost_the_configured_work_factor() -> None:
    passwords = Passwords(n=2048)
    made = await passwords.hash(STORED_PASSWORD)
    assert made.startswith("scrypt:2048$") and await passwords.verify(STORED_PASSWORD, made)
    assert passwords.dummy == dummy_hash(2048)
