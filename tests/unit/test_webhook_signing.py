"""The Stripe-style signature of deliveries, and a receiver's check of it."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from callcenter.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    headers,
    signature_header,
    verify,
)

SECRET = "whsec_test-secret-0123456789"
BODY = '{"id":"x","type":"ticket.created","data":{"summary":"停电"}}'
T = 1_780_000_000


def test_the_header_is_the_hmac_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.{BODY}".encode(), hashlib.sha256).hexdigest()
    assert signature_header(SECRET, T, BODY) == f"t={T},v1={expected}"


def test_a_delivery_carries_the_event_and_delivery_ids() -> None:
    sent = headers(SECRET, T, BODY, "ticket.created", "01jabc")
    assert (sent[EVENT_HEADER], sent[DELIVERY_HEADER]) == ("ticket.created", "01jabc")
    assert verify(SECRET, sent[SIGNATURE_HEADER], BODY, now=T)


@pytest.mark.parametrize(
    ("secret", "header", "body", "now", "valid"),
    [
        (SECRET, signature_header(SECRET, T, BODY), BODY, T + 299, True),
        (SECRET, signature_header(SECRET, T, BODY), BODY + " ", T, False),  # body changed
        ("another-secret-0123", signature_header(SECRET, T, BODY), BODY, T, False),
        (SECRET, signature_header(SECRET, T, BODY), BODY, T + 301, False),  # too old: replay
        (SECRET, signature_header(SECRET, T, BODY), BODY, T - 301, False),  # from the future
        (SECRET, f"t={T}", BODY, T, False),  # no v1
        (SECRET, "v1=abc", BODY, T, False),  # no t
        (SECRET, "t=soon,v1=abc", BODY, T, False),
        (SECRET, "", BODY, T, False),
    ],
)
def test_verify(secret: str, header: str, body: str, now: int, valid: bool) -> None:
    assert verify(secret, header, body, now=now) is valid
