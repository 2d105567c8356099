"""Wiring of 回访 (issue 15): the pack's callback rules on the ticket service (closing needs
the callback), the callback service over SQL, and its routes."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.policy import PolicyPack
from callcenter.storage.ticket_callbacks import SqlDueCallbacks
from callcenter.tickets.callbacks import CallbackService
from callcenter.tickets.callbacks_http import CallbacksHttp
from callcenter.web.keys import ENGINE, TICKETS


def setup_ticket_callbacks(app: web.Application, pack: PolicyPack) -> CallbackService:
    """Give the ticket service the pack's callback rules and mount the callback routes."""
    tickets = app[TICKETS]
    tickets.followup_rules = pack.tickets
    service = CallbackService(tickets, SqlDueCallbacks(app[ENGINE]), pack.tickets)
    CallbacksHttp(service).setup(app)
    return service
