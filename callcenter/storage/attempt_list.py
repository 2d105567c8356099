"""A campaign's attempts as people read them: filtered pages (newest first), the export of
every attempt in id order read in keyset chunks (never one big result, never an OFFSET
scan), and the stored targets' preview once a campaign has them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.attempts import attempt_from, target_from
from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from callcenter.storage.tables import accounts
from outbound.models import (
    Attempt,
    AttemptResult,
    AttemptState,
    Candidate,
    RefusalReason,
    Target,
    TargetPreview,
)

A = campaign_attempts
T = campaign_targets
EXPORT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class AttemptFilter:
    """Which attempts to list (every field optional; all given ones must hold)."""

    result: AttemptResult | None = None
    state: AttemptState | None = None
    reason: RefusalReason | None = None
    phone: str | None = None
    since: datetime | None = None  # last changed at or after (the console's time filter)
    until: datetime | None = None  # last changed before


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One attempt with its target and the account number it is about."""

    attempt: Attempt
    target: Target
    account_no: str


@dataclass(frozen=True, slots=True)
class AttemptPage:
    """A page of attempts and how many match in all."""

    total: int
    rows: list[AttemptRow]


def _with_target() -> Select[Any]:
    return (
        select(A, *[c.label(f"t_{c.name}") for c in T.c], accounts.c.account_no)
        .join(T, T.c.id == A.c.target_id)
        .outerjoin(accounts, accounts.c.id == T.c.account_id)
    )


def _where(campaign_id: int, f: AttemptFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [A.c.campaign_id == campaign_id]
    if f.result is not None:
        conditions.append(A.c.result == f.result.value)
    if f.state is not None:
        conditions.append(A.c.state == f.state.value)
    if f.reason is not None:
        conditions.append(A.c.reason == f.reason.value)
    if f.phone is not None:
        conditions.append(T.c.phone == f.phone)
    if f.since is not None:
        conditions.append(A.c.updated_at >= f.since)
    if f.until is not None:
        conditions.append(A.c.updated_at < f.until)
    return conditions


def _row(m: Mapping[Any, Any]) -> AttemptRow:
    return AttemptRow(attempt_from(m), target_from(m), m["account_no"] or "")


class SqlAttemptList:
    """Reads attempts for the API and the export."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(
        self, campaign_id: int, filters: AttemptFilter, limit: int, offset: int
    ) -> AttemptPage:
        """Matching attempts, newest first, `limit` from `offset`, and their total."""
        where = _where(campaign_id, filters)
        counted = select(func.count()).select_from(A.join(T, T.c.id == A.c.target_id))
        query = _with_target().where(*where).order_by(A.c.id.desc()).limit(limit).offset(offset)
        async with reader(self._engine).connect() as conn:
            total = int((await conn.execute(counted.where(*where))).scalar_one())
            rows = (await conn.execute(query)).all()
        return AttemptPage(total, [_row(r._mapping) for r in rows])

    async def export(
        self, campaign_id: int, chunk: int = EXPORT_CHUNK
    ) -> AsyncIterator[list[AttemptRow]]:
        """Every attempt of the campaign in id order, `chunk` rows at a time (keyset)."""
        after = 0
        while True:
            query = (
                _with_target()
                .where(A.c.campaign_id == campaign_id, A.c.id > after)
                .order_by(A.c.id)
                .limit(chunk)
            )
            async with reader(self._engine).connect() as conn:
                rows = [_row(r._mapping) for r in (await conn.execute(query)).all()]
            if not rows:
                return
            yield rows
            after = rows[-1].attempt.id

    async def stored_preview(self, campaign_id: int, sample: int) -> TargetPreview | None:
        """The campaign's stored targets (count and the first `sample`), or None when it has
        none yet (its query is then previewed instead)."""
        counted = select(func.count()).where(T.c.campaign_id == campaign_id)
        query = (
            select(T, accounts.c.account_no)
            .outerjoin(accounts, accounts.c.id == T.c.account_id)
            .where(T.c.campaign_id == campaign_id)
            .order_by(T.c.id)
            .limit(sample)
        )
        async with reader(self._engine).connect() as conn:
            count = int((await conn.execute(counted)).scalar_one())
            rows = (await conn.execute(query)).all() if count else []
        if count == 0:
            return None
        return TargetPreview(count, tuple(_candidate(r._mapping) for r in rows))


def _candidate(m: Mapping[Any, Any]) -> Candidate:
    return Candidate(
        customer_id=int(m["customer_id"]),
        account_id=int(m["account_id"]),
        account_no=m["account_no"] or "",
        phone=m["phone"],
        values=dict(m["values"]),
        vulnerable=bool(m["vulnerable"]),
        area=m["area"],
        disputed=bool(m["disputed"]),
    )
