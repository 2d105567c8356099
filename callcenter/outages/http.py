"""Thin handlers of outage administration (`/api/outages`)."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.api import Role, endpoint
from callcenter.httpkit import editor_of, parse_body, parse_query, path_int, respond, to_model
from callcenter.outages.models import NewOutage, OutageChanges
from callcenter.outages.rules import aware
from callcenter.outages.schemas import (
    OutageIn,
    OutageListOut,
    OutageOut,
    OutagePatchIn,
    OutageQuery,
)
from callcenter.outages.service import OutageService

OPERATORS = frozenset({Role.OPERATOR, Role.ADMIN})
READERS = frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})
WRITE_ERRORS = (
    "invalid-body",
    "empty-area",
    "empty-cause",
    "etr-before-start",
    "no-such-feeder",
    "no-such-service-point",
)


class OutagesHttp:
    """The outage routes."""

    def __init__(self, outages: OutageService) -> None:
        self._outages = outages

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/outages", self.search_outages)
        app.router.add_post("/api/outages", self.create_outage)
        app.router.add_get("/api/outages/{outage_id}", self.get_outage)
        app.router.add_patch("/api/outages/{outage_id}", self.update_outage)

    @endpoint(
        "Outages, newest start first; ?status=active,scheduled or open",
        roles=READERS,
        query=OutageQuery,
        response=OutageListOut,
        errors=("invalid-query",),
        tag="outages",
    )
    async def search_outages(self, request: web.Request) -> web.Response:
        query = parse_query(OutageQuery, request.query)
        found = await self._outages.search(query.status)
        return respond(OutageListOut(outages=[to_model(OutageOut, o) for o in found]))

    @endpoint(
        "Declare an outage on feeders and/or service points (IVR and profile at once)",
        roles=OPERATORS,
        body=OutageIn,
        response=OutageOut,
        errors=(*WRITE_ERRORS, "no-outage-scope"),
        tag="outages",
    )
    async def create_outage(self, request: web.Request) -> web.Response:
        body = await parse_body(OutageIn, request)
        zone = self._outages.zone
        start = aware(body.start_at, zone)
        assert start is not None
        new = NewOutage(
            body.kind,
            body.area,
            body.cause,
            start,
            aware(body.estimated_restoration_at, zone),
            tuple(body.feeders),
            tuple(body.service_points),
        )
        outage = await self._outages.create(new, editor_of(request))
        return respond(to_model(OutageOut, outage), status=201)

    @endpoint(
        "An outage", roles=READERS, response=OutageOut, errors=("no-such-outage",), tag="outages"
    )
    async def get_outage(self, request: web.Request) -> web.Response:
        outage = await self._outages.get(path_int(request, "outage_id"))
        return respond(to_model(OutageOut, outage))

    @endpoint(
        'Update the area, cause or ETR, or close: {"status": "restored"} (restored_at '
        'optional, default now) or {"status": "cancelled"}',
        roles=OPERATORS,
        body=OutagePatchIn,
        response=OutageOut,
        errors=(
            *WRITE_ERRORS,
            "invalid-id",
            "no-such-outage",
            "outage-closed",
            "invalid-outage-status",
            "invalid-restored-at",
        ),
        tag="outages",
    )
    async def update_outage(self, request: web.Request) -> web.Response:
        outage_id = path_int(request, "outage_id")
        body = await parse_body(OutagePatchIn, request)
        zone = self._outages.zone
        changes = OutageChanges(
            area=body.area,
            cause=body.cause,
            estimated_restoration_at=aware(body.estimated_restoration_at, zone),
            status=body.status,
            restored_at=aware(body.restored_at, zone),
        )
        outage = await self._outages.update(outage_id, changes, editor_of(request))
        return respond(to_model(OutageOut, outage))
