"""Phone numbers: normalise what callers, switches and people type to E.164; mask for logs.

Accepted: `+86 138 0013 8000`, `0086-13800138000`, `13800138000`, `010-6512 3456`,
`+86 10 6512 3456`, `+86 (0)10 65123456`, and other countries' numbers in `+` or `00` form.
A bare local number without its area code is refused: it names no single line.
"""

from __future__ import annotations

import re

from callcenter.core.errors import InvalidInputError

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(10|2\d|[3-9]\d\d)\d{7,8}")
_ACCOUNT = re.compile(r"\d{10,13}")


class InvalidNumberError(InvalidInputError):
    """A phone or account number that cannot be understood."""

    default_code = "invalid-number"


def normalise_phone(raw: str) -> str:
    """Return the E.164 form of `raw` (`+8613800138000`) or raise `InvalidNumberError`."""
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        return "+86" + _national(text, raw)
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise InvalidNumberError(f"not a phone number: {raw!r}")
    if digits.startswith("86"):
        return "+86" + _national(digits[2:].removeprefix("0"), raw)
    return "+" + digits


def _national(text: str, raw: str) -> str:
    if not text.isdigit():
        raise InvalidNumberError(f"not a phone number: {raw!r}")
    national = text[1:] if text.startswith("0") else text
    if _MOBILE.fullmatch(national) or _LANDLINE.fullmatch(national):
        return national
    raise InvalidNumberError(f"not a Chinese mobile or landline number with its area code: {raw!r}")


def normalise_account(raw: str) -> str:
    """Return the account number (户号, 10-13 digits) or raise `InvalidNumberError`."""
    text = _SEPARATORS.sub("", raw.strip())
    if not _ACCOUNT.fullmatch(text):
        raise InvalidNumberError(f"an account number is 10 to 13 digits: {raw!r}")
    return text


def mask(number: str) -> str:
    """Hide all but the last four digits, for logs and events."""
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


def caller_number(raw: str) -> str:
    """What a telephony provider reported as a number: its E.164 form when it is one, else
    the raw text cut to 20 characters (a SIP user, `anonymous`), never empty."""
    try:
        return normalise_phone(raw)
    except InvalidInputError:
        return raw[:20] or "anonymous"
