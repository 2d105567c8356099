"""The signature of a delivery (the Stripe scheme): `X-Callcenter-Signature: t=<unix>,v1=<hex>`
where `<hex>` is the HMAC-SHA256, keyed by the subscription's secret, of `"<t>.<body>"`."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Callcenter-Signature"
EVENT_HEADER = "X-Callcenter-Event"
DELIVERY_HEADER = "X-Callcenter-Delivery"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: str) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"`."""
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    """The value of `X-Callcenter-Signature`."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def headers(secret: str, timestamp: int, body: str, event: str, delivery: str) -> dict[str, str]:
    """Every header of a delivery request."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "callcenter-webhooks/1",
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery,
    }


def verify(
    secret: str,
    header: str,
    body: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance`
    seconds of `now` (a receiver's check; replays of old requests fail)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    stamp = parts.get("t", "")
    if not stamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, int(stamp), body))
