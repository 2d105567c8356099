"""`SqlAttemptStore`: campaign attempts, claimed exclusively (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite has one writer) and moved between states by compare-and-set updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from outbound.models import (
    Attempt,
    AttemptResult,
    AttemptState,
    CampaignCounts,
    RefusalReason,
    Target,
)

A = campaign_attempts
T = campaign_targets
_SENT_OR_AFTER = (AttemptState.SENDING, AttemptState.PLACED, AttemptState.DONE)
_FROM_FOR_RESULT = (
    AttemptState.CLAIMED,
    AttemptState.QUEUED,
    AttemptState.SENDING,
    AttemptState.PLACED,
)
_TO_SEND = (AttemptState.CLAIMED, AttemptState.QUEUED)
CHUNK = 500  # attempts per batch statement
_T = TypeVar("_T")


def attempt_from(m: Mapping[Any, Any]) -> Attempt:
    """An attempt row as the domain sees it."""
    return Attempt(
        id=int(m["id"]),
        campaign_id=int(m["campaign_id"]),
        target_id=int(m["target_id"]),
        attempt_no=int(m["attempt_no"]),
        state=AttemptState(m["state"]),
        result=AttemptResult(m["result"]) if m["result"] else None,
        reason=RefusalReason(m["reason"]) if m["reason"] else None,
        provider_id=m["provider_id"],
        call_id=m["call_id"],
        not_before=m["not_before"],
        updated_at=m["updated_at"],
        agent_id=m["agent_id"],
    )


def target_from(m: Mapping[Any, Any]) -> Target:
    """A target row as the domain sees it (the columns may carry a `t_` prefix)."""
    return Target(
        id=int(m["t_id"]),
        campaign_id=int(m["t_campaign_id"]),
        customer_id=int(m["t_customer_id"]),
        account_id=int(m["t_account_id"]),
        phone=m["t_phone"],
        values=dict(m["t_values"]),
        vulnerable=bool(m["t_vulnerable"]),
        area=m["t_area"],
        disputed=bool(m["t_disputed"]),
    )


_WITH_TARGET = select(A, *[c.label(f"t_{c.name}") for c in T.c]).join(T, T.c.id == A.c.target_id)


def _pairs(rows: Sequence[Any]) -> list[tuple[Attempt, Target]]:
    return [(attempt_from(r._mapping), target_from(r._mapping)) for r in rows]


def _in(states: Sequence[AttemptState]) -> ColumnElement[bool]:
    return A.c.state.in_([s.value for s in states])


class SqlAttemptStore:
    """Attempts in SQL; every transition names the states it may start from."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self, campaign_id: int, limit: int, now: datetime, claimer: str
    ) -> list[tuple[Attempt, Target]]:
        """Take up to `limit` pending attempts due at `now`, oldest due first, for `claimer`."""
        due = (
            select(A.c.id)
            .where(
                A.c.campaign_id == campaign_id,
                A.c.state == AttemptState.PENDING.value,
                A.c.not_before <= now,
            )
            .order_by(A.c.not_before, A.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            # materialised: evaluated once, so the limit holds (as `IN (subquery)` the
            # planner may run it again per row and take more than `limit`)
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        taken = (
            update(A)
            .where(A.c.id == due.c.id, A.c.state == AttemptState.PENDING.value)
            .values(state=AttemptState.CLAIMED.value, claimed_by=claimer, updated_at=now)
            .returning(A.c.id)
        )
        async with self._engine.begin() as conn:
            ids = list((await conn.execute(taken)).scalars())
            if not ids:
                return []
            query = _WITH_TARGET.where(A.c.id.in_(ids)).order_by(A.c.not_before, A.c.id)
            return _pairs((await conn.execute(query)).all())

    async def release_claims(self, campaign_id: int, now: datetime) -> int:
        """Every claimed (never sent) attempt of the campaign back to pending."""
        back = (
            update(A)
            .where(A.c.campaign_id == campaign_id, A.c.state == AttemptState.CLAIMED.value)
            .values(state=AttemptState.PENDING.value, claimed_by=None, updated_at=now)
        )
        async with self._engine.begin() as conn:
            return int((await conn.execute(back)).rowcount)

    async def _move(
        self,
        conn: AsyncConnection,
        attempt_id: int,
        allowed: Sequence[AttemptState],
        values: dict[str, Any],
    ) -> Attempt | None:
        changed = update(A).where(A.c.id == attempt_id, _in(allowed)).values(values).returning(*A.c)
        row = (await conn.execute(changed)).one_or_none()
        return None if row is None else attempt_from(row._mapping)

    async def mark_sending(self, attempt_id: int, now: datetime) -> Attempt | None:
        """claimed -> sending."""
        values = {"state": AttemptState.SENDING.value, "sent_at": now, "updated_at": now}
        async with self._engine.begin() as conn:
            return await self._move(conn, attempt_id, [AttemptState.CLAIMED], values)

    async def mark_placed(self, attempt_id: int, provider_id: str, now: datetime) -> Attempt | None:
        """sending -> placed, with the provider's id."""
        values = {"state": AttemptState.PLACED.value, "provider_id": provider_id, "updated_at": now}
        async with self._engine.begin() as conn:
            return await self._move(conn, attempt_id, [AttemptState.SENDING], values)

    async def record_result(
        self,
        attempt_id: int,
        result: AttemptResult,
        now: datetime,
        *,
        reason: RefusalReason | None = None,
        retry_at: datetime | None = None,
    ) -> Attempt | None:
        """claimed, sending or placed -> done; with `retry_at`, the next attempt too."""
        values = {
            "state": AttemptState.DONE.value,
            "result": result.value,
            "reason": None if reason is None else reason.value,
            "updated_at": now,
        }
        async with self._engine.begin() as conn:
            done = await self._move(conn, attempt_id, _FROM_FOR_RESULT, values)
            if done is not None and retry_at is not None:
                await conn.execute(_retry(done, retry_at, now))
            return done

    async def link_call(self, attempt_id: int, call_id: str) -> None:
        """Record the call record of the attempt."""
        async with self._engine.begin() as conn:
            await conn.execute(update(A).where(A.c.id == attempt_id).values(call_id=call_id))

    async def mark_sending_many(self, attempt_ids: Sequence[int], now: datetime) -> list[Attempt]:
        """claimed (or queued for an agent) -> sending for each, in one transaction; the
        attempts moved."""
        values = {"state": AttemptState.SENDING.value, "sent_at": now, "updated_at": now}
        return await self._move_all(attempt_ids, _TO_SEND, values)

    async def mark_queued_many(self, attempt_ids: Sequence[int], now: datetime) -> list[Attempt]:
        """claimed -> queued (waiting for an agent) for each, in one transaction."""
        values = {"state": AttemptState.QUEUED.value, "updated_at": now}
        return await self._move_all(attempt_ids, [AttemptState.CLAIMED], values)

    async def reserve_agent(self, attempt_id: int, agent_id: int, now: datetime) -> Attempt | None:
        """A queued attempt gets its reserved agent (None: it is not queued any more)."""
        values = {"agent_id": agent_id, "updated_at": now}
        async with self._engine.begin() as conn:
            return await self._move(conn, attempt_id, [AttemptState.QUEUED], values)

    async def unqueue(self, attempt_id: int, now: datetime) -> bool:
        """queued -> pending, due now, no agent (the call record kept)."""
        values = {"state": AttemptState.PENDING.value, "agent_id": None, "not_before": now}
        async with self._engine.begin() as conn:
            moved = await self._move(
                conn, attempt_id, [AttemptState.QUEUED], values | {"updated_at": now}
            )
        return moved is not None

    async def queued(self, campaign_id: int) -> list[tuple[Attempt, Target]]:
        """The campaign's attempts waiting in line for an agent."""
        query = _WITH_TARGET.where(
            A.c.campaign_id == campaign_id, A.c.state == AttemptState.QUEUED.value
        )
        async with reader(self._engine).connect() as conn:
            return _pairs((await conn.execute(query)).all())

    async def results_since(self, campaign_id: int, since: datetime) -> dict[str, int]:
        """Attempts done at or after `since`, by result."""
        query = (
            select(A.c.result, func.count())
            .where(
                A.c.campaign_id == campaign_id,
                A.c.state == AttemptState.DONE.value,
                A.c.updated_at >= since,
            )
            .group_by(A.c.result)
        )
        async with reader(self._engine).connect() as conn:
            return {str(r): int(n) for r, n in (await conn.execute(query)).all()}

    async def _move_all(
        self, attempt_ids: Sequence[int], allowed: Sequence[AttemptState], values: dict[str, Any]
    ) -> list[Attempt]:
        moved: list[Attempt] = []
        async with self._engine.begin() as conn:
            for chunk in _chunks(list(attempt_ids)):
                moved += await self._move_many(conn, chunk, allowed, values)
        return moved

    async def mark_placed_many(
        self, placed: Sequence[tuple[int, str]], now: datetime
    ) -> list[Attempt]:
        """sending -> placed, each with its provider id, in one transaction; those moved."""
        moved: list[Attempt] = []
        async with self._engine.begin() as conn:
            for chunk in _chunks(list(placed)):
                values = {
                    "state": AttemptState.PLACED.value,
                    "provider_id": case(dict(chunk), value=A.c.id),
                    "updated_at": now,
                }
                ids = [attempt_id for attempt_id, _ in chunk]
                moved += await self._move_many(conn, ids, [AttemptState.SENDING], values)
        return moved

    async def link_calls(self, links: Sequence[tuple[int, str]]) -> None:
        """Record the call record of each attempt, in one transaction."""
        async with self._engine.begin() as conn:
            for chunk in _chunks(list(links)):
                ids = [attempt_id for attempt_id, _ in chunk]
                linked = update(A).where(A.c.id.in_(ids))
                await conn.execute(linked.values(call_id=case(dict(chunk), value=A.c.id)))

    async def _move_many(
        self,
        conn: AsyncConnection,
        attempt_ids: list[int],
        allowed: Sequence[AttemptState],
        values: dict[str, Any],
    ) -> list[Attempt]:
        where = and_(A.c.id.in_(attempt_ids), _in(allowed))
        changed = update(A).where(where).values(values).returning(*A.c)
        return [attempt_from(r._mapping) for r in (await conn.execute(changed)).all()]

    async def _one(self, where: ColumnElement[bool]) -> tuple[Attempt, Target] | None:
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(_WITH_TARGET.where(where).limit(1))).all()
        return _pairs(rows)[0] if rows else None

    async def get(self, attempt_id: int) -> tuple[Attempt, Target] | None:
        """One attempt with its target."""
        return await self._one(A.c.id == attempt_id)

    async def find_by_provider(self, provider_id: str) -> tuple[Attempt, Target] | None:
        """The attempt a provider's call id belongs to."""
        return await self._one(A.c.provider_id == provider_id)

    async def find_by_call(self, call_id: str) -> tuple[Attempt, Target] | None:
        """The attempt a call record belongs to."""
        return await self._one(A.c.call_id == call_id)

    async def stuck_sending(self, campaign_id: int) -> list[tuple[Attempt, Target]]:
        """Attempts left in `sending`, oldest first."""
        query = _WITH_TARGET.where(
            A.c.campaign_id == campaign_id, A.c.state == AttemptState.SENDING.value
        ).order_by(A.c.updated_at, A.c.id)
        async with reader(self._engine).connect() as conn:
            return _pairs((await conn.execute(query)).all())

    async def waiting(self, campaign_id: int, now: datetime) -> dict[str, int]:
        """The unfinished attempts by why they wait (`due`, `retry-later`, `claimed`,
        `sending`, `placed`): the index range of the campaign's unfinished states only, so
        its cost does not grow with the attempts already done."""
        pending = A.c.state == AttemptState.PENDING.value
        key = case(
            (and_(pending, A.c.not_before <= now), "due"),
            (pending, "retry-later"),
            else_=A.c.state,
        )
        query = (
            select(key.label("key"), func.count())
            .where(A.c.campaign_id == campaign_id, A.c.state.in_(_UNFINISHED))
            .group_by(key)
        )
        async with reader(self._engine).connect() as conn:
            return {str(k): int(n) for k, n in (await conn.execute(query)).all()}

    async def counts(self, campaign_id: int, now: datetime) -> CampaignCounts:
        """Targets, finished attempts by result, refusals by reason, waiting by why."""
        targets = select(func.count()).where(T.c.campaign_id == campaign_id)
        async with reader(self._engine).connect() as conn:
            total = int((await conn.execute(targets)).scalar_one())
            rows = (await conn.execute(_counted(campaign_id, now))).all()
        results: dict[str, int] = {}
        refused: dict[str, int] = {}
        waiting: dict[str, int] = {}
        for kind, key, n in rows:
            into = {"result": results, "refused": refused, "waiting": waiting}[kind]
            into[key] = into.get(key, 0) + int(n)
        return CampaignCounts(total, results, refused, waiting)


def _chunks(items: list[_T]) -> list[list[_T]]:
    """`items` in pieces small enough for one statement's parameters (SQLite's limit)."""
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _retry(done: Attempt, retry_at: datetime, now: datetime) -> Any:
    return insert(A).values(
        campaign_id=done.campaign_id,
        target_id=done.target_id,
        attempt_no=done.attempt_no + 1,
        state=AttemptState.PENDING.value,
        not_before=retry_at,
        created_at=now,
        updated_at=now,
    )


_UNFINISHED = [s.value for s in AttemptState if s is not AttemptState.DONE]


def _counted(campaign_id: int, now: datetime) -> Select[Any]:
    pending = A.c.state == AttemptState.PENDING.value
    kind = case(
        (A.c.result == AttemptResult.REFUSED.value, "refused"),
        (A.c.state == AttemptState.DONE.value, "result"),
        else_="waiting",
    )
    key = case(
        (A.c.result == AttemptResult.REFUSED.value, A.c.reason),
        (A.c.state == AttemptState.DONE.value, A.c.result),
        (and_(pending, A.c.not_before <= now), "due"),
        (pending, "retry-later"),
        else_=A.c.state,
    )
    return (
        select(kind.label("kind"), key.label("key"), func.count())
        .where(A.c.campaign_id == campaign_id)
        .group_by(kind, key)
    )
