"""Issue 17: an IVR session lost with Redis (or expired) rebuilt from the call record.

The record's steps are walked again: the nodes entered (with the return points of
subflows), the caller's recorded answers at collect and speech nodes (not the masked ones),
the tickets that ticket nodes opened, the look-ups — an identifying one by the account it
found, the others for the account found so far, each done again for today's values, except
`notify_restore` (done once, never again) — and the `set` nodes' assignments, which brings
back the language chosen. The session then stands at the last node entered, which must wait
for the caller, and asks its question again: the request's answer was given to a question
whose context was lost with the session. A rebuilt session has the variable `rebuilt`, and
the record gets `ivr_rebuilt`.

Nothing is rebuilt (the caller starts from the entry, as before) when the record has no IVR
step, when the session did not start at the entry flow (an outbound message flow, whose
variables came from the dialer), when a node recorded is not in the flows any more, or when
the last node does not wait for the caller. A call whose record is over only hangs up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivr_flows import commands as c
from ivr_flows.engine import LANGUAGE_VAR, ask_again
from ivr_flows.events import LookupAnswered, LookupStatus
from ivr_flows.expressions import evaluate
from ivr_flows.history import AnswerGiven, LookupDone, NodeVisited, PastStep, TicketNumbered
from ivr_flows.models import INPUT_KINDS, Flow, Frame, LookupKind, Node, NodeKind, Session
from ivr_flows.ports import IvrServices, SessionHistory

log = logging.getLogger(__name__)
K = NodeKind
REBUILT_VAR = "rebuilt"
DEFAULT_LANGUAGE = "zh-CN"
IDENTIFYING = frozenset({LookupKind.CALLER, LookupKind.ACCOUNT})
Replayed = NodeVisited | AnswerGiven | TicketNumbered | LookupAnswered
Rebuilt = tuple[Session, list[c.CallerCommand]]


class SessionRebuilder:
    """Rebuilds a call's lost session from its history, looking up again through the IVR's
    services what the flow looked up."""

    def __init__(
        self,
        flows: Mapping[str, Flow],
        entry: str,
        history: SessionHistory,
        services: IvrServices,
    ) -> None:
        self._flows = flows
        self._entry = entry
        self._history = history
        self._services = services

    async def rebuild(
        self, call_id: str, seq: int | None, variables: Mapping[str, Any]
    ) -> Rebuilt | None:
        """The rebuilt session and the question to ask again; a closed session that only
        hangs up when the call is over; None when there is nothing to rebuild from."""
        history = await self._history.last_steps(call_id)
        after = (seq or 0) + 1
        if history.ended:
            closed = Session(call_id, self._entry, finished=True, closed=True, seq=after)
            return closed, [c.Hangup()]
        first = next((s for s in history.steps if isinstance(s, NodeVisited)), None)
        if first is None or first.flow != self._entry:
            return None
        steps = await self._redo(call_id, history.steps, variables)
        replayed = replay(self._flows, call_id, steps, variables, after)
        if replayed is None:
            log.warning("call %s: its IVR record leads to no question of the flows", call_id)
            return None
        session, commands = replayed
        await self._history.record_rebuilt(call_id, session)
        log.warning(
            "no IVR session for call %s: rebuilt from its record at %s/%s, asked again",
            call_id,
            session.flow,
            session.node,
        )
        return session, [x for x in commands if isinstance(x, c.CALLER_COMMANDS)]

    async def _redo(
        self, call_id: str, steps: Sequence[PastStep], variables: Mapping[str, Any]
    ) -> list[Replayed]:
        """The steps with each look-up done again (in order: a bill is the account's found
        before it)."""
        caller = str(variables.get("caller") or "")
        account_no: str | None = None
        done: list[Replayed] = []
        for past in steps:
            if not isinstance(past, LookupDone):
                done.append(past)
                continue
            command = redo_command(past, caller, account_no)
            if command is None:
                done.append(LookupAnswered(past.status))
                continue
            answer = await self._services.lookup(call_id, command)
            found = answer.values.get("account_no")
            account_no = str(found) if found else account_no
            done.append(answer)
        return done


def redo_command(past: LookupDone, caller: str, account_no: str | None) -> c.Lookup | None:
    """The look-up to do again for a recorded one (None: keep only its status)."""
    if past.kind is LookupKind.NOTIFY_RESTORE or past.status is LookupStatus.NOT_FOUND:
        return None
    if past.kind in IDENTIFYING:
        if past.status is LookupStatus.FOUND and past.account_no:
            return c.Lookup(LookupKind.ACCOUNT, account_no=past.account_no)
        return c.Lookup(LookupKind.CALLER, caller) if past.kind is LookupKind.CALLER else None
    return c.Lookup(past.kind, caller, account_no) if account_no else None


def replay(
    flows: Mapping[str, Flow],
    call_id: str,
    steps: Sequence[Replayed],
    variables: Mapping[str, Any],
    seq: int,
) -> tuple[Session, list[c.IvrCommand]] | None:
    """The session the steps lead to, at step `seq`, and its question asked again; None
    when they do not fit the flows or end where the caller is not asked anything."""
    walk = _Walk(flows, dict(variables))
    walk.language = str(walk.variables.get(LANGUAGE_VAR, DEFAULT_LANGUAGE))
    if not all(walk.take(past) for past in steps):
        return None
    if walk.node is None or walk.node.kind not in INPUT_KINDS:
        return None
    session = Session(
        call_id,
        walk.flow,
        walk.node.id,
        walk.language,
        walk.variables | {REBUILT_VAR: True},
        stack=tuple(walk.stack),
        path=tuple(walk.path),
        seq=seq,
    )
    return session, ask_again(flows[walk.root], session, flows)


@dataclass
class _Walk:
    """The session as the steps so far make it."""

    flows: Mapping[str, Flow]
    variables: dict[str, Any]
    language: str = DEFAULT_LANGUAGE
    root: str = ""
    flow: str = ""
    node: Node | None = None
    stack: list[Frame] = field(default_factory=list)
    path: list[str] = field(default_factory=list)

    def take(self, past: Replayed) -> bool:
        """Apply one step; False when it does not fit the flows."""
        if isinstance(past, NodeVisited):
            return self._visit(past)
        if isinstance(past, AnswerGiven):
            self._answered(past)
        elif isinstance(past, TicketNumbered):
            if self.node is not None and self.node.kind is K.TICKET:
                self.variables["ticket_number"] = past.number
        else:
            self.variables.update(past.values)
        return True

    def _visit(self, past: NodeVisited) -> bool:
        if not self.root:
            self.root = self.flow = past.flow
        elif not self._moved(past.flow):
            return False
        flow = self.flows.get(past.flow)
        node = flow.nodes.get(past.node) if flow is not None else None
        if flow is None or node is None:
            return False
        self.node = node
        self.path.append(node.id)
        if node.kind is K.SET:
            scope = self.variables | {LANGUAGE_VAR: self.language}
            for name, source in node.assign.items():
                self.variables[name] = evaluate(flow.compiled[source], scope)
            self.language = str(self.variables.get(LANGUAGE_VAR, self.language))
        return True

    def _moved(self, flow: str) -> bool:
        """Into `flow`: the same one, a subflow the last node called, or back to a flow
        waiting on the stack."""
        last = self.node
        if last is not None and last.kind is K.SUBFLOW and last.flow == flow and last.next:
            self.stack.append(Frame(self.flow, last.next))
        elif flow != self.flow:
            while self.stack and self.stack[-1].flow != flow:
                self.stack.pop()
            if not self.stack:
                return False
            self.stack.pop()
        self.flow = flow
        return True

    def _answered(self, past: AnswerGiven) -> None:
        node = self.node
        if node is None or node.id != past.node:
            return
        if node.kind is K.COLLECT and past.digits and not node.mask:
            self.variables[node.var or "digits"] = past.digits
        elif node.kind is K.SPEECH and past.speech:
            self.variables[node.var or "speech"] = past.speech
