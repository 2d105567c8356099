"""The pure IVR engine: `step(flow, session, event) -> (session, commands)`.

No I/O and no clock: the adapter (Twilio, FastAGI) turns commands into speech and prompts,
the services run look-ups and create tickets, and every answer comes back as an event.

Transitions. `CallStarted` enters the flow's entry node. The engine then runs nodes that need
nothing (say, play, set, branch, subflow) until it reaches one that waits: menu, collect,
speech and survey wait for the caller; lookup and ticket wait for a service; enqueue waits for
the queue's result. A caller's input that the node cannot take — wrong keys, keys where words
are expected or words where keys are, both at once — is a try answered with the node's invalid
prompt; silence is a try answered with its no-input prompt (or goes to `on_no_input` at once).
After `retries` tries the node's `on_exhausted` exit is taken (never a hang-up unless the flow
says so). A node without `next` ends the flow: back to the calling flow after a subflow, else
a hang-up. `HungUp` finishes the session. An event the current node does not wait for changes
nothing and asks for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ivr_flows import commands as c
from ivr_flows.events import (
    CallerInput,
    CallStarted,
    HungUp,
    IvrEvent,
    LookupAnswered,
    LookupStatus,
    QueueLeft,
    TicketOpened,
)
from ivr_flows.expressions import evaluate
from ivr_flows.models import INPUT_KINDS, WAITING_KINDS, Flow, Frame, Node, NodeKind, Session

K = NodeKind
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
    commands: list[c.IvrCommand] = field(default_factory=list)

    @property
    def flow(self) -> Flow:
        return self.root if self.flow_name == self.root.name else self.subflows[self.flow_name]

    @property
    def node(self) -> Node:
        if self.node_id is None:
            raise FlowRuntimeError("no current node")
        return self.flow.nodes[self.node_id]

    def scope(self) -> dict[str, Any]:
        return self.variables | {LANGUAGE_VAR: self.language}

    def say(self, prompt: str | None) -> None:
        if prompt:
            node = self.node if self.node_id is not None else None
            spoken = node.language if node and node.kind is not K.SPEECH else None
            language = spoken or self.language
            self.commands.append(c.Say(self.flow_name, prompt, language, self.scope()))


def step(
    flow: Flow, session: Session, event: IvrEvent, subflows: Mapping[str, Flow] | None = None
) -> tuple[Session, list[c.IvrCommand]]:
    """Apply one event to a session; return the new session and what to do now."""
    if session.finished:
        return session, []
    run = _draft(flow, session, subflows)
    if isinstance(event, CallStarted):
        run.variables.update(event.variables)
        run.language = str(run.variables.get(LANGUAGE_VAR, run.language))
        run.flow_name = flow.name
        _goto(run, flow.entry)
    elif isinstance(event, HungUp):
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


def _draft(flow: Flow, session: Session, subflows: Mapping[str, Flow] | None) -> _Run:
    """A step's draft of the next session, from the session as it stands."""
    return _Run(
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
        run.commands.append(c.Hangup())
        run.finished = True
        return
    run.node_id = node_id
    run.path.append(node_id)
    run.commands.append(c.NodeEntered(run.flow_name, node_id))
    _enter(run)


def _enter(run: _Run) -> None:
    """Say a waiting node's prompt and ask for its input, or start a service's work."""
    node = run.node
    if node.kind in INPUT_KINDS:
        run.say(node.prompt)
        if node.tone:
            run.commands.append(c.Tone())
        run.commands.append(_gather(run, node))
    elif node.kind is K.LOOKUP:
        assert node.lookup is not None
        if node.var and node.lookup.value == "account":
            account = run.variables.get(node.var)
            run.commands.append(c.Lookup(node.lookup, account_no=_text(account)))
        else:
            phone, account = run.variables.get("caller"), run.variables.get("account_no")
            run.commands.append(c.Lookup(node.lookup, _text(phone), _text(account)))
    elif node.kind is K.TICKET:
        assert node.summary is not None and node.ticket_type is not None
        summary = run.flow.compiled[node.summary].render(run.scope())
        v = run.variables
        run.commands.append(
            c.OpenTicket(
                node.ticket_type,
                str(summary),
                _int(v.get("customer_id")),
                _int(v.get("account_id")),
                _int(v.get("service_point_id")),
            )
        )
    elif node.kind is K.ENQUEUE:
        assert node.queue is not None
        run.say(node.prompt)
        run.commands.append(
            c.Enqueue(
                node.queue,
                str(_value(run, node.priority, 0)),
                node.skills,
                run.language,
                _int(_value(run, node.preferred_agent, None)),
            )
        )


def _gather(run: _Run, node: Node) -> c.Gather:
    if node.kind is K.SPEECH:
        language = node.language or run.language
        return c.Gather(c.InputMode.SPEECH, node.timeout, language=language, hints=node.hints)
    if node.kind is K.COLLECT:
        return c.Gather(
            c.InputMode.DTMF,
            node.timeout,
            node.min_digits,
            node.max_digits,
            node.finish_on_key,
            run.language,
        )
    width = max((len(k) for k in node.options), default=1)
    return c.Gather(c.InputMode.DTMF, node.timeout, 1, width, "", run.language)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def _value(run: _Run, source: str | None, default: Any) -> Any:
    if source is None:
        return default
    value = evaluate(run.flow.compiled[source], run.scope())
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
        assert node.url is not None
        run.commands.append(c.Play(node.url))
        _goto(run, node.next)
    elif node.kind is K.SET:
        scope = run.scope()
        for name, source in node.assign.items():
            run.variables[name] = evaluate(run.flow.compiled[source], scope)
        run.language = str(run.variables.get(LANGUAGE_VAR, run.language))
        _goto(run, node.next)
    elif node.kind is K.BRANCH:
        scope = run.scope()
        target = next(
            (x.next for x in node.conditions if evaluate(run.flow.compiled[x.expression], scope)),
            node.next,
        )
        _goto(run, target)
    elif node.kind is K.SUBFLOW:
        assert node.flow is not None and node.next is not None
        run.stack.append(Frame(run.flow_name, node.next))
        run.flow_name = node.flow
        _goto(run, run.flow.entry)
    elif node.kind in (K.TRANSFER, K.HANGUP):
        run.say(node.prompt)
        run.commands.append(c.Transfer(node.target) if node.target else c.Hangup())
        run.finished = True


def _answer(run: _Run, event: IvrEvent) -> None:
    """Feed a caller's input or a service's answer to the node that waits for it."""
    if run.node_id is None:
        return
    node = run.node
    if isinstance(event, LookupAnswered) and node.kind is K.LOOKUP:
        run.variables.update(event.values)
        exits = {
            LookupStatus.FOUND: node.found,
            LookupStatus.MANY: node.many or node.found,
            LookupStatus.UNAVAILABLE: node.unavailable or node.not_found,
        }
        _goto(run, exits.get(event.status, node.not_found))
    elif isinstance(event, TicketOpened) and node.kind is K.TICKET:
        run.variables["ticket_number"] = event.number
        _goto(run, node.next)
    elif isinstance(event, QueueLeft) and node.kind is K.ENQUEUE:
        run.variables["queue_result"] = event.result
        _goto(run, node.next)
    elif isinstance(event, CallerInput) and node.kind in INPUT_KINDS:
        _input(run, node, event)


def _input(run: _Run, node: Node, given: CallerInput) -> None:
    if given.silent:
        if node.on_no_input:
            _goto(run, node.on_no_input)
        else:
            _retry(run, node, node.no_input_prompt)
        return
    speech = given.speech.strip()
    if node.kind is K.SPEECH:
        if given.digits or not speech:
            _retry(run, node, node.invalid_prompt or node.no_input_prompt)
            return
        run.variables[node.var or "speech"] = speech
        run.commands.append(c.InputTaken(node.id, speech=speech))
        _goto(run, node.next)
        return
    digits = given.digits
    if speech or not DTMF.fullmatch(digits):
        _retry(run, node, node.invalid_prompt)
    elif node.kind is K.MENU:
        _menu(run, node, digits)
    elif node.kind is K.SURVEY:
        _survey(run, node, digits)
    else:
        _collected(run, node, digits)


def _menu(run: _Run, node: Node, digits: str) -> None:
    target = node.options.get(digits)
    if target is None:
        _retry(run, node, node.invalid_prompt)
        return
    run.commands.append(c.InputTaken(node.id, digits=digits))
    _goto(run, target)


def _survey(run: _Run, node: Node, digits: str) -> None:
    valid = node.options or {str(n): "" for n in range(1, 6)}
    if digits not in valid:
        _retry(run, node, node.invalid_prompt)
        return
    score = int(digits) if digits.isdigit() else None
    run.variables[node.var or "survey"] = score if score is not None else digits
    run.commands.append(c.InputTaken(node.id, digits=digits, survey=score))
    _goto(run, valid.get(digits) or node.next)


def _collected(run: _Run, node: Node, digits: str) -> None:
    size_ok = node.min_digits <= len(digits) <= node.max_digits
    pattern_ok = not node.pattern or re.fullmatch(node.pattern, digits)
    valid_ok = not node.valid or evaluate(
        run.flow.compiled[node.valid], run.scope() | {"value": digits}
    )
    if not (size_ok and pattern_ok and valid_ok):
        _retry(run, node, node.invalid_prompt)
        return
    run.variables[node.var or "digits"] = digits
    shown = "*" * max(len(digits) - 4, 0) + digits[-4:] if node.mask else digits
    run.commands.append(c.InputTaken(node.id, digits=shown))
    _goto(run, node.next)


def _retry(run: _Run, node: Node, prompt: str | None) -> None:
    """Another try at the same node, or its fallback once the tries are used up."""
    attempts = run.attempts + 1
    if attempts >= node.retries:
        run.commands.append(c.InputTaken(node.id, exhausted=True))
        _goto(run, node.on_exhausted)
        return
    run.say(prompt)
    _enter(run)
    run.attempts = attempts


# Issue 17: a session rebuilt from the call record (`ivr_flows.rebuild`) asks its question again.
def ask_again(
    flow: Flow, session: Session, subflows: Mapping[str, Flow] | None = None
) -> list[c.IvrCommand]:
    """What entering the session's current node asks, asked again (its prompt and input);
    nothing when the session is finished or has no node."""
    if session.finished or session.node is None:
        return []
    run = _draft(flow, session, subflows)
    _enter(run)
    return run.commands
