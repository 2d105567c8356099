"""Wiring of 回访 (issue 15): the pack's callback rules on the ticket service (closing needs
the callback), the callback service over SQL, its routes, and the results of
satisfaction-callback campaign calls recorded on their tickets."""

from __future__ import annotations

from aiohttp import web

from callcenter.campaigns.ticket_callbacks import CallbackResults
from callcenter.core.policy import PolicyPack
from callcenter.storage.ticket_callbacks import SqlDueCallbacks
from callcenter.tickets.callbacks import CallbackService
from callcenter.tickets.callbacks_http import CallbacksHttp
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND, TICKETS


def setup_ticket_callbacks(app: web.Application, pack: PolicyPack) -> CallbackService:
    """Mount the callback routes, and put `CallbackResults` before the outbound events
    (call after `setup_webhooks`); the ticket service has the pack's rules already."""
    tickets = app[TICKETS]
    service = CallbackService(tickets, SqlDueCallbacks(app[ENGINE]), pack.tickets)
    CallbacksHttp(service).setup(app)
    if OUTBOUND in app:
        outbound = app[OUTBOUND]
        outbound.events = CallbackResults(outbound.events, outbound, app[CALLS], service)
    return service
