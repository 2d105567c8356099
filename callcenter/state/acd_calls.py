"""Waiting calls as the ACD keeps them in Redis: compact JSON, and their score in a queue."""

from __future__ import annotations

import json
from typing import Any

from agents.models import Priority, WaitingCall
from callcenter.state.acd_scripts import BAND


def text_of(value: object) -> str:
    """A Redis reply as text (bytes decoded as UTF-8)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def score_of(call: WaitingCall) -> int:
    """Position in its queue: priority band first, then time in queue."""
    return int(call.priority) * BAND + call.enqueued_ms


def compact(value: Any) -> str:
    """JSON without spaces, as every ACD value is kept."""
    return json.dumps(value, separators=(",", ":"))


def encode_call(call: WaitingCall) -> str:
    """The compact JSON a waiting call is kept as."""
    return compact(
        [
            call.call_id,
            call.queue,
            int(call.priority),
            call.enqueued_ms,
            list(call.skills),
            call.language,
            call.preferred_agent,
            call.preferred_wait_seconds,
            int(call.simulated),
        ]
    )


def decode_call(raw: bytes | str) -> WaitingCall:
    """The waiting call `encode_call` wrote."""
    cid, queue, priority, at, skills, language, preferred, wait, *more = json.loads(raw)
    simulated = bool(more[0]) if more else False  # kept before simulated calls were marked
    return WaitingCall(
        cid, queue, Priority(priority), at, tuple(skills), language, preferred, wait, simulated
    )
