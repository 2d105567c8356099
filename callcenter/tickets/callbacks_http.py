"""`/api/tickets/{id}/callbacks` and `/api/tickets/callbacks/due`: 回访 by agents."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from callcenter.core.api import endpoint
from callcenter.httpkit import PRINCIPAL, parse_body, parse_query, path_int, respond, to_model
from callcenter.tickets import followup
from callcenter.tickets.callbacks import Callback, CallbackService
from callcenter.tickets.followup import CallbackOutcome
from callcenter.tickets.http import CHANGE_ERRORS, ticket_response
from callcenter.tickets.models import Actor, Ticket
from callcenter.tickets.schemas import TicketBase, TicketOut


class CallbackIn(BaseModel):
    """A callback's answer: satisfied and unsatisfied need a score 1-5; `resolution` is the
    closing text when satisfied (else one saying so); `call_id` links the call."""

    model_config = ConfigDict(extra="forbid")

    outcome: CallbackOutcome
    score: int | None = Field(default=None, ge=1, le=5)
    note: str | None = Field(default=None, max_length=4000)
    call_id: str | None = Field(default=None, min_length=26, max_length=26)
    resolution: str | None = Field(default=None, min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _scored(self) -> CallbackIn:
        if self.score is None and self.outcome is not CallbackOutcome.UNREACHABLE:
            raise ValueError(f"a {self.outcome} callback needs a score from 1 to 5")
        return self


class DueQuery(BaseModel):
    """A page of the callback task."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class DueCallbackOut(TicketBase):
    """A ticket awaiting its callback: unreachable callbacks so far, and whether the centre
    may close it without one more (after the pack's number of unreachable ones)."""

    unreachable_callbacks: int
    may_close: bool


class DueCallbackPage(BaseModel):
    """One page of the callback task, longest unchanged first."""

    items: list[DueCallbackOut]
    total: int
    limit: int
    offset: int


class CallbacksHttp:
    """The agent task of satisfaction callbacks (回访)."""

    def __init__(self, service: CallbackService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes (the due list before `/api/tickets/{ticket_id}` matters not:
        that pattern takes one path segment)."""
        app.router.add_get("/api/tickets/callbacks/due", self.due)
        app.router.add_post("/api/tickets/{ticket_id}/callbacks", self.record)

    def _due_out(self, ticket: Ticket) -> DueCallbackOut:
        now = self._service.tickets.now()
        base = to_model(TicketBase, ticket).model_dump() | {"overdue": ticket.is_overdue(now)}
        return DueCallbackOut.model_validate(
            base
            | {
                "unreachable_callbacks": followup.callback_state(ticket).unreachable,
                "may_close": followup.may_close(self._service.rules, ticket),
            }
        )

    @endpoint(
        "The callback task (回访): fault and complaint tickets resolved and awaiting their "
        "satisfaction callback, longest unchanged first",
        query=DueQuery,
        response=DueCallbackPage,
        errors=("invalid-query",),
        tag="tickets",
    )
    async def due(self, request: web.Request) -> web.Response:
        q = parse_query(DueQuery, request.query)
        found, total = await self._service.due(q.limit, q.offset)
        items = [self._due_out(t) for t in found]
        return respond(DueCallbackPage(items=items, total=total, limit=q.limit, offset=q.offset))

    @endpoint(
        "Record a satisfaction callback (回访): satisfied closes the ticket, unsatisfied "
        "reopens it and escalates it one level, unreachable leaves it awaiting (counted)",
        body=CallbackIn,
        response=TicketOut,
        errors=(
            *CHANGE_ERRORS, "callback-not-due", "invalid-callback", "invalid-ticket-transition",
            "invalid-milestone", "no-such-call",
        ),
        tag="tickets",
    )  # fmt: skip
    async def record(self, request: web.Request) -> web.Response:
        ticket_id = path_int(request, "ticket_id")
        body = await parse_body(CallbackIn, request)
        callback = Callback(
            body.outcome, body.score, body.note, body.call_id, resolution=body.resolution
        )
        ticket = await self._service.record(ticket_id, callback, Actor.of(request[PRINCIPAL]))
        return await ticket_response(self._service.tickets, ticket, 201)
