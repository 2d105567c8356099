"""`SqlPromiseStore`: promises to pay, settled once (compare-and-set on `open`); and
`SqlFollowUps`: the follow-up call of a broken promise, a new pending attempt on the same
campaign target while the campaign runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.dispositions import add_pending_attempt
from callcenter.storage.outbound_tables import arrears_sequences, campaigns, promises
from outbound.desk.models import Promise, PromiseStatus
from outbound.models import CampaignState

P = promises
OPEN = PromiseStatus.OPEN.value


def _promise_from(m: Mapping[Any, Any]) -> Promise:
    return Promise(
        id=int(m["id"]),
        account_id=int(m["account_id"]),
        campaign_id=int(m["campaign_id"]),
        target_id=int(m["target_id"]),
        attempt_key=m["attempt_key"],
        amount=m["amount"],
        arrears_at=m["arrears_at"],
        promised_for=m["promised_for"],
        due_at=m["due_at"],
        agent_id=m["agent_id"],
        status=PromiseStatus(m["status"]),
        created_at=m["created_at"],
        settled_at=m["settled_at"],
    )


def paused_until() -> Any:
    """A correlated scalar subquery: the latest due time of the account's open promises
    (`account_id` of the enclosing arrears sequence row), the end of its pause."""
    return (
        select(P.c.due_at)
        .where(P.c.account_id == arrears_sequences.c.account_id, P.c.status == OPEN)
        .order_by(P.c.due_at.desc())
        .limit(1)
        .scalar_subquery()
    )


class SqlPromiseStore:
    """Promises in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due(self, now: datetime, limit: int) -> list[Promise]:
        """Open promises due at `now`, oldest due first."""
        query = (
            select(P)
            .where(P.c.status == OPEN, P.c.due_at <= now)
            .order_by(P.c.due_at, P.c.id)
            .limit(limit)
        )
        async with reader(self._engine).connect() as conn:
            return [_promise_from(r._mapping) for r in await conn.execute(query)]

    async def settle(self, promise_id: int, status: PromiseStatus, now: datetime) -> bool:
        """open -> `status`; False when it was settled already."""
        settled = (
            update(P)
            .where(P.c.id == promise_id, P.c.status == OPEN)
            .values(status=status.value, settled_at=now)
        )
        async with self._engine.begin() as conn:
            return bool((await conn.execute(settled)).rowcount == 1)

    async def open_for(self, account_id: int) -> Promise | None:
        """The account's open promise due last, or None."""
        query = (
            select(P)
            .where(P.c.account_id == account_id, P.c.status == OPEN)
            .order_by(P.c.due_at.desc())
            .limit(1)
        )
        async with reader(self._engine).connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _promise_from(row._mapping)


class SqlFollowUps:
    """Follow-up calls of broken promises."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def schedule(self, promise: Promise, now: datetime) -> int | None:
        """A new pending attempt on the promise's target, due now, for the agent who took
        the promise, when the campaign is running; its number, else None."""
        state = select(campaigns.c.state).where(campaigns.c.id == promise.campaign_id)
        async with self._engine.begin() as conn:
            if (await conn.execute(state)).scalar_one_or_none() != CampaignState.RUNNING.value:
                return None
            return await add_pending_attempt(
                conn, promise.campaign_id, promise.target_id, now, promise.agent_id, now
            )
