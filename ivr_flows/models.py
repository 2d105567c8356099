"""Flow, node, session, event and command types of the IVR (all immutable, JSON-friendly)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class NodeKind(StrEnum):
    """What a node does."""

    SAY = "say"
    PLAY = "play"
    MENU = "menu"
    COLLECT = "collect"
    SPEECH = "speech"
    LOOKUP = "lookup"
    BRANCH = "branch"
    SET = "set"
    TICKET = "ticket"
    ENQUEUE = "enqueue"
    TRANSFER = "transfer"
    SUBFLOW = "subflow"
    SURVEY = "survey"
    HANGUP = "hangup"


# Nodes that stop the engine until the caller or a service answers.
WAITING_KINDS = frozenset(
    {
        NodeKind.MENU,
        NodeKind.COLLECT,
        NodeKind.SPEECH,
        NodeKind.LOOKUP,
        NodeKind.TICKET,
        NodeKind.SURVEY,
        NodeKind.ENQUEUE,
    }
)
# Nodes that wait for the caller's input.
INPUT_KINDS = frozenset({NodeKind.MENU, NodeKind.COLLECT, NodeKind.SPEECH, NodeKind.SURVEY})
# Nodes that end the IVR's part of the call.
FINAL_KINDS = frozenset({NodeKind.HANGUP, NodeKind.ENQUEUE, NodeKind.TRANSFER})


class LookupKind(StrEnum):
    """What a lookup node asks the services for."""

    CALLER = "caller"  # accounts registered to the caller's number
    ACCOUNT = "account"  # an account number keyed by the caller
    BILL = "bill"  # balance, arrears and late fee of the chosen account
    OUTAGE = "outage"  # active outage at the chosen account's service point
    TICKETS = "tickets"  # open tickets of the chosen account
    NOTIFY_RESTORE = "notify_restore"  # register the caller for a power-restored message


@dataclass(frozen=True, slots=True)
class Condition:
    """`if` (a Jinja2 expression over the session variables) and where to go when true."""

    expression: str
    next: str


@dataclass(frozen=True, slots=True)
class Node:
    """One step of a flow; which fields matter depends on `kind`."""

    id: str
    kind: NodeKind
    prompt: str | None = None
    next: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)  # menu/survey: key -> node
    assign: Mapping[str, str] = field(default_factory=dict)  # set: var -> expression
    conditions: tuple[Condition, ...] = ()
    var: str | None = None
    timeout: int = 5
    retries: int = 3
    invalid_prompt: str | None = None
    no_input_prompt: str | None = None
    on_exhausted: str | None = None  # after `retries` invalid or empty answers
    on_no_input: str | None = None  # silence goes here at once (an optional menu)
    min_digits: int = 1
    max_digits: int = 1
    finish_on_key: str = ""
    pattern: str | None = None  # collect: a regular expression the digits must match
    valid: str | None = None  # collect: an expression over the session and `value`
    mask: bool = False  # collect: record the digits masked (account numbers)
    lookup: LookupKind | None = None
    found: str | None = None
    many: str | None = None
    not_found: str | None = None
    unavailable: str | None = None  # lookup: the store cannot answer (else `not_found`)
    queue: str | None = None
    priority: str | None = None  # expression
    skills: tuple[str, ...] = ()
    preferred_agent: str | None = None  # expression
    target: str | None = None
    flow: str | None = None
    ticket_type: str | None = None
    summary: str | None = None  # template
    language: str | None = None  # speech: what is listened for; others: spoken in
    url: str | None = None
    hints: tuple[str, ...] = ()
    tone: bool = False  # speech, collect: a beep after the prompt ("after the tone")

    def exits(self) -> list[str]:
        """Every node this one can move to."""
        targets = [self.next, self.on_exhausted, self.on_no_input, self.found, self.many]
        targets += [self.not_found, self.unavailable]
        targets += list(self.options.values()) + [c.next for c in self.conditions]
        return [t for t in targets if t]


@dataclass(frozen=True, slots=True)
class Flow:
    """A validated flow: prompts per language and nodes by id."""

    name: str
    entry: str
    languages: tuple[str, ...]
    prompts: Mapping[str, Mapping[str, str]]  # key -> language -> template
    nodes: Mapping[str, Node]
    source: str = ""
    # Compiled branch/set/priority expressions and ticket-summary templates, by source text.
    compiled: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Frame:
    """Where to return after a subflow."""

    flow: str
    node: str


@dataclass(frozen=True, slots=True)
class Session:
    """An IVR conversation's state; serialisable, rebuilt by `step` on every event."""

    call_id: str
    flow: str
    node: str | None = None
    language: str = "zh-CN"
    vars: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 0
    stack: tuple[Frame, ...] = ()
    path: tuple[str, ...] = ()
    finished: bool = False  # the flow is done (hung up, transferred) or the call ended
    seq: int = 0  # events applied; an adapter compares it to drop a retried request
    closed: bool = False  # the call ended: every later request only hangs up
