"""The desk's campaign side: dispositions of campaign calls
(`/api/campaigns/attempts/{key}/disposition`), the campaign block of outbound pops, and the
follow-up of promises to pay (`DeskCampaigns.promises.follow_up(now)`), over the SQL stores."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.api import Role, endpoint
from callcenter.core.clock import Clock
from callcenter.core.errors import CallcenterError
from callcenter.core.policy import PolicyPack
from callcenter.httpkit import editor_of, parse_body, respond
from callcenter.outages.rules import aware
from callcenter.storage.arrears_accounts import SqlAccountFacts
from callcenter.storage.campaigns import SqlOptOuts
from callcenter.storage.dispositions import SqlAttemptFacts, SqlDispositionStore
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.storage.promises import SqlFollowUps, SqlPromiseStore
from outbound.arrears_calls import ArrearsSteps
from outbound.campaign_pop import CampaignPops
from outbound.desk.models import DispositionRecord
from outbound.disposition_service import DispositionDeps, DispositionService
from outbound.dispositions import DispositionRequest, promise_max_days
from outbound.promises import PromiseDeps, PromiseService

log = logging.getLogger(__name__)
TAG = "campaigns"
RECORDERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
READERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})
RECORD_ERRORS = (
    "invalid-body",
    "no-such-attempt",
    "invalid-disposition",
    "promise-date-out-of-range",
    "promise-amount-invalid",
    "call-back-out-of-range",
    "not-your-call",
    "disposition-exists",
)


class DispositionIn(BaseModel):
    """A campaign call's outcome: `promise-to-pay` (promise_date, amount), `already-paid`,
    `wrong-number`, `refused`, `call-back` (call_back_at, local time when it has no
    offset)."""

    model_config = ConfigDict(extra="forbid")

    disposition: str = Field(max_length=32)
    promise_date: date | None = None
    amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    call_back_at: datetime | None = None
    note: str = Field(default="", max_length=2000)


class DispositionOut(BaseModel):
    """A recorded disposition and what it did."""

    attempt: str
    disposition: str
    promise_date: date | None
    amount: Decimal | None
    call_back_at: datetime | None
    note: str
    agent_id: int | None
    by_role: str
    by_user: int | None
    created_at: datetime
    call_id: str | None
    promise_id: int | None
    cancelled: int
    call_back_attempt: int | None

    @classmethod
    def of(cls, r: DispositionRecord) -> DispositionOut:
        """The API view of a stored disposition."""
        d = r.disposition
        return cls(
            attempt=r.attempt,
            disposition=d.kind.value,
            promise_date=d.promise_date,
            amount=d.amount,
            call_back_at=d.call_back_at,
            note=d.note,
            agent_id=r.agent_id,
            by_role=r.by_role,
            by_user=r.by_user,
            created_at=r.created_at,
            call_id=r.call_id,
            promise_id=r.promise_id,
            cancelled=r.cancelled,
            call_back_attempt=r.call_back_attempt,
        )


class DispositionViewOut(BaseModel):
    """An attempt's disposition (null: none recorded yet)."""

    attempt: str
    disposition: DispositionOut | None


class CallRecordNotes:
    """`outbound.desk.ports.CallNotes` on the call service."""

    def __init__(self, calls: CallService) -> None:
        self._calls = calls

    async def note(self, call_id: str, data: Mapping[str, Any]) -> None:
        try:
            await self._calls.record(call_id, CallEventType.NOTE_ADDED, dict(data))
        except CallcenterError as err:  # the disposition is stored; the note is extra
            log.warning("call %s: disposition note not recorded: %s", call_id, err.message)


class DeskCampaigns:
    """Dispositions, outbound pops and promise follow-ups on one database."""

    def __init__(
        self,
        engine: AsyncEngine,
        calls: CallService,
        steps: Callable[[], ArrearsSteps | None],
        pack: PolicyPack,
        clock: Clock,
        timezone: str,
    ) -> None:
        self._zone = ZoneInfo(timezone)
        self._steps = steps
        attempts = SqlAttemptFacts(engine)
        facts = SqlAccountFacts(engine, timezone)
        audit = SqlAuditWriter(engine)
        self.pops = CampaignPops(attempts)
        self._deps = DispositionDeps(
            attempts,
            SqlDispositionStore(engine),
            SqlOptOuts(engine),
            facts,
            CallRecordNotes(calls),
            audit,
        )
        self._clock = clock
        self._timezone = timezone
        self._days = promise_max_days(pack.extra)
        follow = PromiseDeps(SqlPromiseStore(engine), facts, SqlFollowUps(engine), audit)
        self.promises = PromiseService(follow, clock, timezone)

    @property
    def dispositions(self) -> DispositionService:
        """The use case, with the arrears steps as the app has them now."""
        deps = replace(self._deps, steps=self._steps())
        return DispositionService(deps, self._clock, self._timezone, self._days)

    async def campaign_pop(self, attempt_key: str) -> dict[str, Any]:
        """The campaign block of an attempt's pop (preview records show it before dialing)."""
        return await self.pops.campaign_pop(attempt_key)

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        path = "/api/campaigns/attempts/{key}/disposition"
        app.router.add_post(path, self.record_disposition)
        app.router.add_get(path, self.get_disposition)

    @endpoint(
        "Record the outcome of a campaign call, once per attempt: promise-to-pay "
        "(promise_date within the pack's limit, amount up to what is due; pauses the arrears "
        "sequence), already-paid, wrong-number (never dialled again), refused, call-back "
        "(call_back_at, before the campaign's end); by the agent who had the call, a "
        "supervisor or an admin",
        roles=RECORDERS,
        body=DispositionIn,
        response=DispositionOut,
        errors=RECORD_ERRORS,
        tag=TAG,
    )
    async def record_disposition(self, request: web.Request) -> web.Response:
        body = await parse_body(DispositionIn, request)
        wanted = DispositionRequest(
            body.disposition,
            body.promise_date,
            body.amount,
            aware(body.call_back_at, self._zone),
            body.note,
        )
        editor = editor_of(request)
        record = await self.dispositions.record(request.match_info["key"], wanted, editor)
        return respond(DispositionOut.of(record), status=201)

    @endpoint(
        "A campaign attempt's disposition (null: none recorded yet)",
        roles=READERS,
        response=DispositionViewOut,
        errors=("no-such-attempt",),
        tag=TAG,
    )
    async def get_disposition(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        record = await self.dispositions.get(key)
        return respond(
            DispositionViewOut(
                attempt=key, disposition=None if record is None else DispositionOut.of(record)
            )
        )
