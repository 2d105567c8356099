"""`SqlExpiredRecordings`: the calls whose recordings are past their queue's retention."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.recordings import RecordingStatus
from callcenter.recordings.models import RecordedCall
from callcenter.storage.recording_tables import pop_recording
from callcenter.storage.tables import calls

# Every status but deleted, spelled out so that the sweep's index serves the query.
_KEPT = [s.value for s in RecordingStatus if s is not RecordingStatus.DELETED]
_COLUMNS = [calls.c.id, calls.c.queue, *(c for c in calls.c if c.name.startswith("recording_"))]


def _past(cutoffs: Mapping[str, datetime], other: datetime) -> ColumnElement[bool]:
    named = [and_(calls.c.queue == q, calls.c.started_at < at) for q, at in cutoffs.items()]
    rest = or_(calls.c.queue.is_(None), calls.c.queue.not_in(list(cutoffs)))
    return or_(*named, and_(rest, calls.c.started_at < other))


class SqlExpiredRecordings:
    """Implements `callcenter.recordings.ports.ExpiredRecordings`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def expired(
        self,
        cutoffs: Mapping[str, datetime],
        other: datetime,
        limit: int,
        skip: Collection[str] = (),
    ) -> list[RecordedCall]:
        query = (
            select(*_COLUMNS)
            .where(calls.c.recording_status.in_(_KEPT), _past(cutoffs, other))
            .where(calls.c.id.not_in(list(skip)))
            .order_by(calls.c.started_at, calls.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_recorded(dict(row._mapping)) for row in rows]


def _recorded(values: dict[str, Any]) -> RecordedCall:
    return RecordedCall(values.pop("id"), values.pop("queue"), pop_recording(values))
