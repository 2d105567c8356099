"""What a waiting caller is told and what happens after the queue's maximum wait, pure.

`wait_outcome` decides, for one waiting call, whether its queue's maximum wait has passed and
what follows (offer a callback, overflow to another queue, or end the call politely);
`queued_info` is what the caller hears: position, estimated wait (none when no agent is
logged in to the queue), whether a callback is offered. Time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import MaxWaitAction, QueueConfig, QueuedInfo, WaitingCall
from agents.routing import estimated_wait_seconds

DEFAULT_HANDLE_SECONDS = 240.0
FALLBACK_OVERFLOW_QUEUE = "general"


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    """The maximum wait has passed: `action`, and for an overflow the queue to move to."""

    action: MaxWaitAction
    queue: str | None = None


def wait_outcome(call: WaitingCall, config: QueueConfig, now_ms: int) -> WaitOutcome | None:
    """None while the call is within `config.max_wait_seconds`; then the queue's action.
    Overflow goes to the queue's `overflow_queue`, else general; a queue that would overflow
    into itself offers the callback instead."""
    if now_ms < call.enqueued_ms + config.max_wait_seconds * 1000:
        return None
    action = config.max_wait_action
    if action is not MaxWaitAction.OVERFLOW:
        return WaitOutcome(action)
    target = config.overflow_queue or FALLBACK_OVERFLOW_QUEUE
    if target == call.queue:
        return WaitOutcome(MaxWaitAction.CALLBACK)
    return WaitOutcome(action, target)


def queued_info(
    position: int,
    logged_in: int,
    config: QueueConfig,
    reached: MaxWaitAction | None = None,
    handle_seconds: float = DEFAULT_HANDLE_SECONDS,
) -> QueuedInfo:
    """Position, estimated wait over the agents logged in to the queue (infinite with
    none), and the callback offer: over the queue's threshold, or at once when no agent is
    logged in, or when the maximum wait has passed with the callback action."""
    wait = estimated_wait_seconds(position, logged_in, handle_seconds)
    threshold = config.callback_offer_seconds
    offer = (
        logged_in <= 0
        or (threshold is not None and wait > threshold)
        or reached is MaxWaitAction.CALLBACK
    )
    return QueuedInfo(position, wait, offer, reached)
