"""The live call with an agent, written once for every provider: hold and resume, consult a
second agent (then complete, cancel or conference), recording pause and resume, and
supervisors' listen, whisper and barge. Each change is checked against the call's live
state, done at the provider (`LiveControl`), kept (`LiveStates`), recorded on the call's
record and pushed to the agent's desk. Supervisors' monitoring is audited and told to
nobody else."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from agents.live.models import (
    RECORDING_LOCATION,
    Device,
    LiveCall,
    LiveState,
    Monitoring,
    MonitorMode,
    RecordingStatus,
)
from agents.live.ports import AuditLog, LiveControl, LiveControlError, LiveStates
from agents.models import SYSTEM, AgentState, Presence, RoutedCall
from agents.ports import AcdState, CallEvents
from agents.presence import NoCallError
from agents.presence_service import PresenceService
from agents.roster import Roster
from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.errors import ConflictError, InvalidInputError

log = logging.getLogger(__name__)
S = AgentState
ON_CALL = frozenset({S.ON_CALL})
UNAVAILABLE = "live-control-unavailable"


class LiveConflictError(ConflictError):
    """The call is not in a state that allows this (409 with a stable code)."""

    default_code = "live-conflict"


def live_json(call_id: str, state: LiveState) -> dict[str, object]:
    """The live state as the API and the desk show it (provider refs left out)."""
    consult = state.consult
    return {
        "call_id": call_id,
        "agent_id": state.agent_id,
        "held": state.held,
        "consult": None
        if consult is None
        else {"agent_id": consult.agent_id, "status": consult.status.value, "queue": consult.queue},
        "recording": state.recording.value if state.recording else None,
    }


class LiveControls:
    """The `LiveControl` of each provider a call can come from."""

    def __init__(self, controls: Mapping[str, LiveControl]) -> None:
        self._controls = dict(controls)

    def add(self, provider: str, control: LiveControl) -> None:
        self._controls[provider] = control

    def of(self, call: RoutedCall) -> LiveControl:
        control = self._controls.get(call.line.provider)
        if control is None:
            raise LiveControlError(
                f"calls from {call.line.provider or 'this line'} cannot be controlled live",
                code=UNAVAILABLE,
            )
        return control


@dataclass(frozen=True, slots=True)
class LiveParts:
    """What the live call's use cases work with."""

    state: AcdState
    roster: Roster
    presence: PresenceService
    controls: LiveControls
    lives: LiveStates
    calls: CallEvents


class LiveCalls:
    """The use case (consultations are in `agents.live.consult`)."""

    def __init__(
        self,
        parts: LiveParts,
        *,
        audit: AuditLog | None = None,
        record_policy: Callable[[str], bool] = lambda queue: False,
        now: Callable[[], datetime],
    ) -> None:
        self._state = parts.state
        self._roster = parts.roster
        self._presence = parts.presence
        self._controls = parts.controls
        self._lives = parts.lives
        self._calls = parts.calls
        self.audit = audit
        self._record_policy = record_policy
        self._now = now

    # -- reading --------------------------------------------------------------------------

    async def current(self, agent_id: int) -> tuple[str, LiveState]:
        """The agent's call and its live state (409 `no-call` when not on a call)."""
        try:
            call_id = await self._presence.current_call(agent_id, ON_CALL)
        except NoCallError as err:
            raise LiveConflictError(err.message, code="no-call") from None
        state = await self._lives.get(call_id)
        return call_id, state or LiveState(agent_id)

    async def call_of(self, agent_id: int) -> LiveCall:
        call_id, state = await self.current(agent_id)
        if state.agent_id != agent_id:
            raise LiveConflictError(
                f"agent {agent_id} is consulted on call {call_id}, not talking", code="no-call"
            )
        routed, _ = await self._state.call_data(call_id)
        if routed is None:
            raise LiveConflictError(f"call {call_id} is over", code="no-call")
        return LiveCall(call_id, routed, self._roster.agent(agent_id), state)

    async def keep(self, call: LiveCall, state: LiveState, event: str, **data: object) -> None:
        await self._lives.put(call.call_id, state)
        await self._calls.record_event(
            call.call_id, event, {"agent_id": call.agent.agent_id} | data
        )
        await self.publish(call.call_id, state)

    async def publish(self, call_id: str, state: LiveState) -> None:
        message = {"type": "live", **live_json(call_id, state)}
        await self._state.publish(state.agent_id, message)
        if state.consult is not None:
            await self._state.publish(state.consult.agent_id, message)

    # -- the call starts and ends ------------------------------------------------------------

    async def started(self, call_id: str, agent_id: int) -> None:
        """The agent answered: the live state begins; recording starts per queue policy."""
        routed, _ = await self._state.call_data(call_id)
        if routed is None:
            return
        previous = await self._lives.get(call_id) or LiveState(agent_id)
        call = LiveCall(
            call_id,
            routed,
            self._roster.agent(agent_id),
            previous.but(agent_id=agent_id).with_refs(provider=routed.line.provider),
        )
        record = self._record_policy(routed.queue)
        try:
            state = await self._controls.of(routed).started(call, record)
        except LiveControlError as err:
            log.warning("call %s: live control at answer failed: %s", call_id, err.message)
            state = call.state
        await self._lives.put(call_id, state)
        if record and state.recording is RecordingStatus.RECORDING:
            await self._calls.record_event(
                call_id, "recording_started", _recording(state, agent_id)
            )

    async def ended(self, call_id: str) -> None:
        """The call is over: a consulted agent is freed, the live state forgotten."""
        state = await self._lives.get(call_id)
        if state is None:
            return
        if state.consult is not None:
            await self.free(call_id, state.consult.agent_id)
        recording = state.recording in (RecordingStatus.RECORDING, RecordingStatus.PAUSED)
        if recording and state.refs.get(RECORDING_LOCATION):
            await self._calls.record_event(call_id, "recording_ready", _recording(state, None))
        await self._lives.forget(call_id)

    async def note(self, call_id: str, **refs: str) -> None:
        """The provider's handles of the call (conference, legs, recording) as they come."""
        state = await self._lives.get(call_id)
        if state is not None:
            await self._lives.put(call_id, state.with_refs(**refs))

    async def monitor_ended(self, call_id: str, leg: str, mode: str) -> None:
        """A supervisor's leg left the call."""
        await self._calls.record_event(call_id, "monitor_ended", {"leg": leg, "mode": mode})

    async def agent_on(self, call_id: str) -> int | None:
        """The agent talking on the call now (None: no live call)."""
        state = await self._lives.get(call_id)
        return None if state is None else state.agent_id

    async def recording_changed(self, call_id: str, status: RecordingStatus) -> None:
        """The provider says where the recording is (started, stopped, failed)."""
        state = await self._lives.get(call_id)
        if state is not None and state.recording is not status:
            await self._lives.put(call_id, state.but(recording=status))

    async def free(self, call_id: str, agent_id: int) -> None:
        now = self._presence.now_ms()
        await self._presence.change(
            agent_id,
            frozenset({S.RESERVED, S.ON_CALL}),
            Presence(S.READY, now),
            SYSTEM,
            call_id=call_id,
        )
        await self._state.publish(agent_id, {"type": "consult_ended", "call_id": call_id})

    # -- hold ------------------------------------------------------------------------------

    async def hold(self, agent_id: int) -> tuple[str, LiveState]:
        call = await self.call_of(agent_id)
        if call.state.held:
            raise LiveConflictError("the caller is on hold already", code="already-on-hold")
        if call.state.consult is not None:
            raise LiveConflictError("a consultation is in progress", code="consult-in-progress")
        state = (await self._controls.of(call.routed).hold(call)).but(held=True)
        await self.keep(call, state, "held")
        return call.call_id, state

    async def resume(self, agent_id: int) -> tuple[str, LiveState]:
        call = await self.call_of(agent_id)
        if not call.state.held:
            raise LiveConflictError("the caller is not on hold", code="not-on-hold")
        if call.state.consult is not None:
            raise LiveConflictError("a consultation is in progress", code="consult-in-progress")
        state = (await self._controls.of(call.routed).resume(call)).but(held=False)
        await self.keep(call, state, "resumed")
        return call.call_id, state

    # -- recording -------------------------------------------------------------------------

    async def pause_recording(self, agent_id: int) -> tuple[str, LiveState]:
        return await self._recording(agent_id, pause=True)

    async def resume_recording(self, agent_id: int) -> tuple[str, LiveState]:
        return await self._recording(agent_id, pause=False)

    async def _recording(self, agent_id: int, *, pause: bool) -> tuple[str, LiveState]:
        call = await self.call_of(agent_id)
        now, then = RecordingStatus.RECORDING, RecordingStatus.PAUSED
        if pause is False:
            now, then = then, now
        if call.state.recording is not now:
            raise LiveConflictError(f"the call's recording is not {now}", code="not-recording")
        control = self._controls.of(call.routed)
        change = control.pause_recording if pause else control.resume_recording
        state = (await change(call)).but(recording=then)
        await self.keep(call, state, "recording_paused" if pause else "recording_resumed")
        return call.call_id, state

    # -- supervisors -----------------------------------------------------------------------

    async def monitor(
        self,
        call_id: str,
        supervisor_id: int,
        mode: MonitorMode,
        device: Device,
        editor: Editor | None = None,
    ) -> Monitoring:
        """A supervisor joins a live call to listen, whisper or barge: audited, and
        recorded on the call, never shown on the agent's desk."""
        state = await self._lives.get(call_id)
        routed, _ = await self._state.call_data(call_id)
        if state is None or routed is None:
            raise LiveConflictError(f"call {call_id} has no agent on it now", code="no-live-call")
        if not device.address:
            raise InvalidInputError(
                "the supervisor's device is needed", code="no-supervisor-device"
            )
        call = LiveCall(call_id, routed, self._roster.agent(state.agent_id), state)
        leg = await self._controls.of(routed).monitor(call, device, mode)
        watch = Monitoring(call_id, supervisor_id, mode, device, leg)
        data = {"supervisor_id": supervisor_id, "mode": mode.value, "agent_id": state.agent_id}
        await self._calls.record_event(call_id, "monitor_started", data | {"leg": leg})
        if self.audit is not None:
            entry = AuditEntry(
                self._now(),
                editor or Editor("supervisor", supervisor_id),
                "call",
                call_id,
                f"monitor-{mode.value}",
                data | {"device": asdict(device)},
            )
            await self.audit.write(entry)
        log.info("supervisor %d %s call %s", supervisor_id, mode.value, call_id)
        return watch


def _recording(state: LiveState, agent_id: int | None) -> dict[str, object]:
    """A recording event's data: who answered, the provider, the file when known."""
    data: dict[str, object] = {"provider": state.refs.get("provider", "")}
    if agent_id is not None:
        data["agent_id"] = agent_id
    if state.refs.get(RECORDING_LOCATION):
        data["location"] = state.refs[RECORDING_LOCATION]
    return data
