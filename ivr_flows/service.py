"""Run the engine for one telephony request: feed service answers back until the caller is
needed again, keep the session, and hand the caller-facing commands to the adapter.

One request at a time per call: copies of a request that arrive together (a provider's retry,
a proxy's duplicate) wait for the call's lock, see the step already applied (by its number)
and get the reply already sent. After the call ended every request gets a hang-up and changes
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ivr_flows import commands as c
from ivr_flows.commands import IvrReply, IvrState, SessionStatus
from ivr_flows.engine import step
from ivr_flows.events import CallStarted, IvrEvent, LookupAnswered, TicketOpened
from ivr_flows.models import Flow, Session
from ivr_flows.ports import IvrServices, SessionHistory, SessionStore
from ivr_flows.rebuild import SessionRebuilder

log = logging.getLogger(__name__)
MAX_SERVICE_ROUNDS = 20
IDENTIFYING = frozenset({"caller", "account"})
DEFAULT_LANGUAGE = "zh-CN"


class IvrService:
    """One step of a call's IVR per request; adapters render the reply (TwiML, AGI)."""

    _rebuilder: SessionRebuilder | None = None  # issue 17: see `use_history`

    def __init__(
        self,
        flows: Mapping[str, Flow],
        entry_flow: str,
        store: SessionStore,
        services: IvrServices,
    ) -> None:
        self._flows = flows
        self._entry = entry_flow
        self._store = store
        self._services = services

    def flow(self, name: str) -> Flow:
        """A loaded flow by name."""
        return self._flows[name]

    async def start(
        self, call_id: str, variables: Mapping[str, Any], flow: str | None = None
    ) -> IvrReply:
        """A new session at the entry flow, or at `flow` (an outbound call's message flow);
        a repeated first request gets the same reply."""
        async with self._store.lock(call_id):
            stored = await self._store.load(call_id)
            if stored is not None and stored[0].seq > 0:
                return _replay(*stored) if not stored[0].finished else _over(stored[0])
            session = Session(call_id=call_id, flow=flow or self._entry)
            return await self._run(session, CallStarted(dict(variables)), [], root=flow)

    async def handle(
        self,
        call_id: str,
        event: IvrEvent,
        seq: int | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> IvrReply:
        """Apply an event; `seq` is the step number the request answers (a copy of an
        older one gets the reply already sent). A call with no session starts afresh when
        `variables` are given (the session expired or was lost: rebuilt from the call
        record when it can be, see `use_history`), else its IVR is over."""
        async with self._store.lock(call_id):
            stored = await self._store.load(call_id)
            if stored is None:
                if variables is None:
                    return _over(Session(call_id, self._entry, finished=True))
                rebuilt = await self._rebuild(call_id, seq, variables)  # issue 17
                if rebuilt is not None:
                    return rebuilt
                log.warning("no IVR session for call %s: starting it from the entry", call_id)
                session = Session(call_id=call_id, flow=self._entry)
                return await self._run(session, CallStarted(dict(variables)), [])
            session, reply = stored
            if seq is not None and seq < session.seq:
                return _replay(session, reply)
            if session.finished:
                return _over(session)
            return await self._run(session, event, reply)

    def use_history(self, history: SessionHistory) -> None:
        """Issue 17: rebuild a lost session from the call record (`ivr_flows.rebuild`)."""
        self._rebuilder = SessionRebuilder(self._flows, self._entry, history, self._services)

    async def _rebuild(
        self, call_id: str, seq: int | None, variables: Mapping[str, Any]
    ) -> IvrReply | None:
        """The lost session rebuilt, stored, and its question asked again; None when the
        record has nothing to rebuild it from."""
        if self._rebuilder is None:
            return None
        rebuilt = await self._rebuilder.rebuild(call_id, seq, variables)
        if rebuilt is None:
            return None
        await self._store.save(*rebuilt)
        return _replay(*rebuilt)

    async def status(self, call_id: str) -> SessionStatus:
        """Where the call's IVR stands, and its language (zh-CN when unknown)."""
        stored = await self._store.load(call_id)
        if stored is None:
            return SessionStatus(None, DEFAULT_LANGUAGE)
        session = stored[0]
        state = (
            IvrState.CLOSED
            if session.closed
            else IvrState.FINISHED
            if session.finished
            else IvrState.ACTIVE
        )
        outcome = session.vars.get("outcome")
        return SessionStatus(state, session.language, None if outcome is None else str(outcome))

    async def end(self, call_id: str) -> None:
        """The call is over: its session is closed, and later requests only hang up."""
        async with self._store.lock(call_id):
            stored = await self._store.load(call_id)
            session = stored[0] if stored else Session(call_id=call_id, flow=self._entry)
            if not session.closed:
                closed = replace(session, finished=True, closed=True, seq=session.seq + 1)
                await self._store.save(closed, [c.Hangup()])

    async def _run(
        self,
        session: Session,
        event: IvrEvent | None,
        previous: list[c.CallerCommand],
        root: str | None = None,
    ) -> IvrReply:
        out: list[c.CallerCommand] = []
        records: list[c.IvrRecord] = []  # for the call record, written once per request
        top = self._flows[root or self._entry]
        for _ in range(MAX_SERVICE_ROUNDS):
            if event is None:
                break
            session, commands = step(top, session, event, self._flows)
            event = None
            for command in commands:
                event = await self._serve(session, command, out, records) or event
        if records:
            await self._services.record(session.call_id, records)
        if not out and not session.finished and previous:
            out = previous  # nothing new for the caller: the same question again
        await self._store.save(session, out)
        return IvrReply(session, out, over=session.finished and not _acts(out))

    async def _serve(
        self,
        session: Session,
        command: c.IvrCommand,
        out: list[c.CallerCommand],
        records: list[c.IvrRecord],
    ) -> IvrEvent | None:
        call_id = session.call_id
        if isinstance(command, c.NodeEntered | c.InputTaken):
            records.append(command)
        elif isinstance(command, c.Lookup):
            answer = await self._services.lookup(call_id, command)
            identified = answer.status == "found" and command.kind.value in IDENTIFYING
            records.append(
                c.LookupMade(
                    command.kind,
                    answer.status.value,
                    _id(answer, "customer_id") if identified else None,
                    _id(answer, "account_id") if identified else None,
                )
            )
            return answer
        elif isinstance(command, c.OpenTicket):
            number = await self._services.open_ticket(call_id, command)
            records.append(c.TicketLinked(number))
            return TicketOpened(number)
        else:
            if isinstance(command, c.Enqueue):
                queued = await self._services.enqueue(call_id, command, session.vars)
                if queued is not None:
                    records.append(queued)
            out.append(command)
        return None


def _id(answer: LookupAnswered, key: str) -> int | None:
    value = answer.values.get(key)
    return int(value) if value is not None else None


def _acts(commands: list[c.CallerCommand]) -> bool:
    """Whether a reply still does something for the caller before it hangs up."""
    return any(not isinstance(cmd, c.Hangup) for cmd in commands)


def _replay(session: Session, reply: list[c.CallerCommand]) -> IvrReply:
    """The reply already sent, to a copy of the request that asked for it."""
    return IvrReply(session, reply, over=session.finished and not _acts(reply))


def _over(session: Session) -> IvrReply:
    return IvrReply(session, [c.Hangup()], over=True)
