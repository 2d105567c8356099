"""The call lifecycle fold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from callcenter.calls.lifecycle import InvalidTransitionError, apply, open_record, rebuild
from callcenter.calls.models import CallEvent, CallEventType, CallRecord, CallState

E = CallEventType
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def events(*steps: tuple[int, CallEventType, dict[str, Any]]) -> list[CallEvent]:
    start = CallEvent(
        "c1",
        1,
        T0,
        E.STARTED,
        {"direction": "inbound", "from_number": "+8613800138000", "to_number": "+861095598"},
    )
    return [start] + [
        CallEvent("c1", n + 2, T0 + timedelta(seconds=s), t, d) for n, (s, t, d) in enumerate(steps)
    ]


def fold(evs: list[CallEvent]) -> CallRecord:
    return rebuild(evs)


ANSWERED: list[tuple[int, CallEventType, dict[str, Any]]] = [
    (1, E.IVR_ENTERED, {}),
    (2, E.IVR_STEP, {"node": "greeting"}),
    (5, E.IVR_STEP, {"node": "main_menu"}),
    (9, E.QUEUED, {"queue": "billing"}),
    (30, E.OFFERED, {"agent_id": 7}),
    (34, E.AGENT_CONNECTED, {"agent_id": 7}),
    (154, E.HUNG_UP, {"reason": "caller"}),
    (190, E.WRAP_UP_DONE, {"disposition": "resolved"}),
]


def test_answered_call_summary() -> None:
    record = fold(events(*ANSWERED))
    assert record.state is CallState.ENDED
    assert record.ivr_path == ("greeting", "main_menu")
    assert (record.queue, record.agent_id, record.disposition) == ("billing", 7, "resolved")
    assert (record.wait_seconds, record.talk_seconds) == (25, 120)
    assert record.ended_at == T0 + timedelta(seconds=154)
    assert record.last_seq == 9


@pytest.mark.parametrize(
    ("steps", "state", "disposition", "wait"),
    [
        ([(1, E.IVR_ENTERED, {}), (8, E.HUNG_UP, {})], CallState.ENDED, "ivr-completed", None),
        (
            [(1, E.IVR_ENTERED, {}), (5, E.QUEUED, {"queue": "fault"}), (65, E.HUNG_UP, {})],
            CallState.ABANDONED,
            "abandoned",
            60,
        ),
        (
            [
                (1, E.IVR_ENTERED, {}),
                (5, E.QUEUED, {}),
                (10, E.OFFERED, {"agent_id": 3}),
                (12, E.HUNG_UP, {}),
            ],
            CallState.ABANDONED,
            "abandoned",
            7,
        ),
        ([(3, E.HUNG_UP, {})], CallState.ABANDONED, "abandoned", None),
        ([(20, E.FAILED, {"reason": "busy"})], CallState.FAILED, "busy", None),
        ([(20, E.VOICEMAIL_LEFT, {})], CallState.VOICEMAIL, "voicemail", None),
        (
            [
                (1, E.IVR_ENTERED, {}),
                (5, E.QUEUED, {}),
                (10, E.OFFERED, {"agent_id": 3}),
                (30, E.OFFER_WITHDRAWN, {}),
                (31, E.OFFERED, {"agent_id": 4}),
                (33, E.AGENT_CONNECTED, {}),
                (60, E.AGENT_LEFT, {}),
            ],
            CallState.WRAP_UP,
            None,
            28,
        ),
    ],
)
def test_endings(
    steps: list[tuple[int, CallEventType, dict[str, Any]]],
    state: CallState,
    disposition: str | None,
    wait: int | None,
) -> None:
    record = fold(events(*steps))
    assert (record.state, record.disposition, record.wait_seconds) == (state, disposition, wait)


@pytest.mark.parametrize(
    "steps",
    [
        [(1, E.OFFERED, {"agent_id": 1})],
        [(1, E.IVR_ENTERED, {}), (2, E.HUNG_UP, {}), (3, E.QUEUED, {})],
        [(1, E.WRAP_UP_DONE, {})],
        [(1, E.IVR_ENTERED, {}), (2, E.FAILED, {})],
    ],
)
def test_impossible_transitions_are_refused(
    steps: list[tuple[int, CallEventType, dict[str, Any]]],
) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        fold(events(*steps))
    assert caught.value.code == "invalid-call-transition"


def test_annotations_after_the_end_are_kept() -> None:
    record = fold(
        events(
            *ANSWERED,
            (200, E.SURVEY_ANSWERED, {"score": 5}),
            (201, E.PROVIDER_STATUS, {"status": "completed"}),
            (202, E.HUNG_UP, {"reason": "late duplicate"}),
        )
    )
    assert (record.state, record.survey_score, record.end_reason) == (CallState.ENDED, 5, "caller")


def test_incremental_fold_equals_rebuild() -> None:
    evs = events(*ANSWERED)
    record = open_record(evs[0])
    for event in evs[1:]:
        record = apply(record, event)
    assert record == rebuild(evs)


def test_first_event_must_be_started() -> None:
    with pytest.raises(InvalidTransitionError):
        open_record(CallEvent("c1", 1, T0, E.QUEUED, {}))
