"""Recordings' value objects and errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.errors import CallcenterError, ConflictError, NotFoundError
from callcenter.core.recordings import CallRecording, RecordingStatus


class RecordingEvent(StrEnum):
    """The call events that change a recording (their names in the call's timeline)."""

    STARTED = "recording_started"
    PAUSED = "recording_paused"
    RESUMED = "recording_resumed"
    READY = "recording_ready"
    FAILED = "recording_failed"
    DELETED = "recording_deleted"


@dataclass(frozen=True, slots=True)
class RecordingUpdate:
    """What a provider says of a call's recording (a status callback, a MixMonitor event)."""

    status: RecordingStatus
    provider: str
    ref: str | None = None
    location: str | None = None
    duration_seconds: int | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """A call with its queue and its recording, if any."""

    call_id: str
    queue: str | None
    recording: CallRecording | None


@dataclass(frozen=True, slots=True)
class Audio:
    """A recording's sound being read: its chunks, media type, the number of bytes sent
    (when known) and, when a byte range was served, the `Content-Range` to answer with."""

    chunks: AsyncIterator[bytes]
    content_type: str
    length: int | None = None
    content_range: str | None = None


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte of a single `Range: bytes=…` within `size` bytes; None for
    no header, several ranges or one that does not fit (the whole file is sent then)."""
    found = _RANGE.fullmatch((header or "").strip())
    if found is None or found.groups() == ("", ""):
        return None
    first, last = found.groups()
    if not first:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end < size else None


class NoRecordingError(NotFoundError):
    """The call has no recording (or none that can be played)."""

    default_code = "no-recording"


class RecordingNotReadyError(ConflictError):
    """The recording is still being made."""

    default_code = "recording-not-ready"


class RecordingDeletedError(CallcenterError):
    """The recording was deleted at the end of its retention (HTTP 410)."""

    status = 410
    default_code = "recording-deleted"


class RecordingUnavailableError(CallcenterError):
    """The provider could not give or delete the file (HTTP 502); tried again later."""

    status = 502
    default_code = "recording-unavailable"
