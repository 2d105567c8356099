"""The pure IVR engine: `step(flow, session, event) -> (session, commands)`.

No I/O and no clock: the adapter (Twilio, FastAGI) turns commands into speech and prompts,
the services run look-ups and create tickets, and every answer comes back as an event.

Transitions. `started` enters the flow's entry node. The engine then runs nodes that need
nothing (say, play, set, branch, subflow) until it reaches one that waits: menu, collect,
speech and survey wait for the caller (digits, speech or no input); lookup and ticket wait for
a service; enqueue waits for the queue's result. Invalid or missing input is answered with the
node's invalid/no-input prompt and the node again, up to `retries` times, then the node's
`on_exhausted` exit (never a hang-up unless the flow says so). A node without `next` ends the
flow: back to the calling flow after a subflow, else a hang-up. `hung_up` finishes the session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ivr_flows.expressions import evaluate
from ivr_flows.models import (
    INPUT_KINDS,
    WAITING_KINDS,
    Command,
    CommandKind,
    Event,
    EventKind,
    Flow,
    Frame,
    Node,
    NodeKind,
    Session,
)

K = NodeKind
C = CommandKind
MAX_SILENT_STEPS = 200
DTMF = re.compile(r"[0-9*#]+")
LANGUAGE_VAR = "lang"


class FlowRuntimeError(RuntimeError):
    """A flow that cannot continue (the loader's checks should make this unreachable)."""


@dataclass
class _Run:
    """The work of one `step`: a local, mutable draft of the next session."""

    root: Flow
    subflows: Mapping[str, Flow]
    flow_name: str
    node_id: str | None
    language: str
    variables: dict[str, Any]
    attempts: int
    stack: list[Frame]
    path: list[str]
    finished: bool
    commands: list[Command] = field(default_factory=list)

    @property
    def flow(self) -> Flow:
        return self.root if self.flow_name == self.root.name else self.subflows[self.flow_name]

    @property
    def node(self) -> Node:
        if self.node_id is None:
            raise FlowRuntimeError("no current node")
        return self.flow.nodes[self.node_id]

    def emit(self, kind: CommandKind, **data: Any) -> None:
        self.commands.append(Command(kind, data))

    def say(self, prompt: str | None) -> None:
        if prompt:
            self.emit(
                C.SAY,
                flow=self.flow_name,
                prompt=prompt,
                language=self.language,
                params=dict(self.variables),
            )


def step(
    flow: Flow, session: Session, event: Event, subflows: Mapping[str, Flow] | None = None
) -> tuple[Session, list[Command]]:
    """Apply one event to a session; return the new session and what to do now."""
    run = _Run(
        flow,
        subflows or {},
        session.flow,
        session.node,
        session.language,
        dict(session.vars),
        session.attempts,
        list(session.stack),
        list(session.path),
        session.finished,
    )
    if session.finished:
        return session, []
    if event.kind is EventKind.STARTED:
        run.variables.update(event.data)
        run.language = str(run.variables.get(LANGUAGE_VAR, run.language))
        run.flow_name = flow.name
        _goto(run, flow.entry)
    elif event.kind is EventKind.HUNG_UP:
        run.finished = True
    else:
        _answer(run, event)
    _advance(run)
    new = replace(
        session,
        flow=run.flow_name,
        node=run.node_id,
        language=run.language,
        vars=run.variables,
        attempts=run.attempts,
        stack=tuple(run.stack),
        path=tuple(run.path),
        finished=run.finished,
        seq=session.seq + 1,
    )
    return new, run.commands


def _goto(run: _Run, node_id: str | None) -> None:
    """Move to `node_id` (None: the end of the current flow) and enter it."""
    run.attempts = 0
    if node_id is None:
        if run.stack:
            frame = run.stack.pop()
            run.flow_name = frame.flow
            _goto(run, frame.node)
            return
        run.node_id = None
        run.emit(C.HANGUP)
        run.finished = True
        return
    run.node_id = node_id
    run.path.append(node_id)
    run.emit(C.RECORD_STEP, node=node_id, flow=run.flow_name)
    _enter(run)


def _enter(run: _Run) -> None:
    """Say a waiting node's prompt and ask for its input, or start a silent node's work."""
    node = run.node
    if node.kind in (K.MENU, K.SURVEY):
        run.say(node.prompt)
        width = max((len(k) for k in node.options), default=1)
        run.emit(
            C.GATHER,
            input="dtmf",
            min_digits=1,
            max_digits=width,
            timeout=node.timeout,
            finish_on_key="",
        )
    elif node.kind is K.COLLECT:
        run.say(node.prompt)
        run.emit(
            C.GATHER,
            input="dtmf",
            min_digits=node.min_digits,
            max_digits=node.max_digits,
            timeout=node.timeout,
            finish_on_key=node.finish_on_key,
        )
    elif node.kind is K.SPEECH:
        run.say(node.prompt)
        run.emit(
            C.GATHER,
            input="speech",
            language=node.language or run.language,
            timeout=node.timeout,
            hints=list(node.hints),
        )
    elif node.kind is K.LOOKUP:
        run.emit(C.LOOKUP, lookup=str(node.lookup), params=_lookup_params(run, node))
    elif node.kind is K.TICKET:
        assert node.summary is not None
        summary = run.flow.compiled[node.summary].render(
            run.variables | {LANGUAGE_VAR: run.language}
        )
        run.emit(
            C.CREATE_TICKET,
            ticket_type=node.ticket_type,
            summary=summary,
            account_no=run.variables.get("account_no"),
            customer_id=run.variables.get("customer_id"),
            service_point_id=run.variables.get("service_point_id"),
            account_id=run.variables.get("account_id"),
        )
    elif node.kind is K.ENQUEUE:
        run.say(node.prompt)
        run.emit(
            C.ENQUEUE,
            queue=node.queue,
            priority=_value(run, node.priority, 0),
            skills=list(node.skills),
            language=run.language,
            preferred_agent=_value(run, node.preferred_agent, None),
        )


def _lookup_params(run: _Run, node: Node) -> dict[str, Any]:
    if node.var and node.lookup is not None and node.lookup.value == "account":
        return {"account_no": run.variables.get(node.var)}
    return {"phone": run.variables.get("caller"), "account_no": run.variables.get("account_no")}


def _value(run: _Run, source: str | None, default: Any) -> Any:
    if source is None:
        return default
    value = evaluate(run.flow.compiled[source], run.variables | {LANGUAGE_VAR: run.language})
    return default if value is None else value


def _advance(run: _Run) -> None:
    """Run silent nodes until one waits or the session ends."""
    for _ in range(MAX_SILENT_STEPS):
        if run.finished or run.node_id is None or run.node.kind in WAITING_KINDS:
            return
        _silent(run, run.node)
    raise FlowRuntimeError(f"{run.flow_name}: more than {MAX_SILENT_STEPS} steps without input")


def _silent(run: _Run, node: Node) -> None:
    if node.kind is K.SAY:
        run.say(node.prompt)
        _goto(run, node.next)
    elif node.kind is K.PLAY:
        run.emit(C.PLAY, url=node.url)
        _goto(run, node.next)
    elif node.kind is K.SET:
        scope = run.variables | {LANGUAGE_VAR: run.language}
        for name, source in node.assign.items():
            run.variables[name] = evaluate(run.flow.compiled[source], scope)
        run.language = str(run.variables.get(LANGUAGE_VAR, run.language))
        _goto(run, node.next)
    elif node.kind is K.BRANCH:
        scope = run.variables | {LANGUAGE_VAR: run.language}
        target = next(
            (c.next for c in node.conditions if evaluate(run.flow.compiled[c.expression], scope)),
            node.next,
        )
        _goto(run, target)
    elif node.kind is K.SUBFLOW:
        assert node.flow is not None and node.next is not None
        run.stack.append(Frame(run.flow_name, node.next))
        run.flow_name = node.flow
        _goto(run, run.flow.entry)
    elif node.kind is K.TRANSFER:
        run.say(node.prompt)
        run.emit(C.TRANSFER, target=node.target)
        run.finished = True
    elif node.kind is K.HANGUP:
        run.say(node.prompt)
        run.emit(C.HANGUP)
        run.finished = True


def _answer(run: _Run, event: Event) -> None:
    """Feed a caller's input or a service's answer to the waiting node."""
    if run.node_id is None:
        return
    node = run.node
    kind = event.kind
    if kind is EventKind.LOOKUP_RESULT and node.kind is K.LOOKUP:
        _lookup_answer(run, node, event.data)
    elif kind is EventKind.TICKET_CREATED and node.kind is K.TICKET:
        run.variables["ticket_number"] = event.data.get("number")
        _goto(run, node.next)
    elif kind is EventKind.QUEUE_RESULT and node.kind is K.ENQUEUE:
        run.variables["queue_result"] = event.data.get("result")
        _goto(run, node.next)
    elif kind is EventKind.NO_INPUT and node.kind in INPUT_KINDS:
        _retry(run, node, node.no_input_prompt)
    elif kind is EventKind.DIGITS and node.kind in INPUT_KINDS:
        _digits(run, node, str(event.data.get("digits", "")))
    elif kind is EventKind.SPEECH and node.kind is K.SPEECH:
        text = str(event.data.get("text", "")).strip()
        if not text:
            _retry(run, node, node.no_input_prompt)
            return
        run.variables[node.var or "speech"] = text
        run.emit(C.RECORD_STEP, node=node.id, speech=text)
        _goto(run, node.next)


def _digits(run: _Run, node: Node, digits: str) -> None:
    if not digits:
        _retry(run, node, node.no_input_prompt)
        return
    if not DTMF.fullmatch(digits):
        _retry(run, node, node.invalid_prompt)
        return
    if node.kind is K.MENU:
        target = node.options.get(digits)
        if target is None:
            _retry(run, node, node.invalid_prompt)
            return
        run.emit(C.RECORD_STEP, node=node.id, digits=digits)
        _goto(run, target)
    elif node.kind is K.SURVEY:
        valid = node.options or {str(n): "" for n in range(1, 6)}
        if digits not in valid:
            _retry(run, node, node.invalid_prompt)
            return
        run.variables[node.var or "survey"] = int(digits) if digits.isdigit() else digits
        run.emit(C.RECORD_STEP, node=node.id, digits=digits, survey=digits)
        _goto(run, valid.get(digits) or node.next)
    elif node.kind is K.COLLECT:
        _collected(run, node, digits)
    else:
        run.variables[node.var or "speech"] = digits
        _goto(run, node.next)


def _collected(run: _Run, node: Node, digits: str) -> None:
    size_ok = node.min_digits <= len(digits) <= node.max_digits
    if not size_ok or (node.pattern and not re.fullmatch(node.pattern, digits)):
        _retry(run, node, node.invalid_prompt)
        return
    run.variables[node.var or "digits"] = digits
    shown = "*" * max(len(digits) - 4, 0) + digits[-4:] if node.mask else digits
    run.emit(C.RECORD_STEP, node=node.id, digits=shown)
    _goto(run, node.next)


def _retry(run: _Run, node: Node, prompt: str | None) -> None:
    """Another try at the same node, or its fallback once the tries are used up."""
    attempts = run.attempts + 1
    if attempts >= node.retries:
        run.emit(C.RECORD_STEP, node=node.id, exhausted=True)
        _goto(run, node.on_exhausted)
        return
    run.say(prompt)
    _enter(run)
    run.attempts = attempts


def _lookup_answer(run: _Run, node: Node, data: Mapping[str, Any]) -> None:
    status = str(data.get("status", "not_found"))
    run.variables.update(data.get("values", {}))
    target = {"found": node.found, "many": node.many or node.found}.get(status, node.not_found)
    _goto(run, target)
