"""Agents, queues and waiting calls as the router sees them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


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
