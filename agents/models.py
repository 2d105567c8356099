"""Agents, queues and waiting calls as the router sees them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any


class AgentState(StrEnum):
    """Where an agent is; `reserved` means a call is being offered."""

    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


class NotReadyReason(StrEnum):
    """Reason codes for not-ready, as supervisors report them."""

    BREAK = "break"
    MEAL = "meal"
    TRAINING = "training"
    AFTER_CALL = "after-call"
    NO_ANSWER = "no-answer"
    SYSTEM = "system"
    DEVICE = "device"  # the desk's softphone is not ready (set by the system only)
    DESK_GONE = "desk-gone"  # issue 17: ready, but the desk went away (the reconciler)


class Priority(IntEnum):
    """Routing priority, most urgent first (lower value routes first)."""

    HAZARD = 0
    IMPORTANT = 1  # important user / big customer
    VULNERABLE = 2
    NORMAL = 3

    @classmethod
    def parse(cls, value: str | int) -> Priority:
        """From a flow's `priority`: a name ("hazard") or a score (100 hazard, 80 important
        user / big customer, 60 vulnerable, below that normal)."""
        text = str(value).strip()
        if text.lstrip("-").isdigit():
            score = int(text)
            for floor, priority in ((100, cls.HAZARD), (80, cls.IMPORTANT), (60, cls.VULNERABLE)):
                if score >= floor:
                    return priority
            return cls.NORMAL
        return cls[text.upper()]


class MaxWaitAction(StrEnum):
    """What happens to a caller who has waited longer than the queue's maximum wait."""

    CALLBACK = "callback"  # offered a callback that keeps the place
    OVERFLOW = "overflow"  # moved to the overflow queue (else general), same place in time
    END = "end"  # a polite goodbye, then the call ends


DEFAULT_RETENTION_DAYS = 365  # issue 16 (recordings): see QueueConfig
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """A queue's service rules."""

    name: str
    service_level_seconds: int = 20  # answered within T s counts towards the service level
    service_level_goal: float = 0.8
    wrap_up_seconds: int = 30
    max_wait_seconds: int = 600
    overflow_after_seconds: int | None = None
    overflow_queue: str | None = None  # None with an overflow time: widen the skills instead
    callback_offer_seconds: int | None = 120  # estimated wait above this: offer a callback
    short_abandon_seconds: int = 5
    max_wait_action: MaxWaitAction = MaxWaitAction.CALLBACK
    # issue 16 (recordings): a 95598 centre records every service call (quality checks, the
    # evidence for complaints and appeals) and keeps it a year (assumed: complaints are
    # answered in working days, but appeals to the regulator and the yearly service audit
    # reach back months); a site under longer rules sets more, per queue.
    record_calls: bool = True
    recording_retention_days: int = DEFAULT_RETENTION_DAYS


@dataclass(frozen=True, slots=True)
class WaitingCall:
    """A call in a queue."""

    call_id: str
    queue: str
    priority: Priority
    enqueued_ms: int
    skills: tuple[str, ...] = ()
    language: str = "zh-CN"
    preferred_agent: int | None = None
    preferred_wait_seconds: int = 0  # how long the call waits for its preferred agent
    simulated: bool = False  # `callcenter ivr simulate`: routed, but left out of the figures


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ready agent: skills with levels (higher = more proficient), languages, queues."""

    agent_id: int
    idle_since_ms: int
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset({"zh-CN"})
    queues: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Assignment:
    """A decision: offer `call_id`, waiting in `queue`, to `agent_id`."""

    call_id: str
    agent_id: int
    queue: str


DEFAULT_QUEUES = (
    QueueConfig("general", overflow_after_seconds=180, callback_offer_seconds=120),
    QueueConfig("fault", overflow_after_seconds=120, overflow_queue="general"),
    QueueConfig("billing", overflow_after_seconds=180, overflow_queue="general"),
    QueueConfig("complaint", overflow_after_seconds=240, overflow_queue="general"),
    QueueConfig("business", overflow_after_seconds=240, overflow_queue="general"),
    QueueConfig(
        "emergency", service_level_seconds=10, service_level_goal=0.95, callback_offer_seconds=None
    ),
    QueueConfig("priority", service_level_seconds=15, overflow_after_seconds=60),
    QueueConfig("english", overflow_after_seconds=300),
)
"""The 95598 queues: service level 80 % in 20 s unless said; overflow into general."""


class Actor(StrEnum):
    """Who changed an agent's state."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actorship:
    """Who asks for a change: the agent, a supervisor (with an id), or the system."""

    kind: Actor
    user_id: int | None = None


SYSTEM = Actorship(Actor.SYSTEM)


@dataclass(frozen=True, slots=True)
class Presence:
    """An agent's state now: since when, why (not ready), which call (reserved, on call,
    wrap-up)."""

    state: AgentState
    since_ms: int
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class PresenceEvent:
    """One change of state, as stored."""

    agent_id: int
    at_ms: int
    from_state: AgentState
    to_state: AgentState
    actor: Actor
    actor_id: int | None = None
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedInfo:
    """What a waiting caller must hear: position (1 = next); estimated wait (infinite when
    no agent is logged in to the queue); whether a callback is offered (the wait is over the
    queue's threshold, or no agent is logged in); and, once the queue's maximum wait has
    passed, what the telephony side must do now: `callback` (offer it; no answer keeps the
    place as a callback) or `end` (a polite goodbye, then hang up)."""

    position: int
    estimated_wait_seconds: float
    offer_callback: bool
    max_wait: MaxWaitAction | None = None

    @property
    def agent_available(self) -> bool:
        """False when no agent is logged in to the queue (the wait has no estimate)."""
        return math.isfinite(self.estimated_wait_seconds)


@dataclass(frozen=True, slots=True)
class CallerLine:
    """Who is calling, and how the call is reached at its provider."""

    caller: str = ""  # E.164
    called: str = ""
    provider: str = ""  # twilio, asterisk, simulator
    provider_call: str = ""  # Twilio's CallSid, Asterisk's Uniqueid
    base_url: str = ""  # where the call's webhooks came (absolute TwiML URLs without a public one)
    account_no: str | None = None
    customer_id: int | None = None
    account_id: int | None = None
    customer_name: str | None = None

    @property
    def simulated(self) -> bool:
        """A call placed by `callcenter ivr simulate --server`."""
        return self.provider == SIMULATOR

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> CallerLine:
        """From a mapping holding its fields (an IVR session's variables, stored JSON);
        other keys are ignored, empty values are left out."""

        def text(name: str) -> str:
            return str(data.get(name) or "")

        return cls(
            text("caller"),
            text("called"),
            text("provider"),
            text("provider_call"),
            text("base_url"),
            text("account_no") or None,
            _int(data.get("customer_id")),
            _int(data.get("account_id")),
            text("customer_name") or None,
        )


SIMULATOR = "simulator"
LINE_FIELDS = tuple(f.name for f in fields(CallerLine))


@dataclass(frozen=True, slots=True)
class RoutedCall:
    """The line and the state of its handling."""

    line: CallerLine = field(default_factory=CallerLine)
    queue: str = "general"
    agent_id: int | None = None  # offered to, or talking with
    callback: bool = False  # the caller hung up keeping the place: call them back
    phone: str | None = None  # the number to call back
    transferred_by: int | None = None
    max_wait: MaxWaitAction | None = None  # the queue's maximum wait passed: what now
    attempt: str | None = None  # a campaign call: its attempt key (campaign:target:no)
    language: str = ""  # the language the caller's IVR speaks (announcements to the caller)

    def but(self, **changes: Any) -> RoutedCall:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Flat JSON for shared state (the line's fields beside the handling's)."""
        line = {name: getattr(self.line, name) for name in LINE_FIELDS}
        handling = {
            "queue": self.queue,
            "agent_id": self.agent_id,
            "callback": self.callback,
            "phone": self.phone,
            "transferred_by": self.transferred_by,
            "max_wait": self.max_wait.value if self.max_wait else None,
            "attempt": self.attempt,
            "language": self.language,
        }
        return {k: v for k, v in (line | handling).items() if v not in (None, "", False)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RoutedCall:
        """From `to_json`'s form (unknown keys are ignored)."""
        max_wait = data.get("max_wait")
        return cls(
            CallerLine.of(data),
            str(data.get("queue") or "general"),
            _int(data.get("agent_id")),
            bool(data.get("callback")),
            data.get("phone"),
            _int(data.get("transferred_by")),
            MaxWaitAction(max_wait) if max_wait else None,
            data.get("attempt") or None,
            str(data.get("language") or ""),
        )


@dataclass(frozen=True, slots=True)
class QueueRequest:
    """Put a call in line: its queue and routing (priority, skills, language, preferred agent
    and how long it waits for that agent), and its line."""

    call_id: str
    queue: str
    priority: Priority = Priority.NORMAL
    skills: tuple[str, ...] = ()
    language: str = "zh-CN"
    preferred_agent: int | None = None
    preferred_wait_seconds: int = 0
    line: CallerLine = field(default_factory=CallerLine)
    transferred_by: int | None = None  # the agent who sent the call here
    attempt: str | None = None  # a campaign call: its attempt key


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


@dataclass(frozen=True, slots=True)
class VoiceToken:
    """A signed access token for one device identity, and when it stops being accepted."""

    token: str
    identity: str
    expires_at: datetime
