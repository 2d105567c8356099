"""`LocalRecordingFiles`: Asterisk's MixMonitor files in a directory this server can read
(`[recording] asterisk_dir`); the recording's location is the file's name in it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from callcenter.core.recordings import CallRecording
from callcenter.recordings.models import (
    Audio,
    NoRecordingError,
    RecordingUnavailableError,
    byte_range,
)

CHUNK = 64 * 1024
TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".gsm": "audio/x-gsm"}


class LocalRecordingFiles:
    """Implements `callcenter.recordings.ports.RecordingFiles` over a directory."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory.resolve()

    def _path(self, recording: CallRecording) -> Path:
        name = recording.location or recording.ref or ""
        path = (self._directory / name).resolve()
        if not name or self._directory not in path.parents:
            raise NoRecordingError(f"not a recording file of {self._directory.name}: {name!r}")
        return path

    @contextlib.asynccontextmanager
    async def open(
        self, recording: CallRecording, range_header: str | None
    ) -> AsyncIterator[Audio]:
        path = self._path(recording)
        try:
            size = path.stat().st_size
        except OSError as err:
            raise RecordingUnavailableError(f"cannot read {path.name}: {err.strerror}") from err
        span = byte_range(range_header, size)
        start, end = span or (0, size - 1)
        content_range = f"bytes {start}-{end}/{size}" if span else None
        content_type = TYPES.get(path.suffix.lower(), "application/octet-stream")
        yield Audio(
            _read(path, start, end + 1 - start), content_type, end + 1 - start, content_range
        )

    async def delete(self, recording: CallRecording) -> None:
        path = self._path(recording)
        try:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        except OSError as err:
            raise RecordingUnavailableError(f"cannot delete {path.name}: {err.strerror}") from err


async def _read(path: Path, start: int, count: int) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while count > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK, count))
            if not chunk:
                return
            count -= len(chunk)
            yield chunk
