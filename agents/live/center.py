"""One object for the live call, held by the HTTP handlers and the telephony adapters:
the agent's commands, the supervisors' monitoring and what the provider reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from agents.live.consult import Consults
from agents.live.models import Device, LiveState, Monitoring, MonitorMode, RecordingStatus
from agents.live.ports import AuditLog
from agents.live.service import LiveCalls, LiveParts
from callcenter.core.audit import Editor

Change = tuple[str, LiveState]


class LiveCenter:
    """Facade over `LiveCalls` and `Consults`."""

    def __init__(
        self,
        parts: LiveParts,
        *,
        leave: Callable[[str, int, str], Awaitable[bool]],
        now: Callable[[], datetime],
        audit: AuditLog | None = None,
        record_policy: Callable[[str], bool] = lambda queue: False,
    ) -> None:
        self.calls = LiveCalls(parts, audit=audit, record_policy=record_policy, now=now)
        self.consults = Consults(self.calls, parts, leave)

    def audit_to(self, audit: AuditLog) -> None:
        """Where monitoring is audited (set when the app's database is ready)."""
        self.calls.audit = audit

    # the agent's commands
    async def current(self, agent_id: int) -> Change:
        return await self.calls.current(agent_id)

    async def hold(self, agent_id: int) -> Change:
        return await self.calls.hold(agent_id)

    async def resume(self, agent_id: int) -> Change:
        return await self.calls.resume(agent_id)

    async def pause_recording(self, agent_id: int) -> Change:
        return await self.calls.pause_recording(agent_id)

    async def resume_recording(self, agent_id: int) -> Change:
        return await self.calls.resume_recording(agent_id)

    async def consult(self, agent_id: int, *, to_agent: int | None, queue: str | None) -> Change:
        return await self.consults.consult(agent_id, to_agent=to_agent, queue=queue)

    async def cancel_consult(self, agent_id: int) -> Change:
        return await self.consults.cancel_consult(agent_id)

    async def complete_consult(self, agent_id: int) -> Change:
        return await self.consults.complete_consult(agent_id)

    async def conference(self, agent_id: int) -> Change:
        return await self.consults.conference(agent_id)

    # supervisors
    async def monitor(
        self,
        call_id: str,
        supervisor_id: int,
        mode: MonitorMode,
        device: Device,
        editor: Editor | None = None,
    ) -> Monitoring:
        return await self.calls.monitor(call_id, supervisor_id, mode, device, editor)

    # what the provider reports
    async def started(self, call_id: str, agent_id: int) -> None:
        await self.calls.started(call_id, agent_id)

    async def ended(self, call_id: str) -> None:
        await self.calls.ended(call_id)

    async def note(self, call_id: str, **refs: str) -> None:
        await self.calls.note(call_id, **refs)

    async def recording_changed(self, call_id: str, status: RecordingStatus) -> None:
        await self.calls.recording_changed(call_id, status)

    async def consult_answered(self, call_id: str, target_id: int) -> None:
        await self.consults.consult_answered(call_id, target_id)

    async def consult_unanswered(self, call_id: str, target_id: int, status: str) -> None:
        await self.consults.consult_unanswered(call_id, target_id, status)

    async def monitor_ended(self, call_id: str, leg: str, mode: str) -> None:
        await self.calls.monitor_ended(call_id, leg, mode)

    async def agent_on(self, call_id: str) -> int | None:
        return await self.calls.agent_on(call_id)
