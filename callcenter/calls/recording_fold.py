"""The recording on the call record, folded from the `recording_*` events (none of them
changes the call's state).

A recording goes `recording ⇄ paused`, then `ready` (the file can be played) or `failed`,
and at the end of its retention `deleted`. A ready recording only takes a repeated `ready`
(the provider's retried callback: the latest location and length win) or its deletion; a
failed one only its deletion; a deleted one nothing (late callbacks are kept as events but
change nothing), and deleting it again is refused, so that two instances sweeping at once
write one `recording_deleted` between them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from callcenter.calls.models import CallEventType, CallRecord
from callcenter.core.errors import ConflictError
from callcenter.core.fast_replace import replace
from callcenter.core.recordings import CallRecording, RecordingStatus

E = CallEventType
R = RecordingStatus

Handler = Callable[[CallRecord, datetime, dict[str, Any]], CallRecord]

STATUS_OF: dict[CallEventType, RecordingStatus] = {
    E.RECORDING_STARTED: R.RECORDING,
    E.RECORDING_PAUSED: R.PAUSED,
    E.RECORDING_RESUMED: R.RECORDING,
    E.RECORDING_READY: R.READY,
    E.RECORDING_FAILED: R.FAILED,
    E.RECORDING_DELETED: R.DELETED,
}
EVENT_OF: dict[RecordingStatus, CallEventType] = {
    R.RECORDING: E.RECORDING_STARTED,
    R.PAUSED: E.RECORDING_PAUSED,
    R.READY: E.RECORDING_READY,
    R.FAILED: E.RECORDING_FAILED,
    R.DELETED: E.RECORDING_DELETED,
}
# From these statuses only the ones listed may follow; any other event is kept, ignored.
_SETTLED: dict[RecordingStatus, frozenset[RecordingStatus]] = {
    R.READY: frozenset({R.READY, R.DELETED}),
    R.FAILED: frozenset({R.DELETED}),
    R.DELETED: frozenset(),
}


class RecordingGoneError(ConflictError):
    """The call's recording is deleted already."""

    default_code = "recording-deleted"


def _int(value: object) -> int | None:
    try:
        return None if value is None else max(int(str(value)), 0)
    except ValueError:
        return None


def _recorded(
    status: RecordingStatus, r: CallRecord, at: datetime, data: dict[str, Any]
) -> CallRecord:
    current = r.recording
    if current is not None and current.status is R.DELETED and status is R.DELETED:
        raise RecordingGoneError(f"call {r.id}: its recording is deleted already")
    if current is not None and status not in _SETTLED.get(current.status, frozenset(R)):
        return r
    base = current or CallRecording(status)
    duration = _int(data.get("duration_seconds"))
    return replace(
        r,
        recording=CallRecording(
            status,
            provider=data.get("provider") or base.provider,
            ref=data.get("ref") or base.ref,
            location=data.get("location") or base.location,
            duration_seconds=base.duration_seconds if duration is None else duration,
        ),
    )


RECORDING_HANDLERS: dict[CallEventType, Handler] = {
    event: partial(_recorded, status) for event, status in STATUS_OF.items()
}
