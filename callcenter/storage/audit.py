"""The audit log: written in the transaction of the change it records; read back by entity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.core.audit import AuditEntry, Editor
from callcenter.storage.tables import audit_log


async def write_audit(conn: AsyncConnection, entry: AuditEntry) -> None:
    """Append one entry, inside the caller's transaction."""
    await conn.execute(
        insert(audit_log).values(
            at=entry.at,
            actor_role=entry.editor.role,
            actor_id=entry.editor.user_id,
            entity=entry.entity,
            entity_id=entry.entity_id,
            action=entry.action,
            data=dict(entry.data),
            address=entry.editor.address,
        )
    )


class SqlAuditLog:
    """Reads the audit log."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def entries(self, entity: str, entity_id: str | None = None) -> list[AuditEntry]:
        """An entity's entries (all of its kind without an id), oldest first."""
        query = select(audit_log).where(audit_log.c.entity == entity).order_by(audit_log.c.id)
        if entity_id is not None:
            query = query.where(audit_log.c.entity_id == entity_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AuditEntry(
                r.at,
                Editor(r.actor_role, r.actor_id, r.address),
                r.entity,
                r.entity_id,
                r.action,
                _dict(r.data),
            )
            for r in rows
        ]


def _dict(data: Any) -> dict[str, Any]:
    return dict(data) if isinstance(data, dict) else {}
