"""Thin handlers of the call-record API."""

from __future__ import annotations

from aiohttp import web

from callcenter.calls.models import CallQuery, Direction
from callcenter.calls.schemas import (
    CallDetailOut,
    CallEventOut,
    CallOut,
    CallPage,
    CallsQuery,
    LinkedTicketOut,
)
from callcenter.calls.service import CallService
from callcenter.core.api import STAFF_ROLES, endpoint
from callcenter.httpkit import parse_query, respond, to_model


class CallsHttp:
    """`GET /api/calls` and `GET /api/calls/{call_id}`."""

    def __init__(self, service: CallService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/calls", self.list_calls)
        app.router.add_get("/api/calls/{call_id}", self.get_call)

    @endpoint(
        "Search call records (supervisors, operators, admins)",
        roles=STAFF_ROLES,
        query=CallsQuery,
        response=CallPage,
        errors=("invalid-query",),
        tag="calls",
    )
    async def list_calls(self, request: web.Request) -> web.Response:
        q = parse_query(CallsQuery, request.query)
        query = CallQuery(
            q.since,
            q.until,
            q.number,
            q.customer_id,
            q.agent_id,
            q.disposition,
            q.limit,
            q.offset,
            q.include_simulated,
            Direction(q.direction) if q.direction else None,
        )
        records, total = await self._service.search(query)
        items = [to_model(CallOut, r) for r in records]
        return respond(CallPage(items=items, total=total, limit=q.limit, offset=q.offset))

    @endpoint(
        "A call record with its timeline and linked tickets",
        response=CallDetailOut,
        errors=("no-such-call",),
        tag="calls",
    )
    async def get_call(self, request: web.Request) -> web.Response:
        detail = await self._service.detail(request.match_info["call_id"])
        return respond(
            CallDetailOut(
                call=to_model(CallOut, detail.record),
                events=[to_model(CallEventOut, e) for e in detail.events],
                tickets=[to_model(LinkedTicketOut, t) for t in detail.tickets],
            )
        )
