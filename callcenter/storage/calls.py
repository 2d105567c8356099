"""`SqlCallRepository`: call records, their events and provider ids in SQL."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import asyncpg
from sqlalchemy import Row, and_, bindparam, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import (
    CallEvent,
    CallEventType,
    CallQuery,
    CallRecord,
    CallState,
    Direction,
    LinkedTicket,
    NoSuchCallError,
    ProviderRef,
)
from callcenter.calls.ports import Fold
from callcenter.storage.call_batches import AppendBatches, OneAtATime
from callcenter.storage.db import reader
from callcenter.storage.pg import FastPg
from callcenter.storage.recording_tables import pop_recording, recording_row
from callcenter.storage.tables import call_events, call_provider_ids, calls, ticket_calls, tickets

PATH_SEPARATOR = ">"


_FIELDS = tuple(f.name for f in fields(CallRecord))


def _to_row(record: CallRecord) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in _FIELDS}
    row["direction"] = record.direction.value
    row["state"] = record.state.value
    row["ivr_path"] = PATH_SEPARATOR.join(record.ivr_path)
    row.update(recording_row(row.pop("recording")))  # issue 16 (recordings)
    return row


def _to_record(row: Row[Any]) -> CallRecord:
    return _record_from(dict(row._mapping))


def _record_from(values: dict[str, Any]) -> CallRecord:
    values["direction"] = Direction(values["direction"])
    values["state"] = CallState(values["state"])
    path = values["ivr_path"]
    values["ivr_path"] = tuple(path.split(PATH_SEPARATOR)) if path else ()
    values["recording"] = pop_recording(values)  # issue 16 (recordings)
    return CallRecord(**values)


def _event_row(event: CallEvent) -> dict[str, Any]:
    return {
        "call_id": event.call_id,
        "seq": event.seq,
        "at": event.at,
        "type": event.type.value,
        "data": event.data,
    }


# Prebuilt statements: compiled once, executed with parameters (the hot path of every call).
_TAKE_SEQS = (
    update(calls)
    .where(calls.c.id == bindparam("call_id"))
    .values(last_seq=calls.c.last_seq + bindparam("n"))
    .returning(*calls.c)
)
_INSERT_EVENT = insert(call_events)
_UPDATE_CALL = (
    update(calls)
    .where(calls.c.id == bindparam("v_id"))
    .values({c.name: bindparam(f"v_{c.name}") for c in calls.c if c.name != "id"})
)


_BY_ID = select(calls).where(calls.c.id == bindparam("call_id"))
_BY_PROVIDER = (
    select(calls)
    .join(call_provider_ids, call_provider_ids.c.call_id == calls.c.id)
    .where(
        call_provider_ids.c.provider == bindparam("provider"),
        call_provider_ids.c.provider_id == bindparam("provider_id"),
    )
)


# The same on PostgreSQL in asyncpg's dialect (`FastPg`): what every IVR step runs.
_COLUMNS = [c.name for c in calls.c]
_SETS = ", ".join(f"{name} = ${n}" for n, name in enumerate(_COLUMNS[1:], start=6))
_PG_EVENTS = """INSERT INTO call_events (call_id, seq, at, type, data)
  SELECT $1, s, a, t, d::jsonb FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[])
  AS u(s, a, t, d)"""
_PG_APPEND_IF = f"""WITH upd AS (
  UPDATE calls SET {_SETS} WHERE id = $1 AND last_seq = ${len(_COLUMNS) + 5} RETURNING id),
ev AS (INSERT INTO call_events (call_id, seq, at, type, data)
  SELECT upd.id, s, a, t, d::jsonb
  FROM upd, unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[]) AS u(s, a, t, d))
SELECT count(*) FROM upd"""
_PG_GET = f"SELECT {', '.join(_COLUMNS)} FROM calls WHERE id = $1"
_PG_LOCK = _PG_GET + " FOR UPDATE"
OPTIMISTIC_TRIES = 3
KEPT_RECORDS = 20_000  # the last record written per call, per instance (optimistic appends)
_REFS = len(_COLUMNS) + 5  # after $1 (id), the event arrays and the other columns
_PG_CREATE = f"""WITH c AS (INSERT INTO calls ({", ".join(_COLUMNS)})
  VALUES ($1, {", ".join(f"${n}" for n in range(6, _REFS))})),
ev AS ({_PG_EVENTS})
INSERT INTO call_provider_ids (provider, provider_id, call_id)
  SELECT p, i, $1 FROM unnest(${_REFS}::text[], ${_REFS + 1}::text[]) AS u(p, i)"""
_PG_BY_PROVIDER = f"""SELECT {", ".join(f"c.{name}" for name in _COLUMNS)} FROM calls c
  JOIN call_provider_ids p ON p.call_id = c.id WHERE p.provider = $1 AND p.provider_id = $2"""


def _pg_events(events: Sequence[CallEvent]) -> list[list[Any]]:
    return [
        [e.seq for e in events],
        [e.at for e in events],
        [e.type.value for e in events],
        [json.dumps(e.data) for e in events],
    ]


def _pg_values(record: CallRecord) -> list[Any]:
    row = _to_row(record)
    return [row[name] for name in _COLUMNS]


async def _pg_read(conn: asyncpg.Connection, query: str, call_id: str) -> CallRecord:
    row = await conn.fetchrow(query, call_id)
    if row is None:
        raise NoSuchCallError(f"no call with id {call_id!r}")
    return _record_from(dict(row))


async def _pg_append_if(
    conn: asyncpg.Connection, before: CallRecord, events: Sequence[CallEvent], fold: Fold
) -> CallRecord | None:
    """Store `events` folded onto `before` if the call is still at `before.last_seq`."""
    record, numbered = _numbered(before, events, fold)
    applied = await conn.fetchval(
        _PG_APPEND_IF, before.id, *_pg_events(numbered), *_pg_values(record)[1:], before.last_seq
    )
    return record if applied else None


def _taken(locked: CallRecord, events: Sequence[CallEvent]) -> CallRecord:
    """The record as it was before its seqs for `events` were taken."""
    return replace(locked, last_seq=locked.last_seq - len(events))


def _numbered(
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


class SqlCallRepository:
    """Implements `CallRepository` over the `calls`, `call_events` and id-map tables; on
    PostgreSQL with a `FastPg` pool, what every call step runs goes through asyncpg."""

    def __init__(self, engine: AsyncEngine, fast: FastPg | None = None) -> None:
        self._engine = engine
        self._reader = reader(engine)  # plain reads: no BEGIN/ROLLBACK round trips
        self._fast = fast
        self._latest: OrderedDict[str, CallRecord] = OrderedDict()
        self.batches = AppendBatches(fast) if fast is not None else None
        self._turns = OneAtATime()

    async def create(
        self, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
    ) -> str:
        if self._fast is not None:
            return await self._pg_create(record, events, ref)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(calls), _to_row(record))
                await conn.execute(_INSERT_EVENT, [_event_row(e) for e in events])
                if ref is not None:
                    await conn.execute(
                        insert(call_provider_ids).values(
                            provider=ref.provider, provider_id=ref.provider_id, call_id=record.id
                        )
                    )
        except IntegrityError:
            existing = await self.find_by_provider(ref) if ref is not None else None
            if existing is None:
                raise
            return existing
        return record.id

    async def _pg_create(
        self, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
    ) -> str:
        # One statement, so one round trip and one implicit transaction: a provider id that
        # is already mapped (a retried webhook) fails it whole and nothing is stored.
        refs = [[ref.provider], [ref.provider_id]] if ref is not None else [[], []]
        assert self._fast is not None
        try:
            async with self._fast.acquire() as conn:
                await conn.execute(
                    _PG_CREATE, record.id, *_pg_events(events), *_pg_values(record)[1:], *refs
                )
        except asyncpg.UniqueViolationError:
            existing = await self.find_by_provider(ref) if ref is not None else None
            if existing is None:
                raise
            return existing
        self._keep(record)
        return record.id

    async def append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        if self._fast is not None:
            return await self._pg_append(call_id, events, fold)
        async with self._engine.begin() as conn:
            # Taking the next seqs is the first statement: it write-locks the row (PostgreSQL)
            # or the database (SQLite) before anything is read, so appends never interleave.
            row = (await conn.execute(_TAKE_SEQS, {"call_id": call_id, "n": len(events)})).first()
            if row is None:
                raise NoSuchCallError(f"no call with id {call_id!r}")
            record, numbered = _numbered(_taken(_to_record(row), events), events, fold)
            await conn.execute(_INSERT_EVENT, [_event_row(e) for e in numbered])
            await conn.execute(_UPDATE_CALL, {f"v_{k}": v for k, v in _to_row(record).items()})
        return record

    async def _pg_append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        # Onto the record this instance last stored, in a batch with other calls' appends
        # (`call_batches`); when another writer got there first, alone as below.
        assert self.batches is not None
        async with self._turns.turn(call_id):
            before = self._latest.get(call_id)
            if before is not None:
                record, numbered = _numbered(before, events, fold)
                if await self.batches.append(before.last_seq, _pg_values(record), numbered):
                    self._keep(record)
                    return record
                self._latest.pop(call_id, None)
            return await self._pg_append_alone(call_id, events, fold)

    async def _pg_append_alone(
        self, call_id: str, events: Sequence[CallEvent], fold: Fold
    ) -> CallRecord:
        # Optimistic: fold onto the record this instance last saw and store it in one
        # statement that only applies while `last_seq` is still what was seen. Another
        # writer in between (another instance, a concurrent callback) makes it a no-op: read
        # again and retry; under sustained contention read it under the row lock instead.
        assert self._fast is not None
        async with self._fast.acquire() as conn:
            for _ in range(OPTIMISTIC_TRIES):
                before = self._latest.get(call_id) or await _pg_read(conn, _PG_GET, call_id)
                record = await _pg_append_if(conn, before, events, fold)
                if record is not None:
                    break
                self._latest.pop(call_id, None)
            else:
                async with conn.transaction():
                    before = await _pg_read(conn, _PG_LOCK, call_id)
                    record = await _pg_append_if(conn, before, events, fold)
                assert record is not None  # the row lock kept `last_seq` as read
        self._keep(record)
        return record

    def _keep(self, record: CallRecord) -> None:
        self._latest[record.id] = record
        self._latest.move_to_end(record.id)
        if len(self._latest) > KEPT_RECORDS:
            self._latest.popitem(last=False)

    async def link_provider(self, call_id: str, ref: ProviderRef) -> None:
        existing = await self.find_by_provider(ref)
        if existing is not None:
            return
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(call_provider_ids).values(
                        provider=ref.provider, provider_id=ref.provider_id, call_id=call_id
                    )
                )
        except IntegrityError:
            if await self.find_by_provider(ref) is None:
                raise

    async def find_by_provider(self, ref: ProviderRef) -> str | None:
        record = await self.record_by_provider(ref)
        return None if record is None else record.id

    async def record_by_provider(self, ref: ProviderRef) -> CallRecord | None:
        if self._fast is not None:
            async with self._fast.acquire() as conn:
                found = await conn.fetchrow(_PG_BY_PROVIDER, ref.provider, ref.provider_id)
            return None if found is None else _record_from(dict(found))
        params = {"provider": ref.provider, "provider_id": ref.provider_id}
        async with self._reader.connect() as conn:
            row = (await conn.execute(_BY_PROVIDER, params)).first()
        return None if row is None else _to_record(row)

    async def get(self, call_id: str) -> CallRecord | None:
        async with self._reader.connect() as conn:
            row = (await conn.execute(_BY_ID, {"call_id": call_id})).first()
        return None if row is None else _to_record(row)

    async def events(self, call_id: str) -> list[CallEvent]:
        query = (
            select(call_events.c.seq, call_events.c.at, call_events.c.type, call_events.c.data)
            .where(call_events.c.call_id == call_id)
            .order_by(call_events.c.seq)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [CallEvent(call_id, r.seq, r.at, CallEventType(r.type), r.data) for r in rows]

    async def tickets(self, call_id: str) -> list[LinkedTicket]:
        query = (
            select(
                tickets.c.id,
                tickets.c.number,
                tickets.c.type,
                tickets.c.status,
                ticket_calls.c.relation,
            )
            .join(ticket_calls, ticket_calls.c.ticket_id == tickets.c.id)
            .where(ticket_calls.c.call_id == call_id)
            .order_by(ticket_calls.c.at)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [LinkedTicket(r.id, r.number, r.type, r.status, r.relation) for r in rows]

    async def search(self, query: CallQuery) -> tuple[list[CallRecord], int]:
        conditions = []
        if query.since is not None:
            conditions.append(calls.c.started_at >= query.since)
        if query.until is not None:
            conditions.append(calls.c.started_at < query.until)
        if query.number is not None:
            conditions.append(
                (calls.c.from_number == query.number) | (calls.c.to_number == query.number)
            )
        if query.customer_id is not None:
            conditions.append(calls.c.customer_id == query.customer_id)
        if query.agent_id is not None:
            conditions.append(calls.c.agent_id == query.agent_id)
        if query.disposition is not None:
            conditions.append(calls.c.disposition == query.disposition)
        if query.direction is not None:
            conditions.append(calls.c.direction == query.direction.value)
        if not query.include_simulated:
            conditions.append(calls.c.simulated == false())
        where = and_(True, *conditions)
        page = (
            select(calls)
            .where(where)
            .order_by(calls.c.started_at.desc(), calls.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        count = select(func.count()).select_from(calls).where(where)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(page)).all()
            total = (await conn.execute(count)).scalar_one()
        return [_to_record(r) for r in rows], int(total)
