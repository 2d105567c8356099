"""Pure rules of the webhooks: backoff with jitter, subscription checks, event data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import pytest

from callcenter.core.errors import InvalidInputError
from callcenter.core.events import Event, plain
from callcenter.webhooks.backoff import RetryPolicy
from callcenter.webhooks.models import EventType
from callcenter.webhooks.service import check_events, check_secret, check_url, new_secret

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=12, base_seconds=10, cap_seconds=6 * 3600)


@pytest.mark.parametrize(
    ("attempts", "draw", "seconds"),
    [
        (1, 0.0, 5.0),  # the upper half of each wait is jitter
        (1, 0.999999, 9.99999),
        (2, 0.0, 10.0),
        (3, 0.5, 30.0),
        (11, 1.0, 10240.0),
        (12, 1.0, 20480.0),
        (13, 0.0, 10800.0),  # capped at 6 h
        (13, 1.0, 21600.0),
        (50, 1.0, 21600.0),
    ],
)
def test_delay_doubles_up_to_the_cap(attempts: int, draw: float, seconds: float) -> None:
    assert POLICY.delay(attempts, draw) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("attempts", "expected"),
    [(1, NOW + timedelta(seconds=5)), (11, NOW + timedelta(seconds=5120)), (12, None)],
)
def test_no_next_attempt_after_the_last(attempts: int, expected: datetime | None) -> None:
    assert POLICY.next_attempt(attempts, NOW, 0.0) == expected


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://example.com/hook", True),
        ("http://127.0.0.1:8080/in?x=1", True),
        ("ftp://example.com/hook", False),
        ("example.com/hook", False),
        ("https:///no-host", False),
        ("javascript:alert(1)", False),
        ("https://example.com/" + "a" * 2000, False),
    ],
)
def test_urls_must_be_http_or_https_with_a_host(url: str, valid: bool) -> None:
    if valid:
        assert check_url(url) == url
    else:
        with pytest.raises(InvalidInputError) as caught:
            check_url(url)
        assert caught.value.code == "invalid-webhook-url"


@pytest.mark.parametrize(
    ("events", "code"),
    [
        ((), "no-event-types"),
        (("call.ended", "call.started"), "unknown-event-type"),
        (("Ticket.Created",), "unknown-event-type"),
    ],
)
def test_event_types_are_checked(events: tuple[str, ...], code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_events(events)
    assert caught.value.code == code


def test_event_types_are_kept_once_in_order() -> None:
    checked = check_events(("ticket.breached", "call.ended", "ticket.breached"))
    assert checked == (EventType.TICKET_BREACHED, EventType.CALL_ENDED)


@pytest.mark.parametrize(
    ("secret", "valid"), [("short", False), ("x" * 16, True), ("\n" * 20, False)]
)
def test_secrets_are_long_enough(secret: str, valid: bool) -> None:
    if valid:
        assert check_secret(secret) == secret
    else:
        with pytest.raises(InvalidInputError, match="at least 16"):
            check_secret(secret)


def test_generated_secrets_differ_and_pass_the_check() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert check_secret(first) == first


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True, slots=True)
class Thing:
    at: datetime
    colour: Colour
    amount: Decimal
    tags: tuple[str, ...]


def test_event_data_is_json_ready() -> None:
    event = Event.of("x.y", Thing(NOW, Colour.RED, Decimal("1.50"), ("a", "b")))
    assert event.data == {
        "at": "2026-03-10T02:00:00+00:00",
        "colour": "red",
        "amount": "1.50",
        "tags": ["a", "b"],
    }
    assert plain({1: {Colour.RED}}) == {"1": ["red"]}
