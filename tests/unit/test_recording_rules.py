"""Pure recording rules: which event a provider's update makes (nothing for a retried
callback), the retention cutoffs per queue, byte ranges, and what Twilio's recording status
callback says (the recorded fixture)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import RecordingEvent, RecordingUpdate, byte_range
from callcenter.recordings.retention import cutoffs, event_for
from callcenter.telephony.twilio.recording_files import recording_update
from tests.conftest import NOW

R = RecordingStatus
V = RecordingEvent
FIXTURE = Path(__file__).parents[1] / "fixtures" / "twilio" / "recording-status.json"
SID = "RE" + "d" * 32


def _update(status: RecordingStatus, **kw: object) -> RecordingUpdate:
    return RecordingUpdate(status, "twilio", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "update", "event"),
    [
        (None, _update(R.RECORDING, ref=SID), V.STARTED),
        (CallRecording(R.PAUSED, "twilio", SID), _update(R.RECORDING), V.RESUMED),
        (CallRecording(R.RECORDING, "twilio", SID), _update(R.PAUSED), V.PAUSED),
        (CallRecording(R.RECORDING, "twilio", SID), _update(R.STOPPED), None),
        (CallRecording(R.RECORDING, "twilio", SID), _update(R.READY, duration_seconds=9), V.READY),
        (CallRecording(R.READY, "twilio", SID, "u", 9), _update(R.READY, duration_seconds=9), None),
        (
            CallRecording(R.READY, "twilio", SID, "u", 9),
            _update(R.READY, duration_seconds=10),
            V.READY,
        ),
        (CallRecording(R.RECORDING), _update(R.FAILED), V.FAILED),
        (CallRecording(R.READY), _update(R.DELETED), V.DELETED),
    ],
)
def test_event_for_an_update(
    current: CallRecording | None, update: RecordingUpdate, event: RecordingEvent | None
) -> None:
    assert event_for(current, update) is event


def test_cutoffs_per_queue_and_for_the_rest() -> None:
    by_queue, other = cutoffs({"complaint": 730, "billing": 90}, 365, NOW)
    assert by_queue == {
        "complaint": NOW - timedelta(days=730),
        "billing": NOW - timedelta(days=90),
    }
    assert other == NOW - timedelta(days=365)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=900-5000", (900, 999)),
        ("bytes=1000-", None),
        ("bytes=5-1", None),
        ("bytes=0-1,5-9", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_byte_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 1000) == expected


def test_twilio_callback_of_a_finished_recording() -> None:
    params = json.loads(FIXTURE.read_text(encoding="utf-8"))["params"]
    update = recording_update(params)
    assert update == RecordingUpdate(
        R.READY,
        "twilio",
        ref=params["RecordingSid"],
        location=params["RecordingUrl"],
        duration_seconds=181,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [("in-progress", R.RECORDING), ("absent", R.FAILED), ("failed", R.FAILED), ("odd", None)],
)
def test_twilio_statuses(status: str, expected: RecordingStatus | None) -> None:
    update = recording_update({"RecordingStatus": status, "RecordingSid": SID})
    assert (update.status if update else None) is expected
