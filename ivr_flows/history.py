"""What a call's record says its IVR did, step by step (issue 17): an IVR session lost with
Redis is rebuilt from it (`ivr_flows.rebuild`)."""

from __future__ import annotations

from dataclasses import dataclass

from ivr_flows.events import LookupStatus
from ivr_flows.models import LookupKind


@dataclass(frozen=True, slots=True)
class NodeVisited:
    """The flow entered a node (the call event `ivr_step`)."""

    flow: str
    node: str


@dataclass(frozen=True, slots=True)
class AnswerGiven:
    """What the caller gave at an input node, as recorded (`digits_received`: keys masked
    where the node masks them, or the words heard)."""

    node: str
    digits: str | None = None
    speech: str | None = None


@dataclass(frozen=True, slots=True)
class LookupDone:
    """A look-up and how it ended (`lookup_made`); `account_no`: the account it identified
    (`customer_identified`), when the record names one that still exists."""

    kind: LookupKind
    status: LookupStatus
    account_no: str | None = None


@dataclass(frozen=True, slots=True)
class TicketNumbered:
    """The ticket a ticket node opened or urged (`ticket_linked`)."""

    number: str


PastStep = NodeVisited | AnswerGiven | LookupDone | TicketNumbered


@dataclass(frozen=True, slots=True)
class IvrHistory:
    """A call's IVR steps, first to last; none when the call is unknown or its IVR never
    started; `ended` once the call is over."""

    steps: tuple[PastStep, ...] = ()
    ended: bool = False
