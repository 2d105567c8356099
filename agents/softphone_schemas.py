"""Request and response bodies of the desk's softphone routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agents.schemas import PresenceOut


class SoftphoneOut(BaseModel):
    """The calling agent's softphone: `kind` twilio (the Voice SDK in the page, registered
    with `identity` and tokens from `/api/agents/me/voice-token`), webrtc (JsSIP in the page,
    registering over `ws_url` as `sip_uri`), sip or phone (rings elsewhere: nothing to run);
    `configured` is false while the server lacks what the kind needs."""

    kind: str
    device_address: str
    configured: bool
    identity: str | None = None
    ws_url: str | None = None
    sip_uri: str | None = None


class DeviceIn(BaseModel):
    """The desk's softphone: `ready`, or `failed` with a problem (microphone-refused,
    token-failed, registration-failed, network, preflight-failed, disconnected)."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(max_length=16)
    problem: str | None = Field(default=None, max_length=32)


class DeviceOut(BaseModel):
    """The report as taken, the agent's presence after it, and whether the report made the
    agent not ready (reason `device`)."""

    status: str
    problem: str | None
    made_not_ready: bool
    presence: PresenceOut
