"""Thin handlers of the operations console: the page (`/ops`), the gate's dry run over a
target query (`POST /api/campaigns/preview-gate`), a campaign's progress chart
(`GET /api/campaigns/{id}/progress.svg`) and the arrears sequences waiting for approval
(`GET /api/arrears-approvals`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from agents.desk import PAGE_LANGUAGES, page_language
from callcenter.campaigns.attempts_http import READERS, TAG
from callcenter.campaigns.console.chart import progress_svg
from callcenter.campaigns.console.schemas import (
    ApprovalQuery,
    AwaitingApprovalListOut,
    AwaitingApprovalOut,
    ChartQuery,
    PreviewGateIn,
    PreviewGateOut,
)
from callcenter.campaigns.http import OPERATORS, TARGET_ERRORS
from callcenter.campaigns.schemas import CandidateOut, campaign_type, target_query
from callcenter.core.api import STAFF_ROLES, endpoint
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.httpkit import parse_body, parse_query, path_int, respond, to_model
from callcenter.storage.campaign_progress import SqlCampaignProgress
from outbound.campaigns import CampaignService
from outbound.models import DailyWindow
from outbound.preview_gate import GatePreview

HERE = Path(__file__).parent
PAGE_ROLES = sorted(r.value for r in STAFF_ROLES)


class ConsoleHttp:
    """The console's page and its read-only routes."""

    def __init__(
        self,
        service: CampaignService,
        gate: GatePreview,
        progress: SqlCampaignProgress,
        clock: Clock,
        timezone: str,
    ) -> None:
        self._service = service
        self._gate = gate
        self._progress = progress
        self._clock = clock
        self._timezone = timezone
        self._pages = jinja2.Environment(
            # the console's page extends the desk's base page (sign-in, language switch)
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(HERE / "templates"), jinja2.PackageLoader("agents")]
            ),
            autoescape=jinja2.select_autoescape(default=True),
        )

    def setup(self, app: web.Application) -> None:
        """Mount the page, its static files and the routes."""
        r = app.router
        r.add_get("/ops", self.page)
        r.add_static("/static/ops/", HERE / "static")
        r.add_post("/api/campaigns/preview-gate", self.preview_gate)
        r.add_get("/api/campaigns/{campaign_id}/progress.svg", self.progress_chart)
        r.add_get("/api/arrears-approvals", self.awaiting_approval)

    async def page(self, request: web.Request) -> web.Response:
        bootstrap: dict[str, Any] = {
            "timezone": self._timezone,
            "languages": list(PAGE_LANGUAGES),
            "language": page_language(request.headers.get("Accept-Language", "")),
            "roles": PAGE_ROLES,
            "check_limit": self._gate.limit,
        }
        html = self._pages.get_template("ops.html").render(bootstrap=bootstrap)
        return web.Response(text=html, content_type="text/html")

    @endpoint(
        "Preview a target query for a campaign type: count, sample, and the refusals the "
        "compliance gate would make now among the first 1000 candidates, by reason (a dry "
        "run: nothing is written)",
        roles=OPERATORS,
        body=PreviewGateIn,
        response=PreviewGateOut,
        errors=("invalid-body", "unknown-campaign-type", "invalid-window", *TARGET_ERRORS),
        tag=TAG,
    )
    async def preview_gate(self, request: web.Request) -> web.Response:
        body = await parse_body(PreviewGateIn, request)
        kind = campaign_type(body.type)
        window = None
        if body.window is not None:
            if body.window.end <= body.window.start:
                raise InvalidInputError("window end must be after its start", code="invalid-window")
            window = DailyWindow(body.window.start, body.window.end)
        run = await self._gate.run(
            kind, target_query(body.target), csv=body.csv, sample=body.sample, window=window
        )
        return respond(
            PreviewGateOut(
                count=run.count,
                sample=[to_model(CandidateOut, c) for c in run.sample],
                checked=run.checked,
                limit=self._gate.limit,
                refusals=run.refusals,
            )
        )

    @endpoint(
        "A campaign's progress chart (image/svg+xml): attempts finished per minute by "
        "result over the last `minutes`, times in the server's time zone",
        roles=READERS,
        query=ChartQuery,
        errors=("invalid-id", "invalid-query", "no-such-campaign"),
        tag=TAG,
        content_type="image/svg+xml",
    )
    async def progress_chart(self, request: web.Request) -> web.Response:
        campaign_id = path_int(request, "campaign_id")
        q = parse_query(ChartQuery, request.query)
        await self._service.get(campaign_id)
        now = self._clock.now().astimezone(UTC).replace(second=0, microsecond=0)
        start = now - timedelta(minutes=q.minutes - 1)
        buckets: dict[Any, dict[str, int]] = defaultdict(dict)
        for row in await self._progress.by_minute(campaign_id, start):
            buckets[row.minute][row.result] = row.count
        svg = progress_svg(buckets, start, q.minutes, ZoneInfo(self._timezone), q.lang)
        return web.Response(
            text=svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"}
        )

    @endpoint(
        "Arrears sequences waiting for approval of the disconnection (step reminded), the "
        "longest overdue first; approve or withdraw them with POST /api/arrears/{id}/steps",
        roles=STAFF_ROLES,
        query=ApprovalQuery,
        response=AwaitingApprovalListOut,
        errors=("invalid-query",),
        tag=TAG,
    )
    async def awaiting_approval(self, request: web.Request) -> web.Response:
        q = parse_query(ApprovalQuery, request.query)
        found = await self._progress.awaiting_approval(q.limit)
        sequences = [to_model(AwaitingApprovalOut, s) for s in found]
        return respond(AwaitingApprovalListOut(sequences=sequences))
