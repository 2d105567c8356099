"""What the live call needs from the telephony side and from shared state."""

from __future__ import annotations

from typing import Protocol

from agents.live.models import Device, LiveCall, LiveState, MonitorMode
from agents.ports import AgentInfo
from callcenter.core.audit import AuditEntry
from callcenter.core.errors import ConflictError


class LiveControlError(ConflictError):
    """The provider cannot do this on this call now (409, with a stable code)."""

    default_code = "live-control-failed"


class LiveControl(Protocol):
    """Acts on the call at its provider (Twilio conference, Asterisk AMI). Each method
    returns the live state with the refs it set (or raises `LiveControlError`)."""

    async def started(self, call: LiveCall, record: bool) -> LiveState:
        """The agent answered: start recording when `record` (the queue's policy), and note
        the provider's handles of the legs."""

    async def hold(self, call: LiveCall) -> LiveState:
        """The caller hears music; the agent hears nothing (the agent's leg stays up)."""

    async def resume(self, call: LiveCall) -> LiveState:
        """The caller and the agent talk again."""

    async def consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        """The caller on hold (already, or now), ring `target`'s device; when it answers,
        the two agents talk."""

    async def complete_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        """The consulting agent leaves; the caller talks with `target`."""

    async def cancel_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        """The consulted agent's leg ends; the caller stays on hold with the agent."""

    async def conference(self, call: LiveCall, target: AgentInfo) -> LiveState:
        """The caller, the agent and `target` talk together."""

    async def pause_recording(self, call: LiveCall) -> LiveState:
        """Silence the recording (payment details) until resumed."""

    async def resume_recording(self, call: LiveCall) -> LiveState:
        """Record again."""

    async def monitor(self, call: LiveCall, device: Device, mode: MonitorMode) -> str:
        """Ring the supervisor's `device` into the call in `mode`; the provider's handle of
        that leg."""


class LiveStates(Protocol):
    """Live state per call (Redis)."""

    async def get(self, call_id: str) -> LiveState | None: ...

    async def put(self, call_id: str, state: LiveState) -> None: ...

    async def forget(self, call_id: str) -> None: ...


class AuditLog(Protocol):
    """Appends audit entries (supervisors' listening is audited)."""

    async def write(self, entry: AuditEntry) -> None: ...
