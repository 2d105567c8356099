"""The live call for simulated calls (`callcenter ivr simulate --server`): there is no
media, so hold, consult, recording and monitoring change only the call's state and record,
which is what a newcomer trying the desk needs to see."""

from __future__ import annotations

from agents.live.models import Device, LiveCall, LiveState, MonitorMode, RecordingStatus
from agents.ports import AgentInfo


class SimulatedLive:
    """Implements `agents.live.ports.LiveControl` with nothing to do at a provider."""

    async def started(self, call: LiveCall, record: bool) -> LiveState:
        return call.state.but(recording=RecordingStatus.RECORDING if record else None)

    async def hold(self, call: LiveCall) -> LiveState:
        return call.state

    async def resume(self, call: LiveCall) -> LiveState:
        return call.state

    async def consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return call.state

    async def complete_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return call.state

    async def cancel_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return call.state

    async def conference(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return call.state

    async def pause_recording(self, call: LiveCall) -> LiveState:
        return call.state

    async def resume_recording(self, call: LiveCall) -> LiveState:
        return call.state

    async def monitor(self, call: LiveCall, device: Device, mode: MonitorMode) -> str:
        return f"simulated-{mode.value}"
