"""`SqlQueueSettingsStore`: queue settings saved at run time (they override the configured
ones), each save audited in its transaction."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.admin.models import StoredQueue
from callcenter.core.audit import AuditEntry
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import queue_settings


class SqlQueueSettingsStore:
    """Implements `agents.admin.ports.QueueSettingsStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def stored(self) -> list[StoredQueue]:
        query = select(queue_settings).order_by(queue_settings.c.name)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            StoredQueue(
                r.name, dict(r.settings) if isinstance(r.settings, dict) else {}, r.updated_by
            )
            for r in rows
        ]

    async def save(self, queue: StoredQueue, entry: AuditEntry) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(queue_settings).where(queue_settings.c.name == queue.name))
            await conn.execute(
                insert(queue_settings).values(
                    name=queue.name,
                    settings=dict(queue.settings),
                    updated_at=entry.at,
                    updated_by=queue.updated_by,
                )
            )
            await write_audit(conn, entry)
