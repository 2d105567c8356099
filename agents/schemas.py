"""Request and response bodies of the agent, supervisor and statistics API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StateIn(_In):
    """A hand-set state: ready, not_ready (with a reason code) or logged_out."""

    state: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=32)


class WrapUpIn(_In):
    """Wrap-up done: the disposition, notes, and optionally not ready after it."""

    disposition: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    notes: str = Field(default="", max_length=4000)
    not_ready_reason: str | None = Field(default=None, max_length=32)


class TransferIn(_In):
    """Transfer the current call to a queue or to an agent (exactly one)."""

    queue: str | None = Field(default=None, max_length=32)
    agent_id: int | None = Field(default=None, ge=1)


class PresenceOut(BaseModel):
    """An agent's state now."""

    agent_id: int
    state: str
    reason: str | None
    since_ms: int
    call_id: str | None


class AgentOut(BaseModel):
    """An agent with skills, queues and presence."""

    agent_id: int
    username: str
    display_name: str
    device_kind: str
    device_address: str
    languages: list[str]
    skills: dict[str, int]
    queues: dict[str, int]
    enabled: bool
    presence: PresenceOut


class PresenceEventOut(BaseModel):
    """One change of an agent's state and who made it."""

    at_ms: int
    from_state: str
    to_state: str
    actor: str
    actor_id: int | None
    reason: str | None
    call_id: str | None


class PresenceHistoryOut(BaseModel):
    """An agent's latest state changes, newest first."""

    events: list[PresenceEventOut]


class CallActionOut(BaseModel):
    """The call an action applied to, and the agent's state after it."""

    call_id: str | None
    presence: PresenceOut


class QueueStatsOut(BaseModel):
    """A queue now and today. service_level = answered within service_level_seconds /
    (answered + abandoned − short abandons); abandon_rate = (abandoned − short abandons) /
    the same; ASA = average wait of answered calls."""

    queue: str
    waiting: int
    longest_wait_seconds: int
    entered: int
    answered: int
    answered_within_sl: int
    abandoned: int
    short_abandoned: int
    service_level: float | None
    average_speed_of_answer_seconds: float | None
    abandon_rate: float | None
    service_level_seconds: int
    agents: dict[str, int]


class AgentStatsOut(BaseModel):
    """An agent on the wallboard."""

    agent_id: int
    name: str
    state: str
    reason: str | None
    call_id: str | None
    seconds_in_state: int | None


class RealtimeOut(BaseModel):
    """The wallboard: queues and agents now; counters since local midnight."""

    at_ms: int
    day: str
    definitions: dict[str, str]
    queues: list[QueueStatsOut]
    agents: list[AgentStatsOut]


DEFINITIONS = {
    "service_level": "answered within service_level_seconds / "
    "(answered + abandoned - short abandons), since local midnight",
    "average_speed_of_answer_seconds": "total wait of answered calls / answered calls",
    "abandon_rate": "(abandoned - short abandons) / (answered + abandoned - short abandons)",
    "short_abandoned": "callers who hung up within the queue's short_abandon_seconds",
}


def realtime_out(data: dict[str, Any]) -> RealtimeOut:
    """The wallboard body from `Acd.realtime()`."""
    return RealtimeOut.model_validate({**data, "definitions": DEFINITIONS}, from_attributes=True)


class VoiceTokenOut(BaseModel):
    """A softphone's access token (a JWT) for `identity`, accepted until `expires_at`."""

    token: str
    identity: str
    expires_at: datetime
