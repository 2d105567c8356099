"""`SqlWebhookStore`: subscriptions, the outbox of deliveries and their attempt log."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.ids import new_id
from callcenter.storage.webhook_tables import (
    webhook_attempts as attempts_t,
)
from callcenter.storage.webhook_tables import (
    webhook_deliveries as deliveries_t,
)
from callcenter.storage.webhook_tables import (
    webhook_subscriptions as subs_t,
)
from callcenter.webhooks.models import (
    AttemptLog,
    Claimed,
    Delivery,
    DeliveryStatus,
    EventType,
    SendResult,
    Subscription,
    SubscriptionChange,
)

PENDING = DeliveryStatus.PENDING.value


def _subscription(row: Row[Any]) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        url=m["url"],
        events=tuple(EventType(e) for e in m["events"]),
        secret=m["secret"],
        active=m["active"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _delivery(row: Row[Any], log: tuple[AttemptLog, ...]) -> Delivery:
    m = row._mapping
    return Delivery(
        id=m["id"],
        subscription_id=m["subscription_id"],
        event_id=m["event_id"],
        event_type=m["event_type"],
        status=DeliveryStatus(m["status"]),
        attempts=m["attempts"],
        next_attempt_at=m["next_attempt_at"],
        created_at=m["created_at"],
        log=log,
    )


SUBSCRIBERS_SECONDS = 5.0  # how old the list of active subscriptions may be


class SqlWebhookStore:
    """Implements `WebhookStore`. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL and a
    compare-and-set (an update conditioned on the row still being due) on SQLite.

    Which subscriptions are active is read at most every `SUBSCRIBERS_SECONDS` (every call's
    end publishes an event: without subscribers that costs no database work): a change made
    here counts at once, one made by another instance within that time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._active: tuple[float, list[tuple[int, list[str]]]] | None = None

    async def add(
        self, url: str, events: tuple[EventType, ...], secret: str, active: bool, at: datetime
    ) -> Subscription:
        values = {"url": url, "events": [e.value for e in events], "secret": secret}
        self._active = None
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert(subs_t).values(active=active, created_at=at, updated_at=at, **values)
            )
            new = result.inserted_primary_key
            assert new is not None
            row = (await conn.execute(select(subs_t).where(subs_t.c.id == new[0]))).one()
        return _subscription(row)

    async def subscriptions(self) -> list[Subscription]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(subs_t).order_by(subs_t.c.id))
            return [_subscription(r) for r in rows]

    async def subscription(self, subscription_id: int) -> Subscription | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(subs_t).where(subs_t.c.id == subscription_id))).first()
        return _subscription(row) if row is not None else None

    async def change(
        self, subscription_id: int, change: SubscriptionChange, at: datetime
    ) -> Subscription | None:
        values: dict[str, Any] = {"updated_at": at}
        if change.url is not None:
            values["url"] = change.url
        if change.events is not None:
            values["events"] = [str(e) for e in change.events]
        if change.secret is not None:
            values["secret"] = change.secret
        if change.active is not None:
            values["active"] = change.active
        self._active = None
        async with self._engine.begin() as conn:
            await conn.execute(
                update(subs_t).where(subs_t.c.id == subscription_id).values(**values)
            )
        return await self.subscription(subscription_id)

    async def remove(self, subscription_id: int) -> bool:
        self._active = None
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(subs_t).where(subs_t.c.id == subscription_id))
        return bool(result.rowcount)

    async def _subscribers(self) -> list[tuple[int, list[str]]]:
        now = time.monotonic()
        if self._active is None or now - self._active[0] > SUBSCRIBERS_SECONDS:
            async with self._engine.connect() as conn:
                rows = await conn.execute(
                    select(subs_t.c.id, subs_t.c.events).where(subs_t.c.active)
                )
                self._active = (now, [(r.id, list(r.events)) for r in rows])
        return self._active[1]

    async def enqueue(self, event_id: str, event_type: str, body: str, at: datetime) -> int:
        try:
            return await self._enqueue(event_id, event_type, body, at)
        except IntegrityError:  # a subscription another instance removed meanwhile
            self._active = None
            return await self._enqueue(event_id, event_type, body, at)

    async def _enqueue(self, event_id: str, event_type: str, body: str, at: datetime) -> int:
        targets = [sid for sid, events in await self._subscribers() if event_type in events]
        if targets:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(deliveries_t),
                    [
                        {
                            "id": new_id(at),
                            "subscription_id": sid,
                            "event_id": event_id,
                            "event_type": event_type,
                            "body": body,
                            "status": PENDING,
                            "attempts": 0,
                            "next_attempt_at": at,
                            "created_at": at,
                        }
                        for sid in targets
                    ],
                )
        return len(targets)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
        due = (
            select(deliveries_t.c.id)
            .join(subs_t, subs_t.c.id == deliveries_t.c.subscription_id)
            .where(
                deliveries_t.c.status == PENDING,
                deliveries_t.c.next_attempt_at <= now,
                subs_t.c.active,
            )
            .order_by(deliveries_t.c.next_attempt_at)
            .limit(limit)
        )
        async with self._engine.begin() as conn:
            if self._postgres:
                ids = list(
                    (
                        await conn.execute(due.with_for_update(skip_locked=True, of=deliveries_t))
                    ).scalars()
                )
                await self._lease(conn, ids, now, lease_until)
            else:
                candidates = list((await conn.execute(due)).scalars())
                ids = [i for i in candidates if await self._lease(conn, [i], now, lease_until)]
            if not ids:
                return []
            rows = await conn.execute(
                select(deliveries_t, subs_t.c.url, subs_t.c.secret)
                .join(subs_t, subs_t.c.id == deliveries_t.c.subscription_id)
                .where(deliveries_t.c.id.in_(ids))
                .order_by(deliveries_t.c.created_at)
            )
            return [Claimed(r.id, r.url, r.secret, r.event_type, r.body, r.attempts) for r in rows]

    @staticmethod
    async def _lease(
        conn: AsyncConnection, ids: list[str], now: datetime, lease_until: datetime
    ) -> bool:
        """Move the due deliveries' next try to `lease_until`; True when all were still due."""
        if not ids:
            return False
        result = await conn.execute(
            update(deliveries_t)
            .where(
                deliveries_t.c.id.in_(ids),
                deliveries_t.c.status == PENDING,
                deliveries_t.c.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until)
        )
        return bool(result.rowcount == len(ids))

    async def attempted(
        self,
        delivery_id: str,
        result: SendResult,
        at: datetime,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(attempts_t).values(
                    delivery_id=delivery_id,
                    at=at,
                    status_code=result.status_code,
                    error=result.error,
                    duration_ms=result.duration_ms,
                )
            )
            await conn.execute(
                update(deliveries_t)
                .where(deliveries_t.c.id == delivery_id)
                .values(
                    status=status.value,
                    attempts=deliveries_t.c.attempts + 1,
                    next_attempt_at=next_attempt_at,
                )
            )

    async def deliveries(
        self, subscription_id: int, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        query = select(deliveries_t).where(deliveries_t.c.subscription_id == subscription_id)
        if status is not None:
            query = query.where(deliveries_t.c.status == status.value)
        query = query.order_by(deliveries_t.c.created_at.desc(), deliveries_t.c.id.desc())
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query.limit(limit)))
            logs = await self._logs(conn, [r.id for r in rows])
        return [_delivery(r, logs.get(r.id, ())) for r in rows]

    @staticmethod
    async def _logs(conn: AsyncConnection, ids: list[str]) -> dict[str, tuple[AttemptLog, ...]]:
        if not ids:
            return {}
        rows = await conn.execute(
            select(attempts_t)
            .where(attempts_t.c.delivery_id.in_(ids))
            .order_by(attempts_t.c.at, attempts_t.c.id)
        )
        found: dict[str, list[AttemptLog]] = {}
        for r in rows:
            log = AttemptLog(r.at, r.status_code, r.error, r.duration_ms)
            found.setdefault(r.delivery_id, []).append(log)
        return {k: tuple(v) for k, v in found.items()}

    async def redeliver(self, delivery_id: str, at: datetime) -> Delivery | None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(deliveries_t)
                .where(deliveries_t.c.id == delivery_id)
                .values(status=PENDING, attempts=0, next_attempt_at=at)
            )
            row = (
                await conn.execute(select(deliveries_t).where(deliveries_t.c.id == delivery_id))
            ).first()
            if row is None:
                return None
            logs = await self._logs(conn, [delivery_id])
        return _delivery(row, logs.get(delivery_id, ()))
