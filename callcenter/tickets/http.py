"""Thin handlers of the ticket API."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from callcenter.core.api import endpoint
from callcenter.httpkit import PRINCIPAL, parse_body, parse_query, path_int, respond, to_model
from callcenter.tickets.deadlines import TicketDeadlines
from callcenter.tickets.models import Actor, NewTicket, Ticket, TicketQuery, TicketSort
from callcenter.tickets.schemas import (
    CallLinkIn,
    CloseIn,
    CommentIn,
    MilestoneIn,
    MilestoneOut,
    StepOut,
    TicketBase,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketsQuery,
)
from callcenter.tickets.service import TicketService

CHANGE_ERRORS = ("invalid-id", "invalid-body", "no-such-ticket", "ticket-changed")


def ticket_out(
    ticket: Ticket, now: datetime, found: TicketDeadlines, attached: bool = False
) -> TicketOut:
    """The API's view of a ticket: overdue or not, each deadline (step) with its level, and
    each fault milestone's deadline."""
    reached = ticket.milestone_times()
    milestones = [
        MilestoneOut(milestone=m, due_at=due, at=reached.get(m))
        for m, due in found.milestones.items()
    ]
    steps = [
        StepOut(
            step=s.name,
            due_at=s.due_at,
            reached_at=s.reached_at,
            state=s.state,
            started=s.clock is not None,
            calendar_missing=s.calendar_missing,
        )
        for s in found.steps
    ]
    base = to_model(TicketBase, ticket).model_dump()
    return TicketOut.model_validate(
        base
        | {
            "overdue": ticket.is_overdue(now),
            "events": list(ticket.events),
            "call_ids": list(ticket.call_ids),
            "milestones": milestones,
            "deadlines": steps,
            "sla_paused": found.paused,
            "calendar_missing": found.calendar_missing,
            "attached": attached,
        },
        from_attributes=True,
    )


async def ticket_response(
    service: TicketService, ticket: Ticket, status: int = 200, attached: bool = False
) -> web.Response:
    """The answer of a route that gives back one ticket, with its deadlines now."""
    found = await service.deadlines(ticket)
    return respond(ticket_out(ticket, service.now(), found, attached), status=status)


class TicketsHttp:
    """`/api/tickets`: open, list and search, read, change, comment, link a call, close,
    fault milestones."""

    def __init__(self, service: TicketService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_post("/api/tickets", self.create)
        app.router.add_get("/api/tickets", self.list_tickets)
        app.router.add_get("/api/tickets/{ticket_id}", self.get)
        app.router.add_patch("/api/tickets/{ticket_id}", self.update)
        app.router.add_post("/api/tickets/{ticket_id}/comments", self.comment)
        app.router.add_post("/api/tickets/{ticket_id}/calls", self.attach_call)
        app.router.add_post("/api/tickets/{ticket_id}/close", self.close)
        app.router.add_post("/api/tickets/{ticket_id}/milestones", self.milestone)

    async def _out(self, ticket: Ticket, status: int = 200, attached: bool = False) -> web.Response:
        return await ticket_response(self._service, ticket, status, attached)

    @endpoint(
        "Open a ticket (work order); a repeat fault report for a service point with an open "
        "fault ticket is attached to it (200, `attached: true`)",
        body=TicketIn,
        response=TicketOut,
        errors=("invalid-body", "invalid-ticket", "no-such-call"),
        tag="tickets",
    )
    async def create(self, request: web.Request) -> web.Response:
        body = await parse_body(TicketIn, request)
        principal = request[PRINCIPAL]
        opened = await self._service.report(
            NewTicket(
                type=body.type,
                summary=body.summary,
                created_by=principal.name,
                subtype=body.subtype,
                priority=body.priority,
                customer_id=body.customer_id,
                account_id=body.account_id,
                service_point_id=body.service_point_id,
                call_id=body.call_id,
                channel=body.channel,
                area=body.area,
                actor=Actor.of(principal),
                area_class=body.area_class,
                customer_class=body.customer_class,
            )
        )
        status = 200 if opened.attached else 201
        return await self._out(opened.ticket, status, opened.attached)

    @endpoint(
        "List and search tickets: filters, sort (overdue first by default), pages",
        query=TicketsQuery,
        response=TicketPage,
        errors=("invalid-query",),
        tag="tickets",
    )
    async def list_tickets(self, request: web.Request) -> web.Response:
        q = parse_query(TicketsQuery, request.query)
        now = self._service.now()
        query = TicketQuery(
            now, q.statuses(), q.ticket_type(), q.customer_id, q.account_id, q.area,
            q.assignee_user_id, q.assignee_team, q.overdue, q.text, q.created_from,
            q.created_to, TicketSort(q.sort), q.limit, q.offset,
        )  # fmt: skip
        found, total = await self._service.search(query)
        items = [
            TicketBase.model_validate(
                to_model(TicketBase, t).model_dump() | {"overdue": t.is_overdue(now)}
            )
            for t in found
        ]
        return respond(TicketPage(items=items, total=total, limit=q.limit, offset=q.offset))

    @endpoint(
        "A ticket with its history, linked calls and milestones",
        response=TicketOut,
        errors=("invalid-id", "no-such-ticket"),
        tag="tickets",
    )
    async def get(self, request: web.Request) -> web.Response:
        return await self._out(await self._service.get(path_int(request, "ticket_id")))

    @endpoint(
        "Change a ticket's status (per its type) and/or assign it to a person or a team",
        body=TicketPatch,
        response=TicketOut,
        errors=(
            *CHANGE_ERRORS,
            "invalid-ticket-transition",
            "resolution-required",
            "ticket-closed",
        ),
        tag="tickets",
    )
    async def update(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(TicketPatch, request)
        actor = Actor.of(request[PRINCIPAL])
        assignee = body.assignee(await self._service.get(ticket_id))
        ticket = await self._service.update(ticket_id, actor, body.status, body.note, assignee)
        return await self._out(ticket)

    @endpoint(
        "Comment on a ticket",
        body=CommentIn,
        response=TicketOut,
        errors=(*CHANGE_ERRORS, "invalid-comment"),
        tag="tickets",
    )
    async def comment(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(CommentIn, request)
        ticket = await self._service.comment(ticket_id, body.text, Actor.of(request[PRINCIPAL]))
        return await self._out(ticket, 201)

    @endpoint(
        "Link a call to a ticket",
        body=CallLinkIn,
        response=TicketOut,
        errors=(*CHANGE_ERRORS, "no-such-call"),
        tag="tickets",
    )
    async def attach_call(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(CallLinkIn, request)
        actor = Actor.of(request[PRINCIPAL])
        return await self._out(await self._service.attach_call(ticket_id, body.call_id, actor), 201)

    @endpoint(
        "Close a ticket with its resolution (a fault repair records its closed milestone)",
        body=CloseIn,
        response=TicketOut,
        errors=(
            *CHANGE_ERRORS, "invalid-ticket-transition", "invalid-milestone",
            "callback-required",  # 回访 (callbacks): a fault or complaint before its callback
        ),
        tag="tickets",
    )  # fmt: skip
    async def close(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(CloseIn, request)
        actor = Actor.of(request[PRINCIPAL])
        return await self._out(await self._service.close(ticket_id, body.resolution, actor), 201)

    @endpoint(
        "Record a fault repair's next milestone (accepted, dispatched, departed, arrived, "
        "restored; in order only)",
        body=MilestoneIn,
        response=TicketOut,
        errors=(
            *CHANGE_ERRORS, "invalid-milestone", "invalid-milestone-time",
            "invalid-ticket-transition", "resolution-required",
        ),
        tag="tickets",
    )  # fmt: skip
    async def milestone(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(MilestoneIn, request)
        actor = Actor.of(request[PRINCIPAL])
        ticket = await self._service.record_milestone(ticket_id, body.milestone, actor, body.at)
        return await self._out(ticket, 201)
