"""The writes and reads every call step makes, on PostgreSQL through asyncpg (`FastPg`): a
call's start in one statement, appends batched with other calls' (`call_batches`) and
optimistic, the record by a provider's id in one statement."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from callcenter.calls.models import CallEvent, CallRecord, NoSuchCallError, ProviderRef
from callcenter.calls.ports import Fold
from callcenter.storage.call_batches import (
    APPEND_ONE,
    AppendBatches,
    OneAtATime,
    append_one_arguments,
    event_arrays,
)
from callcenter.storage.call_rows import (
    COLUMNS,
    LatestRecords,
    column_values,
    numbered_onto,
    record_from,
)
from callcenter.storage.pg import FastPg

_PG_EVENTS = """INSERT INTO call_events (call_id, seq, at, type, data)
  SELECT $1, s, a, t, d::jsonb FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[])
  AS u(s, a, t, d)"""
_PG_GET = f"SELECT {', '.join(COLUMNS)} FROM calls WHERE id = $1"
_PG_LOCK = _PG_GET + " FOR UPDATE"
OPTIMISTIC_TRIES = 3
_REFS = len(COLUMNS) + 5  # after $1 (id), the event arrays and the other columns
_PG_CREATE = f"""WITH c AS (INSERT INTO calls ({", ".join(COLUMNS)})
  VALUES ($1, {", ".join(f"${n}" for n in range(6, _REFS))})),
ev AS ({_PG_EVENTS})
INSERT INTO call_provider_ids (provider, provider_id, call_id)
  SELECT p, i, $1 FROM unnest(${_REFS}::text[], ${_REFS + 1}::text[]) AS u(p, i)"""
_PG_BY_PROVIDER = f"""SELECT {", ".join(f"c.{name}" for name in COLUMNS)} FROM calls c
  JOIN call_provider_ids p ON p.call_id = c.id WHERE p.provider = $1 AND p.provider_id = $2"""


async def _pg_read(conn: asyncpg.Connection, query: str, call_id: str) -> CallRecord:
    row = await conn.fetchrow(query, call_id)
    if row is None:
        raise NoSuchCallError(f"no call with id {call_id!r}")
    return record_from(dict(row))


async def _pg_append_if(
    conn: asyncpg.Connection, before: CallRecord, events: Sequence[CallEvent], fold: Fold
) -> CallRecord | None:
    """Store `events` folded onto `before` if the call is still at `before.last_seq`."""
    record, numbered = numbered_onto(before, events, fold)
    applied = await conn.fetchval(
        APPEND_ONE, *append_one_arguments(before.last_seq, column_values(record), numbered)
    )
    return record if applied else None


class PgCallWrites:
    """The PostgreSQL side of `SqlCallRepository` for what every call step runs."""

    def __init__(self, fast: FastPg) -> None:
        self._fast = fast
        self._latest = LatestRecords()
        self.batches = AppendBatches(fast)
        self._turns = OneAtATime()

    async def record_by_provider(self, ref: ProviderRef) -> CallRecord | None:
        async with self._fast.acquire() as conn:
            found = await conn.fetchrow(_PG_BY_PROVIDER, ref.provider, ref.provider_id)
        return None if found is None else record_from(dict(found))

    async def create(
        self, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
    ) -> None:
        """One statement, so one round trip and one implicit transaction: a provider id
        that is already mapped (a retried webhook) fails it whole (`UniqueViolationError`)
        and nothing is stored."""
        refs = [[ref.provider], [ref.provider_id]] if ref is not None else [[], []]
        async with self._fast.acquire() as conn:
            await conn.execute(
                _PG_CREATE, record.id, *event_arrays(events), *column_values(record)[1:], *refs
            )
        self._latest.keep(record)

    async def append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        # Onto the record this instance last stored, in a batch with other calls' appends
        # (`call_batches`); when another writer got there first, alone as below.
        async with self._turns.turn(call_id):
            before = self._latest.get(call_id)
            if before is not None:
                record, numbered = numbered_onto(before, events, fold)
                if await self.batches.append(before.last_seq, column_values(record), numbered):
                    self._latest.keep(record)
                    return record
                self._latest.forget(call_id)
            return await self._append_alone(call_id, events, fold)

    async def _append_alone(
        self, call_id: str, events: Sequence[CallEvent], fold: Fold
    ) -> CallRecord:
        # Optimistic: fold onto the record this instance last saw and store it in one
        # statement that only applies while `last_seq` is still what was seen. Another
        # writer in between (another instance, a concurrent callback) makes it a no-op: read
        # again and retry; under sustained contention read it under the row lock instead.
        async with self._fast.acquire() as conn:
            for _ in range(OPTIMISTIC_TRIES):
                before = self._latest.get(call_id) or await _pg_read(conn, _PG_GET, call_id)
                record = await _pg_append_if(conn, before, events, fold)
                if record is not None:
                    break
                self._latest.forget(call_id)
            else:
                async with conn.transaction():
                    before = await _pg_read(conn, _PG_LOCK, call_id)
                    record = await _pg_append_if(conn, before, events, fold)
                assert record is not None  # the row lock kept `last_seq` as read
        self._latest.keep(record)
        return record
