"""The queue's maximum wait (issue 11), pure: what happens to a call that waited past it,
what a caller is told when no agent is logged in, and the `max_wait_action` setting."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agents.models import MaxWaitAction, Priority, QueueConfig, WaitingCall
from agents.queues import QueueBook
from agents.routing import queue_configs
from agents.waiting import WaitOutcome, queued_info, wait_outcome
from callcenter.config import load_settings
from callcenter.core.errors import ConfigError

A = MaxWaitAction
T0 = 1_780_000_000_000


def call(queue: str = "fault", waited_s: float = 0) -> tuple[WaitingCall, int]:
    return WaitingCall("c1", queue, Priority.NORMAL, T0), T0 + int(waited_s * 1000)


@pytest.mark.parametrize(
    ("config", "queue", "waited", "outcome"),
    [
        (QueueConfig("fault", max_wait_seconds=600), "fault", 599.999, None),
        (QueueConfig("fault", max_wait_seconds=600), "fault", 600, WaitOutcome(A.CALLBACK)),
        (
            QueueConfig("fault", max_wait_seconds=60, max_wait_action=A.END),
            "fault",
            61,
            WaitOutcome(A.END),
        ),
        (
            QueueConfig(
                "fault", max_wait_seconds=60, overflow_queue="billing", max_wait_action=A.OVERFLOW
            ),
            "fault",
            60,
            WaitOutcome(A.OVERFLOW, "billing"),
        ),
        (  # no overflow queue: general
            QueueConfig("fault", max_wait_seconds=60, max_wait_action=A.OVERFLOW),
            "fault",
            90,
            WaitOutcome(A.OVERFLOW, "general"),
        ),
        (  # general would overflow into itself: the callback instead
            QueueConfig("general", max_wait_seconds=60, max_wait_action=A.OVERFLOW),
            "general",
            90,
            WaitOutcome(A.CALLBACK),
        ),
    ],
)
def test_wait_outcome(
    config: QueueConfig, queue: str, waited: float, outcome: WaitOutcome | None
) -> None:
    waiting, now = call(queue, waited)
    assert wait_outcome(waiting, config, now) == outcome


@pytest.mark.parametrize(
    ("position", "logged_in", "config", "reached", "wait", "offer"),
    [
        (3, 2, QueueConfig("q", callback_offer_seconds=120), None, 240.0, True),
        (2, 2, QueueConfig("q", callback_offer_seconds=120), None, 120.0, False),
        (1, 0, QueueConfig("q", callback_offer_seconds=120), None, math.inf, True),
        (1, 0, QueueConfig("q", callback_offer_seconds=None), None, math.inf, True),
        (1, 3, QueueConfig("q", callback_offer_seconds=None), A.CALLBACK, 0.0, True),
        (1, 3, QueueConfig("q", callback_offer_seconds=None), A.END, 0.0, False),
    ],
)
def test_what_the_caller_is_told(
    position: int,
    logged_in: int,
    config: QueueConfig,
    reached: MaxWaitAction | None,
    wait: float,
    offer: bool,
) -> None:
    info = queued_info(position, logged_in, config, reached)
    assert (info.estimated_wait_seconds, info.offer_callback, info.max_wait) == (
        wait,
        offer,
        reached,
    )
    assert info.agent_available is (logged_in > 0)


def test_overflow_at_max_wait_needs_a_queue_to_go_to() -> None:
    with pytest.raises(ValueError, match="no overflow_queue"):
        queue_configs([QueueConfig("fault", max_wait_action=A.OVERFLOW)])
    assert queue_configs(
        [QueueConfig("fault", max_wait_action=A.OVERFLOW), QueueConfig("general")]
    ).keys() == {"fault", "general"}


def test_the_queue_book_is_replaced_in_place() -> None:
    book = QueueBook({"general": QueueConfig("general")})
    seen_by_a_reader = book
    book.replace([QueueConfig("general", max_wait_seconds=30), QueueConfig("fault")])
    assert seen_by_a_reader["general"].max_wait_seconds == 30 and "fault" in seen_by_a_reader
    with pytest.raises(ValueError):
        book.replace([QueueConfig("a"), QueueConfig("a")])
    assert list(book) == ["general", "fault"]  # a refused replacement leaves the rules


def test_max_wait_action_is_read_from_the_queue_settings(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[[routing.queues]]\nname = "general"\n\n'
        '[[routing.queues]]\nname = "fault"\nmax_wait_seconds = 300\nmax_wait_action = "overflow"\n'
    )
    configs = {q.name: q for q in load_settings(path, {}).routing.queue_configs()}
    assert (configs["fault"].max_wait_action, configs["general"].max_wait_action) == (
        A.OVERFLOW,
        A.CALLBACK,
    )
    path.write_text('[[routing.queues]]\nname = "general"\nmax_wait_action = "hang-up"\n')
    with pytest.raises(ConfigError, match="max_wait_action"):
        load_settings(path, {})
