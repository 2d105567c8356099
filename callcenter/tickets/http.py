"""Thin handlers of the ticket API."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.api import endpoint
from callcenter.httpkit import PRINCIPAL, parse_body, path_int, respond, to_model
from callcenter.tickets.models import NewTicket
from callcenter.tickets.schemas import TicketIn, TicketOut
from callcenter.tickets.service import TicketService


class TicketsHttp:
    """`POST /api/tickets` and `GET /api/tickets/{ticket_id}`."""

    def __init__(self, service: TicketService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_post("/api/tickets", self.create)
        app.router.add_get("/api/tickets/{ticket_id}", self.get)

    @endpoint(
        "Open a ticket (work order)",
        body=TicketIn,
        response=TicketOut,
        errors=("invalid-body", "invalid-ticket", "no-such-call"),
        tag="tickets",
    )
    async def create(self, request: web.Request) -> web.Response:
        body = await parse_body(TicketIn, request)
        ticket = await self._service.open(
            NewTicket(
                type=body.type,
                summary=body.summary,
                created_by=request[PRINCIPAL].name,
                subtype=body.subtype,
                priority=body.priority,
                customer_id=body.customer_id,
                account_id=body.account_id,
                service_point_id=body.service_point_id,
                call_id=body.call_id,
            )
        )
        return respond(to_model(TicketOut, ticket), status=201)

    @endpoint(
        "A ticket with its history and linked calls",
        response=TicketOut,
        errors=("invalid-id", "no-such-ticket"),
        tag="tickets",
    )
    async def get(self, request: web.Request) -> web.Response:
        ticket = await self._service.get(path_int(request, "ticket_id"))
        return respond(to_model(TicketOut, ticket))
