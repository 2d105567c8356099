"""`SqlDispositionStore` and `SqlAttemptFacts`: campaign dispositions with their effects on the
target's attempts (cancelled, a call-back added) and their promise, in one transaction; an
attempt read by its key with its campaign, target and agents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.audit import Editor
from callcenter.storage.attempts import attempt_from, target_from
from callcenter.storage.campaigns import campaign_from
from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import (
    campaign_attempts,
    campaign_dispositions,
    campaign_targets,
    campaigns,
    promises,
)
from callcenter.storage.tables import calls
from outbound.desk.models import (
    AttemptFacts,
    AttemptKey,
    Disposition,
    DispositionExistsError,
    DispositionKind,
    DispositionRecord,
    Effects,
    NewPromise,
    PromiseStatus,
)
from outbound.models import AttemptResult, AttemptState

A, T, D, P = campaign_attempts, campaign_targets, campaign_dispositions, promises
_FACTS = (
    select(
        A,
        *[c.label(f"t_{c.name}") for c in T.c],
        *[c.label(f"c_{c.name}") for c in campaigns.c],
        calls.c.agent_id.label("call_agent"),
    )
    .join(T, T.c.id == A.c.target_id)
    .join(campaigns, campaigns.c.id == A.c.campaign_id)
    .outerjoin(calls, calls.c.id == A.c.call_id)
)


def _key_is(key: AttemptKey) -> Any:
    return (
        (A.c.campaign_id == key.campaign_id)
        & (A.c.target_id == key.target_id)
        & (A.c.attempt_no == key.attempt_no)
    )


class SqlAttemptFacts:
    """Attempts by key, with campaign, target and agents."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def attempt_facts(self, key: AttemptKey) -> AttemptFacts | None:
        """The attempt `key` with its campaign and target, or None."""
        async with reader(self._engine).connect() as conn:
            row = (await conn.execute(_FACTS.where(_key_is(key)))).first()
        if row is None:
            return None
        m = row._mapping
        prefixed = {k[2:]: v for k, v in m.items() if isinstance(k, str) and k.startswith("c_")}
        return AttemptFacts(
            campaign_from(prefixed).campaign,
            attempt_from(m),
            target_from(m),
            m["agent_id"],
            m["call_agent"],
        )


def _record_from(m: Mapping[Any, Any], promise_id: int | None) -> DispositionRecord:
    return DispositionRecord(
        id=int(m["id"]),
        attempt=f"{m['campaign_id']}:{m['target_id']}:{m['attempt_no']}",
        disposition=Disposition(
            DispositionKind(m["kind"]), m["promise_date"], m["amount"], m["call_back_at"], m["note"]
        ),
        agent_id=m["agent_id"],
        by_role=m["by_role"],
        by_user=m["by_user"],
        created_at=m["created_at"],
        call_id=m["call_id"],
        promise_id=promise_id,
    )


class SqlDispositionStore:
    """Dispositions in SQL (one per attempt: a unique attempt id)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, key: AttemptKey) -> DispositionRecord | None:
        """The attempt's disposition, or None."""
        query = (
            select(D, A.c.attempt_no, P.c.id.label("promise_id"))
            .join(A, A.c.id == D.c.attempt_id)
            .outerjoin(P, P.c.disposition_id == D.c.id)
            .where(_key_is(key))
        )
        async with reader(self._engine).connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _record_from(row._mapping, row._mapping["promise_id"])

    async def record(
        self,
        facts: AttemptFacts,
        disposition: Disposition,
        effects: Effects,
        promise: NewPromise | None,
        editor: Editor,
        now: datetime,
    ) -> DispositionRecord:
        """Store the disposition with its effects (see `DispositionStore.record`)."""
        row = _row(facts, disposition, editor, now)
        try:
            async with self._engine.begin() as conn:
                new_id = (await conn.execute(insert(D).values(row).returning(D.c.id))).scalar_one()
                promise_id = None
                if promise is not None:
                    promise_id = await _add_promise(conn, facts, new_id, promise, now)
                cancelled = await _cancel_pending(conn, facts, now) if effects.cancel_pending else 0
                call_back = None
                if effects.call_back_at is not None:
                    call_back = await _add_attempt(conn, facts, effects.call_back_at, row, now)
        except IntegrityError as err:
            raise DispositionExistsError(f"attempt {facts.key} has its disposition") from err
        record = _record_from(row | {"id": new_id, "attempt_no": facts.attempt.attempt_no}, None)
        return replace(
            record, promise_id=promise_id, cancelled=cancelled, call_back_attempt=call_back
        )


def _row(facts: AttemptFacts, d: Disposition, editor: Editor, now: datetime) -> dict[str, Any]:
    agent = editor.user_id if editor.role == "agent" else facts.call_agent
    return {
        "attempt_id": facts.attempt.id,
        "campaign_id": facts.campaign.id,
        "target_id": facts.target.id,
        "account_id": facts.target.account_id,
        "kind": d.kind.value,
        "promise_date": d.promise_date,
        "amount": d.amount,
        "call_back_at": d.call_back_at,
        "note": d.note,
        "call_id": facts.attempt.call_id,
        "agent_id": agent or facts.reserved_agent,
        "by_role": editor.role,
        "by_user": editor.user_id,
        "created_at": now,
    }


async def _add_promise(
    conn: AsyncConnection, facts: AttemptFacts, disposition_id: int, p: NewPromise, now: datetime
) -> int:
    values = {
        "disposition_id": disposition_id,
        "account_id": facts.target.account_id,
        "campaign_id": facts.campaign.id,
        "target_id": facts.target.id,
        "attempt_key": str(facts.key),
        "amount": p.amount,
        "arrears_at": p.arrears_at,
        "promised_for": p.promised_for,
        "due_at": p.due_at,
        "agent_id": facts.call_agent or facts.reserved_agent,
        "status": PromiseStatus.OPEN.value,
        "created_at": now,
    }
    return int((await conn.execute(insert(P).values(values).returning(P.c.id))).scalar_one())


async def _cancel_pending(conn: AsyncConnection, facts: AttemptFacts, now: datetime) -> int:
    """The target's pending attempts in the campaign: done, `skipped`."""
    pending = update(A).where(
        A.c.campaign_id == facts.campaign.id,
        A.c.target_id == facts.target.id,
        A.c.state == AttemptState.PENDING.value,
    )
    values = {
        "state": AttemptState.DONE.value,
        "result": AttemptResult.SKIPPED.value,
        "updated_at": now,
    }
    return int((await conn.execute(pending.values(values))).rowcount)


async def add_pending_attempt(
    conn: AsyncConnection,
    campaign_id: int,
    target_id: int,
    not_before: datetime,
    agent_id: int | None,
    now: datetime,
) -> int:
    """A new pending attempt of the target (the next attempt number); its number."""
    last = select(func.max(A.c.attempt_no)).where(
        A.c.campaign_id == campaign_id, A.c.target_id == target_id
    )
    number = int((await conn.execute(last)).scalar_one() or 0) + 1
    await conn.execute(
        insert(A).values(
            campaign_id=campaign_id,
            target_id=target_id,
            attempt_no=number,
            state=AttemptState.PENDING.value,
            not_before=not_before,
            agent_id=agent_id,
            created_at=now,
            updated_at=now,
        )
    )
    return number


async def _add_attempt(
    conn: AsyncConnection, facts: AttemptFacts, at: datetime, row: dict[str, Any], now: datetime
) -> int:
    return await add_pending_attempt(
        conn, facts.campaign.id, facts.target.id, at, row["agent_id"], now
    )
