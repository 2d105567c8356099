"""Issue 17: what a call's record says its IVR did (`ivr_flows.ports.SessionHistory`), read
from the call service's events, so that a session lost with Redis can be rebuilt.

The events are those `callcenter.callflow.ivr` writes: `ivr_step` {node, flow},
`digits_received` {node, digits | speech}, `ticket_linked` {number}, and `lookup_made`
{lookup, status} followed by `customer_identified` {customer_id, account_id} when it
identified the caller (the account's number is read back by its id: the keyed digits are
recorded masked). A record that cannot be read (no such call, the database unreachable) is
an empty history: the caller starts from the entry.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.models import CallEvent, CallEventType, CallRecord
from callcenter.calls.service import CallDetail, CallService
from callcenter.core.errors import NotFoundError
from callcenter.storage.account_numbers import SqlAccountNumbers
from callcenter.storage.journal import database_unavailable
from ivr_flows import history as h
from ivr_flows.events import LookupStatus
from ivr_flows.models import LookupKind, Session

log = logging.getLogger(__name__)
E = CallEventType


class CallTimelines(Protocol):
    """What the history reads and writes through (`CallService`)."""

    async def detail(self, call_id: str) -> CallDetail:
        """The record with its events."""

    async def record_many(
        self, call_id: str, events: list[tuple[CallEventType, dict[str, Any]]]
    ) -> CallRecord:
        """Append events."""


class AccountNumbers(Protocol):
    """An account's number by its id (`callcenter.storage.account_numbers`)."""

    async def number_of(self, account_id: int) -> str | None:
        """None when no account has that id."""


class CallIvrHistory:
    """Implements `ivr_flows.ports.SessionHistory` over the call service."""

    def __init__(self, calls: CallTimelines, accounts: AccountNumbers) -> None:
        self._calls = calls
        self._accounts = accounts

    async def last_steps(self, call_id: str) -> h.IvrHistory:
        try:
            detail = await self._calls.detail(call_id)
        except Exception as err:
            if not _unreadable(err):
                raise
            log.warning("call %s: no IVR history to rebuild from (%s)", call_id, type(err).__name__)
            return h.IvrHistory()
        if detail.record.is_over:
            return h.IvrHistory(ended=True)
        steps: list[h.PastStep] = []
        for event in detail.events:
            if event.type is E.CUSTOMER_IDENTIFIED:
                await self._identified(steps, event.data)
            else:
                step = _step(event)
                if step is not None:
                    steps.append(step)
        return h.IvrHistory(tuple(steps))

    async def _identified(self, steps: list[h.PastStep], data: dict[str, Any]) -> None:
        """The look-up just before named the caller's account: its number, by its id."""
        last = steps[-1] if steps else None
        account_id = data.get("account_id")
        if not isinstance(last, h.LookupDone) or not isinstance(account_id, int):
            return  # identified otherwise (a campaign's target)
        number = await self._accounts.number_of(account_id)
        steps[-1] = h.LookupDone(last.kind, last.status, number)

    async def record_rebuilt(self, call_id: str, session: Session) -> None:
        data = {"flow": session.flow, "node": session.node, "language": session.language}
        await self._calls.record_many(call_id, [(E.IVR_REBUILT, data)])


def _unreadable(err: Exception) -> bool:
    """No such call, or the database cannot be reached now."""
    return isinstance(err, NotFoundError) or database_unavailable(err)


def _step(event: CallEvent) -> h.PastStep | None:
    """The IVR step an event records, if it records one."""
    data = event.data
    if event.type is E.IVR_STEP:
        return h.NodeVisited(str(data.get("flow") or ""), str(data.get("node") or ""))
    if event.type is E.DIGITS_RECEIVED:
        return h.AnswerGiven(str(data.get("node") or ""), data.get("digits"), data.get("speech"))
    if event.type is E.TICKET_LINKED and data.get("number"):
        return h.TicketNumbered(str(data["number"]))
    if event.type is E.LOOKUP_MADE:
        try:
            kind, status = LookupKind(str(data["lookup"])), LookupStatus(str(data["status"]))
        except (KeyError, ValueError):
            return None
        return h.LookupDone(kind, status)
    return None


def sql_ivr_history(calls: CallService, engine: AsyncEngine) -> CallIvrHistory:
    """The history over the call service and the SQL accounts (wired by `callcenter.app`)."""
    return CallIvrHistory(calls, SqlAccountNumbers(engine))
