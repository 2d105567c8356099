"""Call records and events as rows of the `calls` and `call_events` tables, and the numbering
of new events onto a record: shared by the SQL paths of `SqlCallRepository`."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Row

from callcenter.calls.models import CallEvent, CallRecord, CallState, Direction
from callcenter.calls.ports import Fold
from callcenter.core.fast_replace import replace
from callcenter.storage.recording_tables import pop_recording, recording_row
from callcenter.storage.tables import calls

PATH_SEPARATOR = ">"


FIELDS = tuple(f.name for f in fields(CallRecord))
COLUMNS = [c.name for c in calls.c]  # the `calls` table's columns, in table order


def to_row(record: CallRecord) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in FIELDS}
    row["direction"] = record.direction.value
    row["state"] = record.state.value
    row["ivr_path"] = PATH_SEPARATOR.join(record.ivr_path)
    row.update(recording_row(row.pop("recording")))  # issue 16 (recordings)
    return row


def column_values(record: CallRecord) -> list[Any]:
    """The record's row as values in `COLUMNS` order (statements with positional
    parameters)."""
    row = to_row(record)
    return [row[name] for name in COLUMNS]


def to_record(row: Row[Any]) -> CallRecord:
    return record_from(dict(row._mapping))


def record_from(values: dict[str, Any]) -> CallRecord:
    values["direction"] = Direction(values["direction"])
    values["state"] = CallState(values["state"])
    path = values["ivr_path"]
    values["ivr_path"] = tuple(path.split(PATH_SEPARATOR)) if path else ()
    values["recording"] = pop_recording(values)  # issue 16 (recordings)
    return CallRecord(**values)


def event_row(event: CallEvent) -> dict[str, Any]:
    return {
        "call_id": event.call_id,
        "seq": event.seq,
        "at": event.at,
        "type": event.type.value,
        "data": event.data,
    }


def taken(locked: CallRecord, events: Sequence[CallEvent]) -> CallRecord:
    """The record as it was before its seqs for `events` were taken."""
    return replace(locked, last_seq=locked.last_seq - len(events))


def numbered_onto(
    before: CallRecord, events: Sequence[CallEvent], fold: Fold
) -> tuple[CallRecord, list[CallEvent]]:
    """Number `events` on from `before`'s last seq and fold them into it."""
    record = before
    numbered = []
    for event in events:
        event = replace(event, seq=record.last_seq + 1)
        record = fold(record, event)
        numbered.append(event)
    return record, numbered


KEPT_RECORDS = 20_000  # the last record written per call, per instance (optimistic appends)


class LatestRecords:
    """The last record this instance stored per call (the most recent `KEPT_RECORDS`
    calls): an append numbers its events on from it and stores them only while the call's
    `last_seq` is still its own, without reading the row first."""

    def __init__(self) -> None:
        self._records: OrderedDict[str, CallRecord] = OrderedDict()

    def get(self, call_id: str) -> CallRecord | None:
        return self._records.get(call_id)

    def keep(self, record: CallRecord) -> None:
        self._records[record.id] = record
        self._records.move_to_end(record.id)
        if len(self._records) > KEPT_RECORDS:
            self._records.popitem(last=False)

    def forget(self, call_id: str) -> None:
        """Another writer got there first: read the call again next time."""
        self._records.pop(call_id, None)
