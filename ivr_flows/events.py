"""What happens to an IVR conversation, fed to the engine's `step` (a tagged union)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class LookupStatus(StrEnum):
    """How a look-up ended."""

    FOUND = "found"
    MANY = "many"  # several accounts: the caller chooses
    NOT_FOUND = "not_found"
    # the store cannot answer now (database down): the node's `unavailable` exit (issue 17)
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class CallStarted:
    """The call reached the flow; `variables` seed the session (caller, called, call id…)."""

    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallerInput:
    """What the caller gave at an input: keys, speech, both, or neither (silence)."""

    digits: str = ""
    speech: str = ""

    @property
    def silent(self) -> bool:
        """No keys and no words."""
        return not self.digits and not self.speech.strip()


@dataclass(frozen=True, slots=True)
class LookupAnswered:
    """A service's answer to a `Lookup`; `values` are merged into the session."""

    status: LookupStatus
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TicketOpened:
    """The ticket an `OpenTicket` created (or urged)."""

    number: str


@dataclass(frozen=True, slots=True)
class QueueLeft:
    """The caller left the queue: `bridged` (talked to an agent), or why not."""

    result: str


@dataclass(frozen=True, slots=True)
class HungUp:
    """The caller is gone."""


IvrEvent = CallStarted | CallerInput | LookupAnswered | TicketOpened | QueueLeft | HungUp
SILENCE = CallerInput()
