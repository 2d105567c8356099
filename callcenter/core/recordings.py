"""A call's recording as the call record keeps it: shared by the call record, the recordings
use case and the storage that finds expired ones."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RecordingStatus(StrEnum):
    """A call recording's life (the values of `agents.live.models.RecordingStatus`)."""

    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"  # the call ended; the file is being finished
    READY = "ready"  # the file can be played
    FAILED = "failed"
    DELETED = "deleted"  # past its retention


@dataclass(frozen=True, slots=True)
class CallRecording:
    """Where a call's recording is and in what state: the provider (twilio, asterisk), its
    handle (a RecordingSid, a MixMonitor file name), the file's location and length."""

    status: RecordingStatus
    provider: str | None = None
    ref: str | None = None
    location: str | None = None
    duration_seconds: int | None = None
