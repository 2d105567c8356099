"""`SqlCallRepository`: call records, their events and provider ids in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, select, update
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
from callcenter.storage.db import reader
from callcenter.storage.tables import call_events, call_provider_ids, calls, ticket_calls, tickets

PATH_SEPARATOR = ">"


def _to_row(record: CallRecord) -> dict[str, Any]:
    row = asdict(record)
    row["direction"] = record.direction.value
    row["state"] = record.state.value
    row["ivr_path"] = PATH_SEPARATOR.join(record.ivr_path)
    return row


def _to_record(row: Row[Any]) -> CallRecord:
    values = dict(row._mapping)
    values["direction"] = Direction(values["direction"])
    values["state"] = CallState(values["state"])
    path = values["ivr_path"]
    values["ivr_path"] = tuple(path.split(PATH_SEPARATOR)) if path else ()
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


class SqlCallRepository:
    """Implements `CallRepository` over the `calls`, `call_events` and id-map tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reader = reader(engine)  # plain reads: no BEGIN/ROLLBACK round trips

    async def create(self, record: CallRecord, event: CallEvent, ref: ProviderRef | None) -> str:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(calls), _to_row(record))
                await conn.execute(_INSERT_EVENT, [_event_row(event)])
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

    async def append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        async with self._engine.begin() as conn:
            # Taking the next seqs is the first statement: it write-locks the row (PostgreSQL)
            # or the database (SQLite) before anything is read, so appends never interleave.
            row = (await conn.execute(_TAKE_SEQS, {"call_id": call_id, "n": len(events)})).first()
            if row is None:
                raise NoSuchCallError(f"no call with id {call_id!r}")
            locked = _to_record(row)
            record = replace(locked, last_seq=locked.last_seq - len(events))
            numbered = []
            for event in events:
                event = replace(event, seq=record.last_seq + 1)
                record = fold(record, event)
                numbered.append(event)
            await conn.execute(_INSERT_EVENT, [_event_row(e) for e in numbered])
            await conn.execute(_UPDATE_CALL, {f"v_{k}": v for k, v in _to_row(record).items()})
        return record

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
