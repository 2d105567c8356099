"""The call record's talk time and end reason (issue 12): talk is the agent's answer to the
agent's leg ending, not to the end of the call; `end_reason` says who ended it."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.calls.models import CallEventType, CallState
from tests.unit.test_lifecycle import events, fold

E = CallEventType
Step = tuple[int, CallEventType, dict[str, Any]]
TALKING: list[Step] = [
    (1, E.IVR_ENTERED, {}),
    (9, E.QUEUED, {"queue": "billing"}),
    (30, E.OFFERED, {"agent_id": 7}),
    (34, E.AGENT_CONNECTED, {"agent_id": 7}),
]
QUEUED: list[Step] = TALKING[:2]


@pytest.mark.parametrize(
    ("steps", "state", "talk", "end_reason"),
    [
        pytest.param(  # the agent hangs up the phone; the caller answers the survey
            [
                (154, E.AGENT_LEFT, {"agent_id": 7, "by": "agent"}),
                (180, E.SURVEY_ANSWERED, {"score": 5}),
                (185, E.HUNG_UP, {"reason": "completed"}),
                (200, E.WRAP_UP_DONE, {"disposition": "resolved"}),
            ],
            CallState.ENDED,
            120,
            "agent",
            id="agent-left-then-survey",
        ),
        pytest.param(  # the desk's hang-up: agent_left, then the ACD's hung_up
            [
                (100, E.AGENT_LEFT, {"agent_id": 7, "by": "agent"}),
                (100, E.HUNG_UP, {"by": "agent", "reason": "desk-hang-up"}),
                (101, E.HUNG_UP, {"reason": "caller"}),  # the provider's, later: ignored
            ],
            CallState.WRAP_UP,
            66,
            "agent",
            id="desk-hang-up",
        ),
        pytest.param(  # the caller hangs up while talking
            [(94, E.HUNG_UP, {"by": "caller"})],
            CallState.WRAP_UP,
            60,
            "caller",
            id="caller-hangs-up",
        ),
        pytest.param(  # the caller's hang-up ends the agent's leg too: both are recorded
            [
                (94, E.AGENT_LEFT, {"agent_id": 7, "by": "caller"}),
                (94, E.HUNG_UP, {"reason": "completed"}),
            ],
            CallState.WRAP_UP,
            60,
            "caller",
            id="caller-hangs-up-leg-first",
        ),
        pytest.param(  # a second agent_left (the device's leg after the desk) changes nothing
            [
                (64, E.AGENT_LEFT, {"agent_id": 7, "by": "agent"}),
                (70, E.AGENT_LEFT, {"agent_id": 7, "by": "network"}),
            ],
            CallState.WRAP_UP,
            30,
            "agent",
            id="agent-left-twice",
        ),
        pytest.param(  # the network drops the agent's leg
            [(50, E.AGENT_LEFT, {"agent_id": 7, "by": "network"})],
            CallState.WRAP_UP,
            16,
            "network",
            id="network",
        ),
    ],
)
def test_talk_ends_when_the_agent_leaves_and_end_reason_says_who(
    steps: list[Step], state: CallState, talk: int, end_reason: str
) -> None:
    record = fold(events(*TALKING, *steps))
    assert (record.state, record.talk_seconds, record.end_reason) == (state, talk, end_reason)


@pytest.mark.parametrize(
    ("steps", "state", "disposition", "end_reason"),
    [
        (
            [(60, E.HUNG_UP, {"by": "system", "reason": "reconciled"})],
            "abandoned",
            "abandoned",
            "system",
        ),
        ([(60, E.HUNG_UP, {"by": "max-wait"})], "ended", "max-wait", "max-wait"),
        (
            [(60, E.HUNG_UP, {"reason": "callback-requested"})],
            "ended",
            "callback-requested",
            "callback-requested",
        ),
        ([(60, E.HUNG_UP, {"reason": "caller"})], "abandoned", "abandoned", "caller"),
        ([(60, E.HUNG_UP, {})], "abandoned", "abandoned", "caller"),
    ],
)
def test_who_ended_a_waiting_call(
    steps: list[Step], state: str, disposition: str, end_reason: str
) -> None:
    record = fold(events(*QUEUED, *steps))
    assert (record.state, record.disposition, record.end_reason) == (state, disposition, end_reason)
    assert record.wait_seconds == 51


def test_an_ivr_hang_up_by_the_flow_says_so() -> None:
    record = fold(events((1, E.IVR_ENTERED, {}), (20, E.HUNG_UP, {"by": "ivr-ended"})))
    assert (record.state, record.end_reason) == ("ended", "ivr-ended")
