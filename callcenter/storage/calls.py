"""`SqlCallRepository`: call records, their events and provider ids in SQL."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Connection, Executable, and_, bindparam, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import (
    CallEvent,
    CallEventType,
    CallQuery,
    CallRecord,
    LinkedTicket,
    NoSuchCallError,
    ProviderRef,
)
from callcenter.calls.ports import Fold
from callcenter.storage.call_batches import MAX_BATCH, AppendBatches
from callcenter.storage.call_rows import (
    LatestRecords,
    event_row,
    numbered_onto,
    taken,
    to_record,
    to_row,
)
from callcenter.storage.calls_pg import PgCallWrites
from callcenter.storage.db import reader
from callcenter.storage.group_commit import GroupCommit
from callcenter.storage.pg import FastPg
from callcenter.storage.sqlite_thread import SqliteThread
from callcenter.storage.tables import call_events, call_provider_ids, calls, ticket_calls, tickets

T = TypeVar("T")

# Prebuilt statements: compiled once, executed with parameters (the hot path of every call).
_TAKE_SEQS = (
    update(calls)
    .where(calls.c.id == bindparam("call_id"))
    .values(last_seq=calls.c.last_seq + bindparam("n"))
    .returning(*calls.c)
)
_INSERT_EVENT = insert(call_events)
_BY_ID = select(calls).where(calls.c.id == bindparam("call_id"))
_BY_PROVIDER = (
    select(calls)
    .join(call_provider_ids, call_provider_ids.c.call_id == calls.c.id)
    .where(
        call_provider_ids.c.provider == bindparam("provider"),
        call_provider_ids.c.provider_id == bindparam("provider_id"),
    )
)


def _insert_call(
    conn: Connection, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
) -> None:
    conn.execute(insert(calls), to_row(record))
    conn.execute(_INSERT_EVENT, [event_row(e) for e in events])
    if ref is not None:
        conn.execute(
            insert(call_provider_ids).values(
                provider=ref.provider, provider_id=ref.provider_id, call_id=record.id
            )
        )


# Issue 17: an append sets only the columns its events changed (and `last_seq`). SQLite
# rewrites the entries of every index on a column that a statement sets, whether its value
# changed or not: with the calls table's indexes, an update setting every column took five
# times as long as one setting two. One statement per set of columns, built once.
@functools.lru_cache(maxsize=1024)
def _update_of(changed: tuple[str, ...], conditional: bool) -> Executable:
    statement = update(calls).where(calls.c.id == bindparam("v_id"))
    statement = statement.values({k: bindparam(f"v_{k}") for k in changed})
    if conditional:
        statement = statement.where(calls.c.last_seq == bindparam("v_expected"))
    return statement


def _update_changed(
    conn: Connection, stored: CallRecord, record: CallRecord, expected: int | None = None
) -> int:
    """Store `record` over `stored` (the row as it is in the database); with `expected`,
    only while the row's `last_seq` is still that. The rows updated."""
    old, new = to_row(stored), to_row(record)
    changed = tuple(k for k, v in new.items() if k == "last_seq" or (k != "id" and old[k] != v))
    values = {f"v_{k}": new[k] for k in changed} | {"v_id": record.id}
    if expected is not None:
        values["v_expected"] = expected
    return int(conn.execute(_update_of(changed, expected is not None), values).rowcount)


def _append_rows(
    conn: Connection, call_id: str, events: Sequence[CallEvent], fold: Fold
) -> CallRecord:
    # Taking the next seqs is the first statement: it write-locks the row (PostgreSQL) or
    # the database (SQLite) before anything is read, so appends never interleave.
    row = conn.execute(_TAKE_SEQS, {"call_id": call_id, "n": len(events)}).first()
    if row is None:
        raise NoSuchCallError(f"no call with id {call_id!r}")
    stored = to_record(row)
    record, numbered = numbered_onto(taken(stored, events), events, fold)
    conn.execute(_INSERT_EVENT, [event_row(e) for e in numbered])
    _update_changed(conn, stored, record)
    return record


def _append_onto(
    conn: Connection, before: CallRecord, events: Sequence[CallEvent], fold: Fold
) -> CallRecord | None:
    """Issue 17: `events` folded onto `before` and stored while the call is still at its
    `last_seq`, in two statements and without reading the row; None when another writer
    (another process on the file) got there first."""
    record, numbered = numbered_onto(before, events, fold)
    if _update_changed(conn, before, record, expected=before.last_seq) != 1:
        return None
    conn.execute(_INSERT_EVENT, [event_row(e) for e in numbered])
    return record


@dataclass(frozen=True, slots=True)
class _Appending:
    call_id: str
    events: Sequence[CallEvent]
    fold: Fold

    def apply(self, conn: Connection, before: CallRecord | None = None) -> CallRecord:
        """Onto `before` (the record last stored) when it is still the call's latest, else
        onto the row read under the write lock."""
        if before is not None:
            record = _append_onto(conn, before, self.events, self.fold)
            if record is not None:
                return record
        return _append_rows(conn, self.call_id, self.events, self.fold)


def _first(conn: Connection, query: Executable, params: dict[str, Any]) -> CallRecord | None:
    row = conn.execute(query, params).first()
    return None if row is None else to_record(row)


class SqlCallRepository:
    """Implements `CallRepository` over the `calls`, `call_events` and id-map tables. What
    every call step runs goes, on PostgreSQL with a `FastPg` pool, through asyncpg
    (`calls_pg`), and on a SQLite file through one thread in one hop (`sqlite_thread`)."""

    def __init__(
        self, engine: AsyncEngine, fast: FastPg | None = None, local: SqliteThread | None = None
    ) -> None:
        self._engine = engine
        self._reader = reader(engine)  # plain reads: no BEGIN/ROLLBACK round trips
        self._pg = PgCallWrites(fast) if fast is not None else None
        self._local = local
        # on SQLite, appends of many calls at about the same time share one transaction
        self._local_appends = GroupCommit(self._local_batch, MAX_BATCH) if local else None
        self._latest = LatestRecords()  # on SQLite: the base of the next append

    @property
    def local_batches(self) -> int:
        """SQLite transactions the batched appends took (for tests and the benchmark)."""
        return self._local_appends.batches if self._local_appends is not None else 0

    @property
    def batches(self) -> AppendBatches | None:
        """PostgreSQL's batched appends (None elsewhere)."""
        return self._pg.batches if self._pg is not None else None

    async def _write(self, work: Callable[[Connection], T]) -> T:
        if self._local is not None:
            return await self._local.write(work)
        async with self._engine.begin() as conn:
            return await conn.run_sync(work)

    async def _read(self, work: Callable[[Connection], T]) -> T:
        if self._local is not None:
            return await self._local.read(work)
        async with self._reader.connect() as conn:
            return await conn.run_sync(work)

    async def create(
        self, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
    ) -> str:
        try:
            if self._pg is not None:
                await self._pg.create(record, events, ref)
            else:
                await self._write(lambda conn: _insert_call(conn, record, events, ref))
                self._latest.keep(record)
        except (IntegrityError, asyncpg.UniqueViolationError):
            # a provider id already mapped (a retried webhook): nothing was stored
            existing = await self.find_by_provider(ref) if ref is not None else None
            if existing is None:
                raise
            return existing
        return record.id

    async def append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        if self._pg is not None:
            return await self._pg.append(call_id, events, fold)
        if self._local_appends is not None:
            return await self._local_appends.submit(_Appending(call_id, events, fold))
        return await self._write(lambda conn: _append_rows(conn, call_id, events, fold))

    async def _local_batch(self, batch: list[_Appending]) -> list[CallRecord | Exception]:
        befores = {a.call_id: self._latest.get(a.call_id) for a in batch}

        def work(conn: Connection) -> list[CallRecord | Exception]:
            results: list[CallRecord | Exception] = []
            for a in batch:  # a call twice in a batch: the second onto the first
                record = befores[a.call_id] = a.apply(conn, befores[a.call_id])
                results.append(record)
            return results

        try:
            results = await self._write(work)
        except Exception:
            if len(batch) == 1:
                raise
            results = await self._each_alone(batch)  # one was refused, the transaction with it
        for result in results:
            if isinstance(result, CallRecord):
                self._latest.keep(result)
        return results

    async def _each_alone(self, batch: list[_Appending]) -> list[CallRecord | Exception]:
        results: list[CallRecord | Exception] = []
        for a in batch:
            try:
                results.append(await self._write(a.apply))
            except Exception as err:
                results.append(err)
        return results

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
        if self._pg is not None:
            return await self._pg.record_by_provider(ref)
        params = {"provider": ref.provider, "provider_id": ref.provider_id}
        return await self._read(lambda conn: _first(conn, _BY_PROVIDER, params))

    async def get(self, call_id: str) -> CallRecord | None:
        return await self._read(lambda conn: _first(conn, _BY_ID, {"call_id": call_id}))

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
        return [to_record(r) for r in rows], int(total)
