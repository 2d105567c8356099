"""Thin handlers of the audit log for administrators: `GET /api/audit` (filtered, newest
first, keyset pages) and `GET /api/audit/export` (every matching entry, streamed)."""

from __future__ import annotations

from aiohttp import web

from callcenter.audit import export
from callcenter.audit.schemas import AuditEntryOut, AuditExportQuery, AuditListOut, AuditQuery
from callcenter.audit.service import AuditTrail
from callcenter.core.api import Role, endpoint
from callcenter.httpkit import parse_query, respond

ADMIN = frozenset({Role.ADMIN})
TAG = "audit"


class AuditHttp:
    """`/api/audit` and `/api/audit/export`."""

    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/audit", self.list_entries)
        app.router.add_get("/api/audit/export", self.export_entries)

    @endpoint(
        "Audit entries, newest first: who (actor_role, actor_id, address) did what (entity, "
        "entity_id, action, data) when; exact-match filters, since/until with a UTC offset; "
        "the next page with before_id=next_before_id",
        roles=ADMIN,
        query=AuditQuery,
        response=AuditListOut,
        errors=("invalid-query",),
        tag=TAG,
    )
    async def list_entries(self, request: web.Request) -> web.Response:
        q = parse_query(AuditQuery, request.query)
        page = await self._trail.page(q.audit_filter(), q.before_id, q.limit)
        entries = [AuditEntryOut.of(r) for r in page.records]
        return respond(AuditListOut(entries=entries, next_before_id=page.next_before_id))

    @endpoint(
        "Every audit entry matching the filters, newest first, as a CSV (format=csv, cells "
        "that a spreadsheet would take for formulas prefixed with ') or NDJSON download",
        roles=ADMIN,
        query=AuditExportQuery,
        errors=("invalid-query",),
        tag=TAG,
        content_type=", ".join(export.MEDIA_TYPES.values()),
    )
    async def export_entries(self, request: web.Request) -> web.StreamResponse:
        q = parse_query(AuditExportQuery, request.query)
        fmt = q.export_format()
        response = web.StreamResponse(
            headers={
                "Content-Type": export.MEDIA_TYPES[fmt],
                "Content-Disposition": f'attachment; filename="audit.{fmt.value}"',
            }
        )
        await response.prepare(request)
        if head := export.header(fmt):
            await response.write(head)
        async for records in self._trail.export(q.audit_filter()):
            await response.write(export.lines(fmt, records))
        await response.write_eof()
        return response
