"""The recording on the call record, folded from the recording_* events: status, provider,
handle, location and length; a settled recording ignores late events; a deleted one refuses
a second deletion; none changes the call's state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callcenter.calls.lifecycle import apply, open_record
from callcenter.calls.models import CallEvent, CallEventType, CallRecord, CallState
from callcenter.calls.recording_fold import RecordingGoneError
from callcenter.core.recordings import CallRecording, RecordingStatus
from tests.conftest import NOW

E = CallEventType
R = RecordingStatus
SID = "RE" + "d" * 32
URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + SID


def _talking() -> CallRecord:
    data = {"direction": "inbound", "from_number": "+8613800138000", "to_number": "95598"}
    record = open_record(CallEvent("c1", 1, NOW, E.STARTED, data))
    return apply(record, CallEvent("c1", 2, NOW, E.AGENT_CONNECTED, {"agent_id": 7}))


def _fold(*events: tuple[CallEventType, dict[str, Any]]) -> CallRecord:
    record = _talking()
    for n, (kind, data) in enumerate(events, start=3):
        record = apply(record, CallEvent("c1", n, NOW + timedelta(seconds=n), kind, data))
    return record


STARTED = (E.RECORDING_STARTED, {"provider": "twilio", "ref": SID})
READY = (E.RECORDING_READY, {"location": URL, "duration_seconds": 181})
DELETED = (E.RECORDING_DELETED, {"reason": "retention"})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((), None),
        ((STARTED,), CallRecording(R.RECORDING, "twilio", SID)),
        ((STARTED, (E.RECORDING_PAUSED, {})), CallRecording(R.PAUSED, "twilio", SID)),
        (
            (STARTED, (E.RECORDING_PAUSED, {}), (E.RECORDING_RESUMED, {})),
            CallRecording(R.RECORDING, "twilio", SID),
        ),
        ((STARTED, READY), CallRecording(R.READY, "twilio", SID, URL, 181)),
        ((READY,), CallRecording(R.READY, None, None, URL, 181)),
        (
            (STARTED, READY, (E.RECORDING_READY, {"duration_seconds": "182"})),
            CallRecording(R.READY, "twilio", SID, URL, 182),
        ),
        (
            (STARTED, READY, (E.RECORDING_PAUSED, {})),
            CallRecording(R.READY, "twilio", SID, URL, 181),
        ),
        ((STARTED, (E.RECORDING_FAILED, {})), CallRecording(R.FAILED, "twilio", SID)),
        ((STARTED, (E.RECORDING_FAILED, {}), READY), CallRecording(R.FAILED, "twilio", SID)),
        ((STARTED, READY, DELETED), CallRecording(R.DELETED, "twilio", SID, URL, 181)),
        ((STARTED, READY, DELETED, READY), CallRecording(R.DELETED, "twilio", SID, URL, 181)),
    ],
    ids=[
        "none",
        "started",
        "paused",
        "resumed",
        "ready",
        "ready-without-start",
        "ready-again-updates",
        "late-pause-ignored",
        "failed",
        "ready-after-failed-ignored",
        "deleted",
        "late-ready-after-delete-ignored",
    ],
)
def test_the_record_carries_the_recording(
    events: tuple[tuple[CallEventType, dict[str, Any]], ...], expected: CallRecording | None
) -> None:
    record = _fold(*events)
    assert record.recording == expected
    assert record.state is CallState.TALKING


def test_a_second_deletion_is_refused() -> None:
    with pytest.raises(RecordingGoneError) as raised:
        _fold(STARTED, READY, DELETED, DELETED)
    assert raised.value.code == "recording-deleted"
