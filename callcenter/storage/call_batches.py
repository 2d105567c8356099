"""Group commit of call appends on PostgreSQL: what many calls' requests append at about the
same time is stored by one statement, in one transaction.

Every IVR step appends to its call (its events, and the call's row folded from them). One
statement per step made PostgreSQL writes the largest cost of a step: each is a round trip
that wakes a database backend. Here the appends wait in a batch while the batch before them
is written; each request still gets its answer only once its own events are committed, so
nothing acknowledged is lost. An idle server writes an append at once (a batch of one).

Each append is conditional, as a single one is: the call's row is updated (and its events
inserted) only while its `last_seq` is still the one the append was numbered from. A call
another writer got to first is reported back as not applied, and the caller reads it again.
A batch the database refuses as a whole (a value it cannot take) is reported back as not
applied too, so that each append is tried alone and only the faulty one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.dialects import postgresql

from callcenter.calls.models import CallEvent
from callcenter.storage.call_rows import COLUMNS
from callcenter.storage.group_commit import GroupCommit
from callcenter.storage.pg import FastPg
from callcenter.storage.tables import calls

log = logging.getLogger(__name__)

MAX_BATCH = 200  # appends per statement
_TYPES = {c.name: c.type.compile(dialect=postgresql.dialect()) for c in calls.c}  # type: ignore[no-untyped-call]
_ROWS = ", ".join(f"${n}::{_TYPES[name]}[]" for n, name in enumerate(COLUMNS, start=2))
_EVENTS = len(COLUMNS) + 2  # the first parameter of the events' arrays
_BATCH_APPEND = f"""WITH u AS (
  SELECT * FROM unnest($1::int[], {_ROWS}) AS u(expected, {", ".join(COLUMNS)})),
upd AS (
  UPDATE calls c SET {", ".join(f"{name} = u.{name}" for name in COLUMNS[1:])}
  FROM u WHERE c.id = u.id AND c.last_seq = u.expected RETURNING c.id),
ev AS (INSERT INTO call_events (call_id, seq, at, type, data)
  SELECT e.c, e.s, e.a, e.t, e.d::jsonb
  FROM unnest(${_EVENTS}::text[], ${_EVENTS + 1}::int[], ${_EVENTS + 2}::timestamptz[],
              ${_EVENTS + 3}::text[], ${_EVENTS + 4}::text[]) AS e(c, s, a, t, d)
  JOIN upd ON upd.id = e.c)
SELECT id FROM upd"""
# One append alone (a batch of one, and `calls_pg`'s optimistic path): the row's columns as
# scalar parameters. An idle server's batches are mostly of one, and this statement costs
# about a third less CPU here and there than the batch's 32 arrays (issue 17).
_SETS = ", ".join(f"{name} = ${n}" for n, name in enumerate(COLUMNS[1:], start=6))
APPEND_ONE = f"""WITH upd AS (
  UPDATE calls SET {_SETS} WHERE id = $1 AND last_seq = ${len(COLUMNS) + 5} RETURNING id),
ev AS (INSERT INTO call_events (call_id, seq, at, type, data)
  SELECT upd.id, s, a, t, d::jsonb
  FROM upd, unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[]) AS u(s, a, t, d))
SELECT count(*) FROM upd"""


@dataclass(frozen=True, slots=True)
class _Append:
    expected: int  # the call's last_seq the events were numbered from
    row: list[Any]  # the call's row after them, in `calls` column order
    events: Sequence[CallEvent]


class AppendBatches:
    """PostgreSQL's appends, a batch per statement."""

    def __init__(self, fast: FastPg, max_batch: int = MAX_BATCH) -> None:
        self._fast = fast
        self._group: GroupCommit[_Append, bool] = GroupCommit(self._write, max_batch)

    @property
    def statements(self) -> int:
        """Batches written (for tests and the benchmark)."""
        return self._group.batches

    async def append(self, expected: int, row: list[Any], events: Sequence[CallEvent]) -> bool:
        """Store the call's `row` and `events` if its last_seq is still `expected`; whether
        it was stored. At most one append per call may be waiting at a time."""
        return await self._group.submit(_Append(expected, row, events))

    async def _write(self, batch: list[_Append]) -> list[bool | Exception]:
        if len(batch) == 1:
            item = batch[0]
            async with self._fast.acquire() as conn:
                count = await conn.fetchval(
                    APPEND_ONE, *append_one_arguments(item.expected, item.row, item.events)
                )
            return [count == 1]
        try:
            async with self._fast.acquire() as conn:
                rows = await conn.fetch(_BATCH_APPEND, *_arguments(batch))
        except Exception as err:
            log.warning(
                "a batch of %d call appends failed (%s); each is tried alone", len(batch), err
            )
            return [False] * len(batch)
        stored = {row[0] for row in rows}
        return [item.row[0] in stored for item in batch]


def _arguments(batch: list[_Append]) -> list[Any]:
    columns = [list(values) for values in zip(*(item.row for item in batch), strict=True)]
    events = [e for item in batch for e in item.events]
    return [
        [item.expected for item in batch],
        *columns,
        [e.call_id for e in events],
        *event_arrays(events),
    ]


def event_arrays(events: Sequence[CallEvent]) -> list[list[Any]]:
    """The events' seqs, times, types and data (JSON text) as four arrays."""
    return [
        [e.seq for e in events],
        [e.at for e in events],
        [e.type.value for e in events],
        [orjson.dumps(e.data, option=orjson.OPT_NON_STR_KEYS).decode() for e in events],
    ]


def append_one_arguments(expected: int, row: list[Any], events: Sequence[CallEvent]) -> list[Any]:
    """`APPEND_ONE`'s parameters: `row` (in `COLUMNS` order) stored with `events` while the
    call's `last_seq` is still `expected`."""
    return [row[0], *event_arrays(events), *row[1:], expected]


class OneAtATime:
    """Appends of one call run in turn in this process (each numbers its events from the
    record the one before it stored); appends of different calls do not wait."""

    def __init__(self) -> None:
        self._last: dict[str, asyncio.Future[None]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        before = self._last.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = mine
        try:
            if before is not None:
                await asyncio.wait([before])
            yield
        finally:
            mine.set_result(None)
            if self._last.get(key) is mine:
                del self._last[key]
