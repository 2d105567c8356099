"""`Recordings.sweep` over in-memory ports: a recording whose deletion fails at the provider
stays as it is for the next round (the others are deleted), and once the clock passes a
queue's retention its recordings fall due."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from callcenter.core.audit import AuditEntry
from callcenter.core.clock import ManualClock
from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import (
    Audio,
    RecordedCall,
    RecordingEvent,
    RecordingUnavailableError,
)
from callcenter.recordings.service import RecordingPorts, Recordings
from tests.conftest import NOW

R = RecordingStatus


class Memory:
    """Calls (with their start), the provider's files and the audit log, in memory."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.calls: dict[str, tuple[datetime, RecordedCall]] = {}
        self.files: set[str] = set()
        self.failing: set[str] = set()
        self.events: list[tuple[str, RecordingEvent]] = []

    def add(self, call_id: str, queue: str, age_days: int) -> None:
        recording = CallRecording(R.READY, "fake", call_id)
        started = self.clock.now() - timedelta(days=age_days)
        self.calls[call_id] = (started, RecordedCall(call_id, queue, recording))
        self.files.add(call_id)

    async def get(self, call_id: str) -> RecordedCall:
        return self.calls[call_id][1]

    async def append(
        self, call_id: str, event: RecordingEvent, data: Mapping[str, Any], at: datetime
    ) -> bool:
        started, call = self.calls[call_id]
        assert call.recording is not None and event is RecordingEvent.DELETED
        self.calls[call_id] = (
            started,
            replace(call, recording=replace(call.recording, status=R.DELETED)),
        )
        self.events.append((call_id, event))
        return True

    async def expired(
        self,
        cutoffs: Mapping[str, datetime],
        other: datetime,
        limit: int,
        skip: Collection[str] = (),
    ) -> list[RecordedCall]:
        due = [
            call
            for started, call in sorted(self.calls.values(), key=lambda c: c[0])
            if call.recording is not None
            and call.call_id not in skip
            and call.recording.status is not R.DELETED
            and started < cutoffs.get(call.queue or "", other)
        ]
        return due[:limit]

    @asynccontextmanager
    async def open(
        self, recording: CallRecording, range_header: str | None
    ) -> AsyncIterator[Audio]:
        raise AssertionError("not played here")
        yield

    async def delete(self, recording: CallRecording) -> None:
        if recording.ref in self.failing:
            raise RecordingUnavailableError("the provider is down")
        self.files.discard(recording.ref or "")

    async def retention_days(self) -> Mapping[str, int]:
        return {"billing": 30}

    async def write(self, entry: AuditEntry) -> None:
        raise AssertionError("nothing is audited here")


def _service(memory: Memory) -> Recordings:
    ports = RecordingPorts(memory, memory, memory, memory, memory)
    return Recordings(ports, memory.clock, default_days=365)


async def test_a_failed_deletion_waits_for_the_next_round() -> None:
    memory = Memory(ManualClock(NOW))
    for call_id in ("a", "b", "c"):
        memory.add(call_id, "billing", 31)
    memory.failing = {"b"}
    service = _service(memory)
    assert await service.sweep(batch=10) == 2
    assert memory.files == {"b"} and [c for c, _ in memory.events] == ["a", "c"]
    memory.failing = set()
    assert await service.sweep(batch=10) == 1
    assert memory.files == set() and len(memory.events) == 3


async def test_recordings_fall_due_when_the_retention_passes() -> None:
    memory = Memory(ManualClock(NOW))
    memory.add("billing-call", "billing", 0)
    memory.add("other-call", "general", 0)
    service = _service(memory)
    memory.clock.advance(timedelta(days=30))
    assert await service.sweep() == 0
    memory.clock.advance(timedelta(days=1))
    assert await service.sweep() == 1 and memory.files == {"other-call"}
    memory.clock.advance(timedelta(days=334))
    assert await service.sweep() == 0
    memory.clock.advance(timedelta(days=1))
    assert await service.sweep() == 1 and memory.files == set()


async def test_the_sweep_goes_past_a_batch_of_failures() -> None:
    memory = Memory(ManualClock(NOW))
    for n in range(5):
        memory.add(f"call{n}", "billing", 40 - n)  # oldest first: call0, call1, …
    memory.failing = {"call0", "call1"}
    assert await _service(memory).sweep(batch=2) == 3
    assert memory.files == {"call0", "call1"}
