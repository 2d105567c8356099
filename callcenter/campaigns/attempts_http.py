"""Thin handlers of a campaign's attempts: the filtered list (newest first, paginated) and
the CSV export for operations (every attempt in id order, numbers as stored), streamed in
chunks read by keyset so a big campaign never sits in memory whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.schemas import AttemptListOut, AttemptOut, AttemptQuery
from callcenter.core.api import Role, endpoint
from callcenter.httpkit import parse_query, path_int, respond
from callcenter.outages.rules import aware
from callcenter.storage.attempt_list import AttemptFilter, AttemptRow, SqlAttemptList
from callcenter.web.keys import SETTINGS
from outbound.campaigns import CampaignService

READERS = frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})
TAG = "campaigns"

EXPORT_COLUMNS = (
    "attempt_id",
    "campaign_id",
    "target_id",
    "attempt_no",
    "state",
    "result",
    "reason",
    "customer_id",
    "account_id",
    "account_no",
    "phone",
    "provider_id",
    "call_id",
    "not_before",
    "updated_at",
)


def _attempt_out(row: AttemptRow) -> AttemptOut:
    a, t = row.attempt, row.target
    return AttemptOut(
        id=a.id,
        attempt_no=a.attempt_no,
        state=a.state.value,
        result=None if a.result is None else a.result.value,
        reason=None if a.reason is None else a.reason.value,
        provider_id=a.provider_id,
        call_id=a.call_id,
        not_before=a.not_before,
        updated_at=a.updated_at,
        target_id=t.id,
        customer_id=t.customer_id,
        account_id=t.account_id,
        account_no=row.account_no,
        phone=t.phone,
    )


def _csv_lines(rows: Iterable[AttemptRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        a, t = row.attempt, row.target
        writer.writerow(
            [
                a.id,
                a.campaign_id,
                t.id,
                a.attempt_no,
                a.state.value,
                a.result.value if a.result else "",
                a.reason.value if a.reason else "",
                t.customer_id,
                t.account_id,
                row.account_no,
                t.phone,
                a.provider_id or "",
                a.call_id or "",
                a.not_before.isoformat() if a.not_before else "",
                a.updated_at.isoformat() if a.updated_at else "",
            ]
        )
    return out.getvalue().encode()


def _attachment(campaign_id: int) -> str:
    return f'attachment; filename="campaign-{campaign_id}-attempts.csv"'


class AttemptsHttp:
    """`/api/campaigns/{id}/attempts` and `/attempts.csv`."""

    def __init__(self, service: CampaignService, engine: AsyncEngine) -> None:
        self._service = service
        self._attempts = SqlAttemptList(engine)

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/campaigns/{campaign_id}/attempts", self.list_attempts)
        app.router.add_get("/api/campaigns/{campaign_id}/attempts.csv", self.export_attempts)

    @endpoint(
        "A campaign's attempts, newest first; filters result, state, reason, phone, "
        "since/until (last change); paginated by limit and offset",
        roles=READERS,
        query=AttemptQuery,
        response=AttemptListOut,
        errors=("invalid-id", "invalid-query", "no-such-campaign"),
        tag=TAG,
    )
    async def list_attempts(self, request: web.Request) -> web.Response:
        campaign_id = path_int(request, "campaign_id")
        q = parse_query(AttemptQuery, request.query)
        await self._service.get(campaign_id)
        zone = ZoneInfo(request.app[SETTINGS].server.timezone)
        since, until = aware(q.since, zone), aware(q.until, zone)
        filters = AttemptFilter(*q.filters(), phone=q.phone, since=since, until=until)
        page = await self._attempts.page(campaign_id, filters, q.limit, q.offset)
        attempts = [_attempt_out(row) for row in page.rows]
        return respond(
            AttemptListOut(total=page.total, limit=q.limit, offset=q.offset, attempts=attempts)
        )

    @endpoint(
        "Every attempt of a campaign as CSV (text/csv, in attempt order, numbers as stored)",
        roles=READERS,
        errors=("invalid-id", "no-such-campaign"),
        tag=TAG,
        content_type="text/csv",
    )
    async def export_attempts(self, request: web.Request) -> web.StreamResponse:
        campaign_id = path_int(request, "campaign_id")
        await self._service.get(campaign_id)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": _attachment(campaign_id),
            }
        )
        await response.prepare(request)
        await response.write(",".join(EXPORT_COLUMNS).encode() + b"\r\n")
        async for chunk in self._attempts.export(campaign_id):
            await response.write(_csv_lines(chunk))
        await response.write_eof()
        return response
