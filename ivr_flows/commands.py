"""What the engine asks the adapters and services to do, in order (a tagged union).

Caller-facing commands (say, tone, play, gather, enqueue, transfer, hang-up) are rendered by
the telephony adapter (TwiML, AGI); look-ups and tickets are served by the IVR service and
answered with events; the record commands go into the call record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ivr_flows.models import LookupKind, Session


class InputMode(StrEnum):
    """How a gather listens."""

    DTMF = "dtmf"
    SPEECH = "speech"


@dataclass(frozen=True, slots=True)
class Say:
    """Speak prompt `prompt` of flow `flow` in `language`, rendered with `params`."""

    flow: str
    prompt: str
    language: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tone:
    """A short beep (before recording or speech input: "after the tone")."""


@dataclass(frozen=True, slots=True)
class Play:
    """Play an audio file by URL."""

    url: str


@dataclass(frozen=True, slots=True)
class Gather:
    """Listen for the caller's answer; the prompts said just before it may be barged in."""

    mode: InputMode
    timeout: int
    min_digits: int = 1
    max_digits: int = 1
    finish_on_key: str = ""
    language: str = "zh-CN"
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lookup:
    """Ask the services (accounts, bills, outages…); answered with `LookupAnswered`."""

    kind: LookupKind
    phone: str | None = None
    account_no: str | None = None


@dataclass(frozen=True, slots=True)
class OpenTicket:
    """Open a work order for the identified caller; answered with `TicketOpened`."""

    ticket_type: str
    summary: str
    customer_id: int | None = None
    account_id: int | None = None
    service_point_id: int | None = None


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Put the caller in line for an agent; the node's part of the routing (the caller's
    own priority and account manager are added by the service from the profile)."""

    queue: str
    priority: str = "0"
    skills: tuple[str, ...] = ()
    language: str = "zh-CN"
    preferred_agent: int | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """Connect the caller to a number or address; the IVR's part ends."""

    target: str


@dataclass(frozen=True, slots=True)
class Hangup:
    """End the call."""


@dataclass(frozen=True, slots=True)
class NodeEntered:
    """For the call record: the flow entered a node."""

    flow: str
    node: str


@dataclass(frozen=True, slots=True)
class InputTaken:
    """For the call record: what the caller gave at a node (account numbers masked), or that
    the node's tries ran out."""

    node: str
    digits: str | None = None
    speech: str | None = None
    survey: int | None = None
    exhausted: bool = False


IvrCommand = (
    Say
    | Tone
    | Play
    | Gather
    | Lookup
    | OpenTicket
    | Enqueue
    | Transfer
    | Hangup
    | NodeEntered
    | InputTaken
)
CallerCommand = Say | Tone | Play | Gather | Enqueue | Transfer | Hangup
CALLER_COMMANDS = (Say, Tone, Play, Gather, Enqueue, Transfer, Hangup)


@dataclass(frozen=True, slots=True)
class LookupMade:
    """For the call record: a look-up and how it ended; who was identified by it."""

    kind: LookupKind
    status: str
    customer_id: int | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class TicketLinked:
    """For the call record: the ticket the call opened or urged."""

    number: str


@dataclass(frozen=True, slots=True)
class Queued:
    """For the call record: the caller is in line, with the routing finally used."""

    queue: str
    priority: int
    skills: tuple[str, ...] = ()
    preferred_agent: int | None = None


IvrRecord = NodeEntered | InputTaken | LookupMade | TicketLinked | Queued


class IvrState(StrEnum):
    """A call's IVR: running, done by the flow (hung up, transferred), or closed because the
    call ended."""

    ACTIVE = "active"
    FINISHED = "finished"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """`state` None: no session (never started, or expired)."""

    state: IvrState | None
    language: str
    outcome: str | None = None  # the session variable `outcome` (outbound message flows)


@dataclass(frozen=True, slots=True)
class IvrReply:
    """What the caller must hear and do now; `over` once the call's IVR has ended for good
    (the call ended, or the flow hung up): the adapter then only hangs up."""

    session: Session
    commands: list[CallerCommand] = field(default_factory=list)
    over: bool = False

    @property
    def language(self) -> str:
        """The call's language."""
        return self.session.language
