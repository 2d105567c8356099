"""Pure choices: which event a provider's update makes, and the retention cutoffs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import RecordingEvent, RecordingUpdate

R = RecordingStatus
_EVENTS = {
    R.PAUSED: RecordingEvent.PAUSED,
    R.READY: RecordingEvent.READY,
    R.FAILED: RecordingEvent.FAILED,
    R.DELETED: RecordingEvent.DELETED,
}


def _same(current: CallRecording, update: RecordingUpdate) -> bool:
    return current.status is update.status and all(
        new is None or new == old
        for new, old in (
            (update.ref, current.ref),
            (update.location, current.location),
            (update.duration_seconds, current.duration_seconds),
        )
    )


def event_for(current: CallRecording | None, update: RecordingUpdate) -> RecordingEvent | None:
    """The event `update` makes on a call whose recording is `current`; None when it says
    nothing new (a retried callback, `stopped`, which only the live call shows)."""
    if update.status is R.STOPPED or (current is not None and _same(current, update)):
        return None
    if update.status is R.RECORDING:
        if current is not None and current.status is R.RECORDING:
            return None  # started already (the live call noted it when the agent answered)
        paused = current is not None and current.status is R.PAUSED
        return RecordingEvent.RESUMED if paused else RecordingEvent.STARTED
    return _EVENTS[update.status]


def cutoffs(
    days_by_queue: Mapping[str, int], default_days: int, now: datetime
) -> tuple[dict[str, datetime], datetime]:
    """Per queue, the start before which a call's recording is past its retention; and the
    same for calls of no (or an unknown) queue, after `default_days`."""
    return (
        {queue: now - timedelta(days=days) for queue, days in days_by_queue.items()},
        now - timedelta(days=default_days),
    )
