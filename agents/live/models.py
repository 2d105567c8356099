"""The live call's state and the commands on it, whatever the provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from agents.models import RoutedCall
from agents.ports import AgentInfo
from callcenter.core.recordings import RecordingStatus as RecordingStatus  # issue 16 (rec.)

# A live state's ref naming a recording's file the provider finishes when the call ends
# (no callback says it is ready: the end of the call does).
RECORDING_LOCATION = "recording_location"


class MonitorMode(StrEnum):
    """How a supervisor joins a live call."""

    LISTEN = "listen"  # hears both, heard by nobody
    WHISPER = "whisper"  # coach: heard by the agent only
    BARGE = "barge"  # heard by both


class ConsultStatus(StrEnum):
    """A consultation with a second agent while the caller waits on hold."""

    RINGING = "ringing"
    TALKING = "talking"  # the two agents talk; the caller hears music
    CONFERENCE = "conference"  # the three talk together


@dataclass(frozen=True, slots=True)
class Device:
    """A phone to bring into a call: a device kind (twilio_client, sip, phone, webrtc) and
    its address (client identity, endpoint, E.164 number)."""

    kind: str
    address: str

    @classmethod
    def of(cls, agent: AgentInfo) -> Device:
        return cls(agent.device_kind, agent.device_address)


@dataclass(frozen=True, slots=True)
class Consult:
    """The consultation in progress: the agent consulted (a queue's next agent, or one
    named), and its state."""

    agent_id: int
    status: ConsultStatus = ConsultStatus.RINGING
    queue: str | None = None  # the queue whose next agent was chosen


@dataclass(frozen=True, slots=True)
class LiveState:
    """What is going on in a call with an agent, shared by every instance.
    `refs` are the provider's own handles (conference SID, the agent's leg, the recording,
    channel names): set and read by the telephony adapter only."""

    agent_id: int
    held: bool = False
    consult: Consult | None = None
    recording: RecordingStatus | None = None
    refs: Mapping[str, str] = field(default_factory=dict)

    def but(self, **changes: Any) -> LiveState:
        return replace(self, **changes)

    def with_refs(self, **refs: str) -> LiveState:
        return replace(self, refs={**self.refs, **refs})


@dataclass(frozen=True, slots=True)
class LiveCall:
    """Everything an adapter needs to act on a call: its id, its line and queue (the
    routed call), the agent talking, and the live state."""

    call_id: str
    routed: RoutedCall
    agent: AgentInfo
    state: LiveState


@dataclass(frozen=True, slots=True)
class Monitoring:
    """A supervisor on a call (listen, whisper or barge), with the provider's handle of the
    supervisor's leg."""

    call_id: str
    supervisor_id: int
    mode: MonitorMode
    device: Device
    leg: str = ""
