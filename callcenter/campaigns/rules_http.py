"""Thin handlers of the rules that hold across campaigns: opt-outs (`/api/opt-outs`; removal
only by an admin) and area suspensions (`/api/area-suspensions`). Every change is audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.rule_schemas import (
    OptOutIn,
    OptOutListOut,
    OptOutOut,
    PageQuery,
    SuspensionIn,
    SuspensionListOut,
    SuspensionOut,
    SuspensionQuery,
)
from callcenter.core.api import STAFF_ROLES, Role, endpoint
from callcenter.core.audit import Stamp
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import normalise_phone
from callcenter.httpkit import (
    editor_of,
    parse_body,
    parse_query,
    path_int,
    respond,
    to_model,
)
from callcenter.outages.rules import aware
from callcenter.storage.outbound_admin import SqlOptOutAdmin, SqlSuspensionAdmin
from callcenter.web.keys import SETTINGS

ADMINS = frozenset({Role.ADMIN})
TAG = "outbound rules"


class RulesHttp:
    """Opt-outs and area suspensions."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._opt_outs = SqlOptOutAdmin(engine)
        self._suspensions = SqlSuspensionAdmin(engine)
        self._clock = clock
        self._zone = ZoneInfo("UTC")

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        self._zone = ZoneInfo(app[SETTINGS].server.timezone)
        r = app.router
        r.add_get("/api/opt-outs", self.list_opt_outs)
        r.add_post("/api/opt-outs", self.add_opt_out)
        r.add_delete("/api/opt-outs/{phone}", self.remove_opt_out)
        r.add_get("/api/area-suspensions", self.list_suspensions)
        r.add_post("/api/area-suspensions", self.add_suspension)
        r.add_post("/api/area-suspensions/{suspension_id}/end", self.end_suspension)

    def _stamp(self, request: web.Request) -> Stamp:
        return Stamp(self._clock.now(), editor_of(request))

    @endpoint(
        "Opt-outs (do-not-call numbers), newest first; ?phone= looks for one number",
        roles=STAFF_ROLES,
        query=PageQuery,
        response=OptOutListOut,
        errors=("invalid-query", "invalid-number"),
        tag=TAG,
    )
    async def list_opt_outs(self, request: web.Request) -> web.Response:
        q = parse_query(PageQuery, request.query)
        phone = None if q.phone is None else normalise_phone(q.phone)
        page = await self._opt_outs.page(q.limit, q.offset, phone)
        found = [to_model(OptOutOut, o) for o in page.opt_outs]
        return respond(
            OptOutListOut(total=page.total, limit=q.limit, offset=q.offset, opt_outs=found)
        )

    @endpoint(
        "Opt a number out of every campaign at once (201; 200 when it was opted out already, "
        "keeping its first time and source)",
        roles=STAFF_ROLES,
        body=OptOutIn,
        response=OptOutOut,
        errors=("invalid-body", "invalid-number"),
        tag=TAG,
    )
    async def add_opt_out(self, request: web.Request) -> web.Response:
        body = await parse_body(OptOutIn, request)
        phone = normalise_phone(body.phone)
        opt_out, created = await self._opt_outs.add(
            phone, body.source, body.customer_id, self._stamp(request)
        )
        return respond(to_model(OptOutOut, opt_out), status=201 if created else 200)

    @endpoint(
        "Remove an opt-out (admin only; audited with what it was)",
        roles=ADMINS,
        response=OptOutOut,
        errors=("invalid-number", "no-such-opt-out"),
        tag=TAG,
    )
    async def remove_opt_out(self, request: web.Request) -> web.Response:
        phone = normalise_phone(request.match_info["phone"])
        removed = await self._opt_outs.remove(phone, self._stamp(request))
        return respond(to_model(OptOutOut, removed))

    @endpoint(
        "Area suspensions in force or to come, newest first (?all=true: ended ones too)",
        roles=STAFF_ROLES,
        query=SuspensionQuery,
        response=SuspensionListOut,
        errors=("invalid-query",),
        tag=TAG,
    )
    async def list_suspensions(self, request: web.Request) -> web.Response:
        q = parse_query(SuspensionQuery, request.query)
        found = await self._suspensions.list_suspensions(self._clock.now(), not q.all)
        return respond(SuspensionListOut(suspensions=[to_model(SuspensionOut, s) for s in found]))

    @endpoint(
        "Suspend campaign calls (bill reminders, arrears) into an area: storm mode by hand",
        roles=STAFF_ROLES,
        body=SuspensionIn,
        response=SuspensionOut,
        errors=("invalid-body", "invalid-schedule"),
        tag=TAG,
    )
    async def add_suspension(self, request: web.Request) -> web.Response:
        body = await parse_body(SuspensionIn, request)
        stamp = self._stamp(request)
        from_at = aware(body.from_at, self._zone) or stamp.at
        until = aware(body.until, self._zone)
        if until is not None and until <= from_at:
            raise InvalidInputError("until must be after from_at", code="invalid-schedule")
        area, reason = body.area.strip(), body.reason.strip()
        if not area or not reason:
            raise InvalidInputError("area and reason must not be blank", code="invalid-body")
        created = await self._suspensions.add(area, reason, from_at, until, stamp)
        return respond(to_model(SuspensionOut, created), status=201)

    @endpoint(
        "End an area suspension now",
        roles=STAFF_ROLES,
        response=SuspensionOut,
        errors=("invalid-id", "no-such-suspension", "suspension-ended"),
        tag=TAG,
    )
    async def end_suspension(self, request: web.Request) -> web.Response:
        suspension_id = path_int(request, "suspension_id")
        ended = await self._suspensions.end(suspension_id, self._stamp(request))
        return respond(to_model(SuspensionOut, ended))
