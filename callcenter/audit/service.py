"""Reading the audit log: one page by keyset, or every matching entry page by page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from callcenter.audit.models import AuditFilter, AuditPage, AuditRecord
from callcenter.audit.ports import AuditReader

EXPORT_CHUNK = 500


class AuditTrail:
    """The audit log's pages and exports over a reader."""

    def __init__(self, reader: AuditReader, chunk: int = EXPORT_CHUNK) -> None:
        self._reader = reader
        self._chunk = chunk

    async def page(self, where: AuditFilter, before_id: int | None, limit: int) -> AuditPage:
        """Up to `limit` entries newest first, below `before_id` when given."""
        found = await self._reader.newest(where, before_id, limit + 1)
        records = found[:limit]
        more = len(found) > limit
        return AuditPage(records, records[-1].id if more else None)

    async def export(self, where: AuditFilter) -> AsyncIterator[list[AuditRecord]]:
        """Every matching entry, newest first, one page at a time (never all in memory)."""
        before_id: int | None = None
        while True:
            page = await self.page(where, before_id, self._chunk)
            if page.records:
                yield page.records
            if page.next_before_id is None:
                return
            before_id = page.next_before_id
