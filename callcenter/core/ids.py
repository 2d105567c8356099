"""Time-ordered, URL-safe identifiers for calls, events and other records."""

from __future__ import annotations

from datetime import datetime

from callcenter.core.entropy import random_bytes

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def new_id(now: datetime) -> str:
    """Return a 26-character id that sorts by creation time (ULID layout, lower case)."""
    millis = int(now.timestamp() * 1000)
    value = (millis << 80) | int.from_bytes(random_bytes(10), "big")
    chars = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def is_id(text: str) -> bool:
    """True when `text` has the shape of an id made by `new_id`."""
    return len(text) == 26 and all(c in _ALPHABET for c in text)
