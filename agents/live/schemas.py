"""Request and response bodies of the live-call API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsultIn(_In):
    """Consult an agent, or a queue's longest-idle ready agent (exactly one)."""

    agent_id: int | None = Field(default=None, ge=1)
    queue: str | None = Field(default=None, min_length=1, max_length=32)


class MonitorIn(_In):
    """Join a live call: listen, whisper (the agent hears you) or barge (both do), on your
    agent device unless one is given."""

    mode: str = Field(pattern=r"^(listen|whisper|barge)$")
    device_kind: str | None = Field(default=None, pattern=r"^(twilio_client|sip|phone|webrtc)$")
    device_address: str | None = Field(default=None, min_length=1, max_length=128)


class ConsultOut(BaseModel):
    """The consultation in progress."""

    agent_id: int
    status: str
    queue: str | None


class LiveOut(BaseModel):
    """The agent's call as it is now: on hold, consulting, recording."""

    call_id: str
    agent_id: int
    held: bool
    consult: ConsultOut | None
    recording: str | None


class MonitorOut(BaseModel):
    """A supervisor's leg into a call."""

    call_id: str
    mode: str
    leg: str
