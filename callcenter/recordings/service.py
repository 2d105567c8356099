"""`Recordings`: the recording on the call record from the provider's word, playback for
supervisors (audited), and deletion past the queue's retention."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.clock import Clock
from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import (
    Audio,
    NoRecordingError,
    RecordedCall,
    RecordingDeletedError,
    RecordingEvent,
    RecordingNotReadyError,
    RecordingUnavailableError,
    RecordingUpdate,
)
from callcenter.recordings.ports import (
    AuditLog,
    CallRecordings,
    ExpiredRecordings,
    RecordingFiles,
    RetentionPolicy,
)
from callcenter.recordings.retention import cutoffs, event_for

log = logging.getLogger(__name__)
R = RecordingStatus
_NOT_YET = frozenset({R.RECORDING, R.PAUSED, R.STOPPED})


@dataclass(frozen=True, slots=True)
class RecordingPorts:
    """The adapters the use case works through."""

    calls: CallRecordings
    expired: ExpiredRecordings
    files: RecordingFiles
    policy: RetentionPolicy
    audit: AuditLog


class Recordings:
    """Recordings of calls: updates, playback, the retention sweep."""

    def __init__(self, ports: RecordingPorts, clock: Clock, default_days: int) -> None:
        self._ports = ports
        self._clock = clock
        self._default_days = default_days  # calls of no configured queue

    async def update(self, call_id: str, update: RecordingUpdate) -> CallRecording | None:
        """Note what the provider says on the call record (once: a retried callback adds
        nothing); the recording as it now stands."""
        call = await self._ports.calls.get(call_id)
        event = event_for(call.recording, update)
        if event is None:
            return call.recording
        data: dict[str, Any] = {"provider": update.provider}
        for key in ("ref", "location", "duration_seconds"):
            if getattr(update, key) is not None:
                data[key] = getattr(update, key)
        at = update.at or self._clock.now()
        await self._ports.calls.append(call_id, event, data, at)
        log.info("call %s: %s (%s)", call_id, event.value, update.provider)
        return (await self._ports.calls.get(call_id)).recording

    async def sweep(self, batch: int = 200, batches: int = 5) -> int:
        """Delete the recordings past their queue's retention at the provider and mark them
        deleted on their calls, `batch` at a time, at most `batches` times; how many. A
        provider failure leaves that recording for the next sweep (this one goes past it)."""
        days = await self._ports.policy.retention_days()
        deleted, failed = 0, set[str]()
        for _ in range(batches):
            by_queue, other = cutoffs(days, self._default_days, self._clock.now())
            due = await self._ports.expired.expired(by_queue, other, batch, failed)
            for call in due:
                done = await self._delete(call, days)
                deleted += done
                if not done:
                    failed.add(call.call_id)
            if len(due) < batch:
                break
        return deleted

    async def _delete(self, call: RecordedCall, days: Mapping[str, int]) -> bool:
        assert call.recording is not None
        try:
            await self._ports.files.delete(call.recording)
        except RecordingUnavailableError as err:
            log.warning("call %s: recording not deleted yet: %s", call.call_id, err.message)
            return False
        except NoRecordingError as err:  # nothing of ours at the provider: only marked
            log.warning("call %s: %s", call.call_id, err.message)
        data = {
            "reason": "retention",
            "retention_days": days.get(call.queue or "", self._default_days),
        }
        return await self._ports.calls.append(
            call.call_id, RecordingEvent.DELETED, data, self._clock.now()
        )

    @asynccontextmanager
    async def play(
        self, call_id: str, range_header: str | None, editor: Editor
    ) -> AsyncIterator[Audio]:
        """The recording's sound for a supervisor, written to the audit log."""
        recording = _playable(await self._ports.calls.get(call_id))
        async with self._ports.files.open(recording, range_header) as audio:
            entry = AuditEntry(
                self._clock.now(),
                editor,
                "call",
                call_id,
                "recording-played",
                {"ref": recording.ref, "range": range_header},
            )
            await self._ports.audit.write(entry)
            yield audio


def _playable(call: RecordedCall) -> CallRecording:
    recording = call.recording
    if recording is None or recording.status is R.FAILED:
        raise NoRecordingError(f"call {call.call_id} has no recording")
    if recording.status is R.DELETED:
        raise RecordingDeletedError(
            f"the recording of call {call.call_id} was deleted at the end of its retention"
        )
    if recording.status in _NOT_YET:
        raise RecordingNotReadyError(f"the recording of call {call.call_id} is not ready yet")
    return recording
