"""`SqlTextStore`: the texts (SMS) of notice campaigns, one row per target (the unique
`(campaign_id, target_id)` is what makes a second text impossible)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.attempts import target_from
from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_targets, campaign_texts
from outbound.models import Target
from outbound.texts.models import TextRecord, TextState

T, X = campaign_targets, campaign_texts


class SqlTextStore:
    """`outbound.texts.TextStore` in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def unsent(self, campaign_id: int, limit: int) -> list[Target]:
        """Targets without a text row, lowest id first."""
        texted = exists().where(X.c.campaign_id == T.c.campaign_id, X.c.target_id == T.c.id)
        query = (
            select(*[c.label(f"t_{c.name}") for c in T.c])
            .where(T.c.campaign_id == campaign_id, ~texted)
            .order_by(T.c.id)
            .limit(limit)
        )
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [target_from(r) for r in rows]

    async def claim(self, record: TextRecord, now: datetime) -> bool:
        """Insert the text row; False when the target has one already."""
        row = {
            "campaign_id": record.campaign_id,
            "target_id": record.target_id,
            "phone": record.phone,
            "language": record.language,
            "body": record.body,
            "state": record.state.value,
            "reason": record.reason,
            "provider_id": record.provider_id,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(X).values(**row))
        except IntegrityError:
            return False
        return True

    async def finish(
        self,
        campaign_id: int,
        target_id: int,
        state: TextState,
        now: datetime,
        *,
        reason: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        """Record how a claimed text ended."""
        query = (
            update(X)
            .where(
                X.c.campaign_id == campaign_id,
                X.c.target_id == target_id,
                X.c.state == TextState.SENDING.value,
            )
            .values(state=state.value, reason=reason, provider_id=provider_id, updated_at=now)
        )
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def release(self, campaign_id: int, target_id: int) -> None:
        """Drop a claimed text that was not sent."""
        query = delete(X).where(
            X.c.campaign_id == campaign_id,
            X.c.target_id == target_id,
            X.c.state == TextState.SENDING.value,
        )
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def texts(self, campaign_id: int) -> list[TextRecord]:
        """The campaign's texts in target order."""
        query = select(X).where(X.c.campaign_id == campaign_id).order_by(X.c.target_id)
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            TextRecord(
                r.campaign_id,
                r.target_id,
                r.phone,
                r.language,
                r.body,
                TextState(r.state),
                r.reason,
                r.provider_id,
            )
            for r in rows
        ]
