"""What the audit log's use cases need from storage."""

from __future__ import annotations

from typing import Protocol

from callcenter.audit.models import AuditFilter, AuditRecord


class AuditReader(Protocol):
    """Reads stored audit entries."""

    async def newest(
        self, where: AuditFilter, before_id: int | None, limit: int
    ) -> list[AuditRecord]:
        """Up to `limit` matching entries with ids below `before_id` (any without it),
        newest (highest id) first."""
