"""Run the engine for one telephony request: feed service answers back until the caller is
needed again, keep the session, and hand the caller-facing commands to the adapter."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ivr_flows.engine import step
from ivr_flows.models import Command, CommandKind, Event, EventKind, Flow, Session
from ivr_flows.ports import IvrServices, SessionStore

log = logging.getLogger(__name__)
C = CommandKind
MAX_SERVICE_ROUNDS = 20

Render = Callable[[Session, list[Command]], str]


class IvrService:
    """One step of a call's IVR per request; adapters render the result (TwiML, AGI)."""

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

    async def start(self, call_id: str, variables: Mapping[str, Any], render: Render) -> str:
        """A new session at the entry flow (a retried first request gets the same reply)."""
        stored = await self._store.load(call_id)
        if stored is not None and stored[0].seq > 0:
            return stored[1]
        session = Session(call_id=call_id, flow=self._entry)
        return await self._run(session, Event(EventKind.STARTED, dict(variables)), render)

    async def handle(
        self,
        call_id: str,
        event: Event,
        seq: int | None,
        render: Render,
        variables: Mapping[str, Any] | None = None,
    ) -> str:
        """Apply a caller's event; `seq` is the session seq the request answers (a retry of an
        older one gets the reply already sent). An unknown call starts afresh."""
        stored = await self._store.load(call_id)
        if stored is None:
            log.warning("no IVR session for call %s: starting it from the entry", call_id)
            return await self.start(call_id, variables or {}, render)
        session, reply = stored
        if seq is not None and seq < session.seq:
            return reply
        return await self._run(session, event, render)

    async def end(self, call_id: str) -> None:
        """The call is over: forget its session."""
        await self._store.delete(call_id)

    async def _run(self, session: Session, event: Event | None, render: Render) -> str:
        out: list[Command] = []
        records: list[Mapping[str, Any]] = []  # for the call record, written once per request
        root = self._flows[self._entry]
        for _ in range(MAX_SERVICE_ROUNDS):
            if event is None:
                break
            session, commands = step(root, session, event, self._flows)
            event = None
            for command in commands:
                event = await self._serve(session, command, out, records) or event
        if records:
            await self._services.record_steps(session.call_id, records)
        reply = render(session, out)
        await self._store.save(session, reply)
        return reply

    async def _serve(
        self,
        session: Session,
        command: Command,
        out: list[Command],
        records: list[Mapping[str, Any]],
    ) -> Event | None:
        data = command.data
        call_id = session.call_id
        if command.kind is C.RECORD_STEP:
            records.append(data)
        elif command.kind is C.LOOKUP:
            status, values = await self._services.lookup(call_id, data["lookup"], data["params"])
            record: dict[str, Any] = {"lookup": data["lookup"], "status": status}
            if status == "found" and data["lookup"] in IDENTIFYING:
                record |= {k: values.get(k) for k in ("customer_id", "account_id")}
            records.append(record)
            return Event(EventKind.LOOKUP_RESULT, {"status": status, "values": values})
        elif command.kind is C.CREATE_TICKET:
            number = await self._services.create_ticket(call_id, data)
            records.append({"ticket_number": number})
            return Event(EventKind.TICKET_CREATED, {"number": number})
        else:
            if command.kind is C.ENQUEUE:
                records.append(
                    {
                        "queued": data["queue"],
                        "priority": data["priority"],
                        "skills": data["skills"],
                        "preferred_agent": data["preferred_agent"],
                    }
                )
                await self._services.enqueue(call_id, data, session.vars)
            out.append(command)
        return None


IDENTIFYING = frozenset({"caller", "account"})
