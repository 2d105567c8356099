"""Phone and account number normalisation."""

from __future__ import annotations

import pytest

from callcenter.core.phone import InvalidNumberError, mask, normalise_account, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+8613800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("0086-138-0013-8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        (" 138-0013-8000 ", "+8613800138000"),
        ("010-65123456", "+861065123456"),
        ("(010) 6512 3456", "+861065123456"),
        ("+86 10 6512 3456", "+861065123456"),
        ("+86 (0)10 65123456", "+861065123456"),
        ("0571-87654321", "+8657187654321"),
        ("057187654321", "+8657187654321"),
        ("0755 8123 4567", "+8675581234567"),
        ("+1 415 555 0100", "+14155550100"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12ab",
        "1380013800",
        "138001380001",
        "12800138000",
        "65123456",
        "+86",
        "+12",
        "++8613800138000",
        "13800138000x",
        "95598",
        "0086 138",
    ],
)
def test_invalid_phone_has_stable_code(raw: str) -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalise_phone(raw)
    assert caught.value.code == "invalid-number"
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3300000012", "3300000012"),
        ("33 0000 0012", "3300000012"),
        ("1234567890123", "1234567890123"),
    ],
)
def test_normalise_account(raw: str, expected: str) -> None:
    assert normalise_account(raw) == expected


@pytest.mark.parametrize("raw", ["123456789", "12345678901234", "33000000ab", ""])
def test_invalid_account(raw: str) -> None:
    with pytest.raises(InvalidNumberError):
        normalise_account(raw)


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+8613800138000", "**********8000"), ("1234", "****"), ("95598", "*5598")],
)
def test_mask_keeps_last_four(number: str, masked: str) -> None:
    assert mask(number) == masked
