"""Request and response bodies of agent and queue administration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agents.schemas import PresenceOut


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceIn(_In):
    """What rings: `twilio_client` (identity), `sip` (endpoint or URI), `phone` (number),
    `webrtc` (the PJSIP endpoint of the desk's WebRTC softphone)."""

    kind: str = Field(max_length=16)
    address: str = Field(max_length=128)


class AgentCreateIn(_In):
    """An agent record for an existing user with the role agent."""

    username: str = Field(min_length=1, max_length=64)
    device: DeviceIn
    languages: list[str] = Field(default_factory=lambda: ["zh-CN"], max_length=8)
    skills: dict[str, int] = Field(default_factory=dict, description="skill -> level 1-9")
    queues: dict[str, int] = Field(
        default_factory=lambda: {"general": 1}, description="queue -> level 1-9"
    )
    manages: list[int] = Field(
        default_factory=list, max_length=1000, description="customer ids it is account manager of"
    )


class AgentPatchIn(_In):
    """A partial update: a part given replaces that part whole; absent parts stay."""

    device: DeviceIn | None = None
    languages: list[str] | None = Field(default=None, max_length=8)
    skills: dict[str, int] | None = None
    queues: dict[str, int] | None = None
    manages: list[int] | None = Field(default=None, max_length=1000)
    enabled: bool | None = None


class AgentAdminOut(BaseModel):
    """An agent as administered, with its presence now."""

    agent_id: int
    username: str
    display_name: str
    device_kind: str
    device_address: str
    languages: list[str]
    skills: dict[str, int]
    queues: dict[str, int]
    manages: list[int]
    enabled: bool
    presence: PresenceOut


class AgentAdminListOut(BaseModel):
    """Every agent, enabled or not."""

    agents: list[AgentAdminOut]


class QueuePatchIn(_In):
    """Some `[[routing.queues]]` settings (0 or "" switch a rule off)."""

    service_level_seconds: int | None = None
    service_level_goal: float | None = None
    wrap_up_seconds: int | None = None
    max_wait_seconds: int | None = None
    overflow_after_seconds: int | None = None
    overflow_queue: str | None = None
    callback_offer_seconds: int | None = None
    short_abandon_seconds: int | None = None
    record_calls: bool | None = None  # issue 16 (recordings)
    recording_retention_days: int | None = Field(default=None, description="1-3650")


class QueueCreateIn(QueuePatchIn):
    """A new queue: its name and settings (the configuration's defaults for the rest)."""

    name: str = Field(max_length=32)


class QueueOut(BaseModel):
    """A queue's settings now; `configured`: in the configuration file; `stored`: changed
    or added at run time (overrides the file)."""

    name: str
    service_level_seconds: int
    service_level_goal: float
    wrap_up_seconds: int
    max_wait_seconds: int
    overflow_after_seconds: int
    overflow_queue: str
    callback_offer_seconds: int
    short_abandon_seconds: int
    record_calls: bool  # issue 16 (recordings)
    recording_retention_days: int
    configured: bool
    stored: bool


class QueueListOut(BaseModel):
    """Every queue."""

    queues: list[QueueOut]
