"""What the recordings use case needs: the call records, the stored recordings past their
retention, the provider's files, the queues' retention and the audit log."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from callcenter.core.audit import AuditEntry
from callcenter.core.recordings import CallRecording
from callcenter.recordings.models import Audio, RecordedCall, RecordingEvent


class CallRecordings(Protocol):
    """The call records (their only writer is the call service)."""

    async def get(self, call_id: str) -> RecordedCall:
        """The call's queue and recording; `no-such-call` when there is no such call."""

    async def append(
        self, call_id: str, event: RecordingEvent, data: Mapping[str, Any], at: datetime
    ) -> bool:
        """Append the event; False (nothing stored) when the recording is deleted already."""


class ExpiredRecordings(Protocol):
    """Recordings not deleted yet, of calls that started before their queue's cutoff."""

    async def expired(
        self,
        cutoffs: Mapping[str, datetime],
        other: datetime,
        limit: int,
        skip: Collection[str] = (),
    ) -> list[RecordedCall]:
        """At most `limit`, oldest first: `cutoffs` per queue, `other` for calls of any
        other queue or none; not the calls in `skip`."""


class RecordingFiles(Protocol):
    """The provider's files. Both raise `RecordingUnavailableError` when the provider fails."""

    def open(
        self, recording: CallRecording, range_header: str | None
    ) -> AbstractAsyncContextManager[Audio]:
        """Read the sound (a byte range of it when asked and possible)."""

    async def delete(self, recording: CallRecording) -> None:
        """Delete the file; one that is gone already is no error."""


class RetentionPolicy(Protocol):
    """How long each queue keeps its recordings now."""

    async def retention_days(self) -> Mapping[str, int]: ...


class AuditLog(Protocol):
    """Appends audit entries (every playback)."""

    async def write(self, entry: AuditEntry) -> None: ...
