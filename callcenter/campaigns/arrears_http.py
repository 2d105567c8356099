"""Thin handlers of the arrears procedure (`/api/arrears/{account_id}`) and of payments
(`/api/accounts/{account_id}/payments`), over `outbound.arrears_service.ArrearsService`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.reconnection import TicketReconnections
from callcenter.campaigns.rule_schemas import (
    ArrearsOut,
    ArrearsStepIn,
    PaymentIn,
    PaymentOut,
    PaymentRecordOut,
    TicketRefOut,
)
from callcenter.core.api import STAFF_ROLES, endpoint
from callcenter.core.clock import Clock
from callcenter.core.policy import PolicyPack
from callcenter.httpkit import editor_of, parse_body, path_int, respond, to_model
from callcenter.outages.rules import aware
from callcenter.storage.arrears import SqlArrearsStore
from callcenter.storage.arrears_accounts import SqlAccountFacts, SqlPaymentLedger
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.tickets.service import TicketService
from outbound.arrears_service import ArrearsDeps, ArrearsService
from outbound.ports import AreaSuspensions

TAG = "arrears"
STEP_ERRORS = (
    "invalid-id",
    "invalid-body",
    "no-such-account",
    "no-arrears",
    "cut-at-missing",
    "arrears-step-not-allowed",
    "arrears-sequence-closed",
    "arrears-approval-role",
    "area-suspended",
    "holiday",
    "vulnerable",
    "disputed-bill",
    "arrears-changed",
)
PAYMENT_ERRORS = (
    "invalid-id",
    "invalid-body",
    "invalid-amount",
    "paid-at-in-future",
    "no-such-account",
    "arrears-changed",
)


class ArrearsHttp:
    """Arrears sequences and payments."""

    def __init__(self, service: ArrearsService, zone: ZoneInfo) -> None:
        self.service = service
        self._service = service
        self._zone = zone

    @classmethod
    def on(
        cls,
        engine: AsyncEngine,
        tickets: TicketService,
        suspensions: AreaSuspensions,
        pack: PolicyPack,
        clock: Clock,
        timezone: str,
    ) -> ArrearsHttp:
        """The routes over the SQL stores and the ticket service."""
        deps = ArrearsDeps(
            store=SqlArrearsStore(engine),
            facts=SqlAccountFacts(engine, timezone),
            suspensions=suspensions,
            payments=SqlPaymentLedger(engine, timezone),
            reconnections=TicketReconnections(tickets),
            audit=SqlAuditWriter(engine),
        )
        service = ArrearsService(deps, pack.outbound, clock, timezone)
        return cls(service, ZoneInfo(timezone))

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/arrears/{account_id}", self.get_arrears)
        app.router.add_post("/api/arrears/{account_id}/steps", self.take_step)
        app.router.add_post("/api/accounts/{account_id}/payments", self.record_payment)

    @endpoint(
        "An account's place in the arrears procedure, with its history (step null: none)",
        roles=STAFF_ROLES,
        response=ArrearsOut,
        errors=("invalid-id", "no-such-account"),
        tag=TAG,
    )
    async def get_arrears(self, request: web.Request) -> web.Response:
        view = await self._service.view(path_int(request, "account_id"))
        return respond(ArrearsOut.of(view))

    @endpoint(
        "Take a step: reminded, approved (by the role the customer class requires: the "
        "pack's approver roles; important users: company level), notice-delivered "
        "(cut_at 3-7 days ahead), re-notified, executable (at the notified time), withdrawn",
        roles=STAFF_ROLES,
        body=ArrearsStepIn,
        response=ArrearsOut,
        errors=STEP_ERRORS,
        tag=TAG,
    )
    async def take_step(self, request: web.Request) -> web.Response:
        account_id = path_int(request, "account_id")
        body = await parse_body(ArrearsStepIn, request)
        await self._service.step(
            account_id,
            body.step,
            editor_of(request),
            cut_at=aware(body.cut_at, self._zone),
            note=body.note,
        )
        return respond(ArrearsOut.of(await self._service.view(account_id)))

    @endpoint(
        "Record a payment: settles unpaid bills (oldest first) and stops an open arrears "
        "sequence; paid after the cut, a reconnection ticket due within 24 h is opened",
        roles=STAFF_ROLES,
        body=PaymentIn,
        response=PaymentOut,
        errors=PAYMENT_ERRORS,
        tag=TAG,
    )
    async def record_payment(self, request: web.Request) -> web.Response:
        account_id = path_int(request, "account_id")
        body = await parse_body(PaymentIn, request)
        outcome = await self._service.pay(
            account_id, body.amount, editor_of(request), aware(body.paid_at, self._zone)
        )
        ticket = outcome.ticket
        return respond(
            PaymentOut(
                payment=to_model(PaymentRecordOut, outcome.payment),
                arrears=ArrearsOut.of(await self._service.view(account_id)),
                reconnection_ticket=None if ticket is None else to_model(TicketRefOut, ticket),
            ),
            status=201,
        )
