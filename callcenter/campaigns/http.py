"""Thin handlers of outbound campaigns (`/api/campaigns`): create from a type template,
preview, start, pause, resume, cancel, progress, attempts and their CSV export. `setup`
also mounts the opt-out, area-suspension, arrears and payment routes (one line in the app)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.arrears_http import ArrearsHttp
from callcenter.campaigns.attempts_http import READERS, TAG, AttemptsHttp
from callcenter.campaigns.rules_http import RulesHttp
from callcenter.campaigns.runtime import Outbound
from callcenter.campaigns.schemas import (
    DEFAULT_NAMES,
    CampaignIn,
    CampaignListOut,
    CampaignOut,
    CampaignQuery,
    CampaignStatusOut,
    PreviewIn,
    PreviewOut,
    SampleQuery,
    campaign_mode,
    campaign_type,
    gateway_kind,
    target_query,
)
from callcenter.core.api import Role, endpoint
from callcenter.core.audit import AuditEntry
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.policy import PolicyPack
from callcenter.httpkit import (
    PRINCIPAL,
    editor_of,
    parse_body,
    parse_query,
    path_int,
    respond,
    to_model,
)
from callcenter.outages.rules import aware
from callcenter.storage.attempt_list import SqlAttemptList
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.tickets.service import TicketService
from callcenter.web.keys import SETTINGS
from outbound.models import (
    CampaignRecord,
    CampaignState,
    DailyWindow,
    NewCampaign,
    TargetQueryKind,
)

OPERATORS = frozenset({Role.OPERATOR, Role.ADMIN})
Action = Callable[[int], Awaitable[CampaignRecord]]
TARGET_ERRORS = (
    "invalid-target-query",
    "csv-missing",
    "csv-empty",
    "csv-rejected",
    "no-such-outage",
    "no-such-ticket",
    "ticket-without-customer",
)
CREATE_ERRORS = (
    "invalid-body",
    "unknown-campaign-type",
    "unknown-gateway",
    "campaign-name-missing",
    "invalid-window",
    "invalid-schedule",
    *TARGET_ERRORS,
    "gateway-not-configured",
    "notice-too-late",
)
STATE_ERRORS = ("invalid-id", "no-such-campaign", "campaign-state")


def _states(text: str | None) -> list[CampaignState]:
    if not text:
        return []
    try:
        return [CampaignState(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        known = ", ".join(s.value for s in CampaignState)
        raise InvalidInputError(f"state is one or more of {known}", code="invalid-query") from None


class CampaignsHttp:
    """The campaign routes (and, through `setup`, the other outbound routes)."""

    def __init__(
        self,
        outbound: Outbound,
        tickets: TicketService,
        engine: AsyncEngine,
        pack: PolicyPack,
        clock: Clock,
        queues: Collection[str] = (),
    ) -> None:
        self._queues = queues  # the agent queues (the ACD's book: it sees changes at once)
        self._out = outbound
        self._service = outbound.campaigns
        self._targets = SqlAttemptList(engine)
        self._audit = SqlAuditWriter(engine)
        self._tickets = tickets
        self._engine = engine
        self._pack = pack
        self._clock = clock
        self._zone = ZoneInfo("UTC")

    def setup(self, app: web.Application) -> None:
        """Mount every outbound route."""
        timezone = app[SETTINGS].server.timezone
        self._zone = ZoneInfo(timezone)
        r = app.router
        r.add_get("/api/campaigns", self.list_campaigns)
        r.add_post("/api/campaigns", self.create_campaign)
        r.add_post("/api/campaigns/preview", self.preview_query)
        r.add_get("/api/campaigns/{campaign_id}", self.get_campaign)
        r.add_get("/api/campaigns/{campaign_id}/preview", self.preview_campaign)
        for verb in ("start", "pause", "resume", "cancel"):
            r.add_post(f"/api/campaigns/{{campaign_id}}/{verb}", getattr(self, f"{verb}_campaign"))
        AttemptsHttp(self._service, self._engine).setup(app)
        suspensions = self._out.stores.suspensions
        RulesHttp(self._engine, self._clock).setup(app)
        arrears = ArrearsHttp.on(
            self._engine, self._tickets, suspensions, self._pack, self._clock, timezone
        )
        arrears.setup(app)
        self._out.arrears = arrears.service  # campaign calls take their steps too

    async def _record(self, request: web.Request, campaign_id: int, action: str) -> None:
        editor = editor_of(request)
        entry = AuditEntry(self._clock.now(), editor, "campaign", str(campaign_id), action, {})
        await self._audit.write(entry)

    @endpoint(
        "Campaigns, highest priority first; ?state=running,paused",
        roles=READERS,
        query=CampaignQuery,
        response=CampaignListOut,
        errors=("invalid-query",),
        tag=TAG,
    )
    async def list_campaigns(self, request: web.Request) -> web.Response:
        query = parse_query(CampaignQuery, request.query)
        found = await self._out.stores.campaigns.list_campaigns(_states(query.state))
        return respond(CampaignListOut(campaigns=[CampaignOut.of(r) for r in found]))

    @endpoint(
        "Create a draft campaign from a type template (a CSV target's rows are checked and "
        "stored at once, all or nothing)",
        roles=OPERATORS,
        body=CampaignIn,
        response=CampaignOut,
        errors=CREATE_ERRORS,
        tag=TAG,
    )
    async def create_campaign(self, request: web.Request) -> web.Response:
        body = await parse_body(CampaignIn, request)
        new = self._new_campaign(body, request[PRINCIPAL].user_id)
        self._out.gateways.get(new.gateway)
        csv_text = self._csv_of(new, body.csv)
        if csv_text is not None:
            await self._service.preview(new.query, csv=csv_text, sample=0)
        record = await self._service.create(new)
        if csv_text is not None:
            record = await self._load_csv(record, csv_text)
        await self._record(request, record.campaign.id, "create")
        return respond(CampaignOut.of(record), status=201)

    def _new_campaign(self, body: CampaignIn, user_id: int | None) -> NewCampaign:
        kind = campaign_type(body.type)
        start, end = aware(body.start_at, self._zone), aware(body.end_at, self._zone)
        if start is not None and end is not None and end <= start:
            raise InvalidInputError("end_at must be after start_at", code="invalid-schedule")
        window = None
        if body.window is not None:
            if body.window.end <= body.window.start:
                raise InvalidInputError("window end must be after its start", code="invalid-window")
            window = DailyWindow(body.window.start, body.window.end)
        today = self._clock.now().astimezone(self._zone).date()
        name = body.name if body.name is not None else f"{DEFAULT_NAMES[kind]} {today}"
        return NewCampaign(
            name=name,
            type=kind,
            gateway=gateway_kind(body.gateway),
            query=target_query(body.target),
            created_by=user_id,
            start_at=start,
            end_at=end,
            window=window,
            priority=body.priority,
            max_attempts=body.max_attempts,
            sms=body.sms,
            mode=campaign_mode(body.mode),
            queue=self._queue(body.queue),
        )

    def _queue(self, name: str | None) -> str | None:
        if name is not None and name not in self._queues:
            raise InvalidInputError(f"no queue named {name!r}", code="no-such-queue")
        return name

    @staticmethod
    def _csv_of(new: NewCampaign, text: str | None) -> str | None:
        if new.query.kind is not TargetQueryKind.CSV:
            return None
        if not text:
            raise InvalidInputError(
                "a csv: target needs the file's text in csv", code="csv-missing"
            )
        return text

    async def _load_csv(self, record: CampaignRecord, text: str) -> CampaignRecord:
        campaign = record.campaign
        try:
            await self._out.stores.targets.build(
                campaign.id, campaign.query, self._clock.now(), text
            )
        except Exception:
            await self._service.cancel(campaign.id)  # nothing half-loaded stays runnable
            raise
        return record

    @endpoint(
        "Preview a target query: how many targets now and a sample (nothing is written)",
        roles=OPERATORS,
        body=PreviewIn,
        response=PreviewOut,
        errors=("invalid-body", *TARGET_ERRORS),
        tag=TAG,
    )
    async def preview_query(self, request: web.Request) -> web.Response:
        body = await parse_body(PreviewIn, request)
        found = await self._service.preview(
            target_query(body.target), csv=body.csv, sample=body.sample
        )
        return respond(to_model(PreviewOut, found))

    @endpoint(
        "A campaign with its progress: targets, results, refused and waiting counts",
        roles=READERS,
        response=CampaignStatusOut,
        errors=("invalid-id", "no-such-campaign"),
        tag=TAG,
    )
    async def get_campaign(self, request: web.Request) -> web.Response:
        status = await self._service.status(path_int(request, "campaign_id"))
        counts = status.counts
        return respond(
            CampaignStatusOut(
                campaign=CampaignOut.of(status.record),
                targets=counts.targets,
                results=counts.results,
                refused=counts.refused,
                waiting=counts.waiting,
            )
        )

    @endpoint(
        "Preview a campaign's targets: its stored targets once built, else its query now",
        roles=OPERATORS,
        query=SampleQuery,
        response=PreviewOut,
        errors=("invalid-id", "invalid-query", "no-such-campaign", *TARGET_ERRORS),
        tag=TAG,
    )
    async def preview_campaign(self, request: web.Request) -> web.Response:
        campaign_id = path_int(request, "campaign_id")
        sample = parse_query(SampleQuery, request.query).sample
        await self._service.get(campaign_id)
        found = await self._targets.stored_preview(campaign_id, sample)
        if found is None:
            found = await self._service.preview(campaign_id, sample=sample)
        return respond(to_model(PreviewOut, found))

    async def _act(
        self, request: web.Request, action: Action, verb: str, *, gateway: bool
    ) -> web.Response:
        """One state change: checked (the gateway, when it will dial), made, audited."""
        campaign_id = path_int(request, "campaign_id")
        if gateway:
            found = await self._service.get(campaign_id)
            self._out.gateways.get(found.campaign.gateway)
        record = await action(campaign_id)
        await self._record(request, campaign_id, verb)
        return respond(CampaignOut.of(record))

    @endpoint(
        "Start a draft: build its targets and dial (gateway must be configured)",
        roles=OPERATORS,
        response=CampaignOut,
        errors=(*STATE_ERRORS, "gateway-not-configured", *TARGET_ERRORS),
        tag=TAG,
    )
    async def start_campaign(self, request: web.Request) -> web.Response:
        return await self._act(request, self._service.start, "start", gateway=True)

    @endpoint(
        "Pause a running campaign (calls in flight finish)",
        roles=OPERATORS,
        response=CampaignOut,
        errors=STATE_ERRORS,
        tag=TAG,
    )
    async def pause_campaign(self, request: web.Request) -> web.Response:
        return await self._act(request, self._service.pause, "pause", gateway=False)

    @endpoint(
        "Resume a paused campaign",
        roles=OPERATORS,
        response=CampaignOut,
        errors=(*STATE_ERRORS, "gateway-not-configured"),
        tag=TAG,
    )
    async def resume_campaign(self, request: web.Request) -> web.Response:
        return await self._act(request, self._service.resume, "resume", gateway=True)

    @endpoint(
        "Cancel a draft, running or paused campaign: nothing more is dialled",
        roles=OPERATORS,
        response=CampaignOut,
        errors=STATE_ERRORS,
        tag=TAG,
    )
    async def cancel_campaign(self, request: web.Request) -> web.Response:
        return await self._act(request, self._service.cancel, "cancel", gateway=False)
