"""The call's recording in the `calls` table (issue 16, migration 0012r): its columns, and
their mapping to and from `CallRecording`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Index, Integer, String, Table, Text

from callcenter.core.recordings import CallRecording, RecordingStatus

COLUMNS = {
    "recording_status": "status",
    "recording_provider": "provider",
    "recording_ref": "ref",
    "recording_location": "location",
    "recording_duration_seconds": "duration_seconds",
}


def add_recording_columns(calls: Table) -> None:
    """Add the recording's columns to `calls`, and the index the retention sweep reads."""
    calls.append_column(Column("recording_status", String(16), nullable=True))
    calls.append_column(Column("recording_provider", String(16), nullable=True))
    calls.append_column(Column("recording_ref", String(64), nullable=True))
    calls.append_column(Column("recording_location", Text, nullable=True))
    calls.append_column(Column("recording_duration_seconds", Integer, nullable=True))
    Index("ix_calls_recording_sweep", calls.c.recording_status, calls.c.queue, calls.c.started_at)


def recording_row(recording: CallRecording | None) -> dict[str, Any]:
    """The columns of `recording` (all None without one)."""
    if recording is None:
        return dict.fromkeys(COLUMNS)
    row = {column: getattr(recording, name) for column, name in COLUMNS.items()}
    row["recording_status"] = recording.status.value
    return row


def pop_recording(values: dict[str, Any]) -> CallRecording | None:
    """Take the recording's columns out of a row's `values`; the recording, if any."""
    taken = {name: values.pop(column, None) for column, name in COLUMNS.items()}
    if taken["status"] is None:
        return None
    taken["status"] = RecordingStatus(taken["status"])
    return CallRecording(**taken)
