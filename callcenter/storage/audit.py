"""The audit log: written in the transaction of the change it records; read back by entity,
or filtered newest first by keyset for the audit API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.audit.models import AuditFilter, AuditRecord
from callcenter.core.audit import AuditEntry, Editor
from callcenter.storage.db import reader
from callcenter.storage.tables import audit_log

A = audit_log.c


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
    """Reads the audit log (the audit API's `AuditReader`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def entries(self, entity: str, entity_id: str | None = None) -> list[AuditEntry]:
        """An entity's entries (all of its kind without an id), oldest first."""
        query = select(audit_log).where(audit_log.c.entity == entity).order_by(audit_log.c.id)
        if entity_id is not None:
            query = query.where(audit_log.c.entity_id == entity_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_entry(r) for r in rows]

    async def newest(
        self, where: AuditFilter, before_id: int | None, limit: int
    ) -> list[AuditRecord]:
        """Up to `limit` matching entries below `before_id`, newest first."""
        conditions = _conditions(where)
        if before_id is not None:
            conditions.append(A.id < before_id)
        query = select(audit_log).where(*conditions).order_by(A.id.desc()).limit(limit)
        async with reader(self._engine).connect() as conn:
            rows = (await conn.execute(query)).all()
        return [AuditRecord(int(r.id), _entry(r)) for r in rows]


def _conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    exact: list[tuple[Any, object]] = [
        (A.entity, where.entity),
        (A.entity_id, where.entity_id),
        (A.action, where.action),
        (A.actor_id, where.actor_id),
        (A.actor_role, where.actor_role),
        (A.address, where.address),
    ]
    found = [column == value for column, value in exact if value is not None]
    if where.since is not None:
        found.append(A.at >= where.since)
    if where.until is not None:
        found.append(A.at < where.until)
    return found


def _entry(r: Row[Any]) -> AuditEntry:
    editor = Editor(r.actor_role, r.actor_id, r.address)
    return AuditEntry(r.at, editor, r.entity, r.entity_id, r.action, _dict(r.data))


def _dict(data: Any) -> dict[str, Any]:
    return dict(data) if isinstance(data, dict) else {}
