"""The live call on Twilio (`agents.live.ports.LiveControl`), through the call's
conference: hold is the caller's participant on hold (music from the hold URL), a
consultation is the caller on hold while a second agent's device is rung into the
conference, completing it hands the conference over to that agent, cancelling ends that
leg, and a conference is the caller taken off hold. The recording is the conference's,
paused with silence kept. Supervisors' legs are placed into the conference muted
(listen), coaching the agent's leg (whisper), or speaking (barge)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from agents.live.models import Device, LiveCall, LiveState, MonitorMode, RecordingStatus
from agents.live.ports import LiveControlError
from agents.ports import AgentInfo
from callcenter.telephony.twilio import twiml as t
from callcenter.telephony.twilio.bridge import (
    AGENT_LEG,
    CALLER,
    LegOptions,
    TwilioRest,
    caller_id,
    device_address,
    end_leg,
)
from callcenter.telephony.twilio.conference import LIVE_LEG, Role, leg_joins

log = logging.getLogger(__name__)
CONFERENCE_SID = "conference"  # refs the conference status and recording callbacks set
RECORDING_SID = "recording"
CONSULT_LEG = "consult_leg"
MONITOR_ROLES = {
    MonitorMode.LISTEN: Role.LISTEN,
    MonitorMode.WHISPER: Role.WHISPER,
    MonitorMode.BARGE: Role.BARGE,
}


class TwilioLive:
    """Implements `LiveControl` for calls bridged through their conference."""

    def __init__(
        self, rest: TwilioRest | None, public_base_url: str, hold_music_url: str, ring_seconds: int
    ) -> None:
        self._rest = rest
        self._base = public_base_url.rstrip("/")
        self._music = hold_music_url
        self._ring_seconds = ring_seconds

    def _api(self) -> TwilioRest:
        if self._rest is None:
            raise LiveControlError(
                "Twilio credentials are not configured", code="live-control-unavailable"
            )
        return self._rest

    @staticmethod
    def _ref(call: LiveCall, name: str) -> str:
        ref = call.state.refs.get(name)
        if not ref:
            raise LiveControlError(
                f"the call's conference is not ready yet ({name} unknown)",
                code="conference-not-ready",
            )
        return ref

    async def _do(self, what: str, action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except LiveControlError:
            raise
        except Exception as err:
            log.warning("Twilio refused to %s: %s", what, err)
            raise LiveControlError(f"Twilio refused to {what}: {err}") from err

    async def _participant(self, call: LiveCall, leg: str, changes: Mapping[str, object]) -> None:
        conference = self._ref(call, CONFERENCE_SID)
        sid = self._ref(call, leg)
        api = self._api()
        await self._do(
            "change a participant", lambda: api.update_participant(conference, sid, changes)
        )

    async def _hold_caller(self, call: LiveCall, held: bool) -> None:
        changes: dict[str, object] = {"hold": held}
        if held:
            changes |= {"hold_url": self._music, "hold_method": "GET"}
        await self._participant(call, CALLER, changes)

    async def started(self, call: LiveCall, record: bool) -> LiveState:
        """The conference was set up when the offer was made (recorded from its start when
        the queue records); the recording's SID comes with its first callback."""
        return call.state.but(recording=RecordingStatus.RECORDING if record else None)

    async def hold(self, call: LiveCall) -> LiveState:
        await self._hold_caller(call, True)
        return call.state

    async def resume(self, call: LiveCall) -> LiveState:
        await self._hold_caller(call, False)
        return call.state

    async def _place(self, call: LiveCall, device: Device, role: Role, agent_id: int) -> str:
        """Ring a device into the call's conference."""
        api = self._api()
        self._ref(call, CONFERENCE_SID)
        urls = t.TwimlUrls(self._base or call.routed.line.base_url)
        query = {"call": call.call_id, "agent": str(agent_id), "role": role.value}
        coach = call.state.refs.get(AGENT_LEG) if role is Role.WHISPER else None
        twiml = leg_joins(call.call_id, role, coach)
        options = LegOptions(urls.url(LIVE_LEG, **query), timeout=self._ring_seconds)
        target = AgentInfo(0, "", "", device.kind, device.address, frozenset(), {}, {})
        try:
            return await api.create_call(
                device_address(target), caller_id(call.routed, target), twiml, options
            )
        except Exception as err:
            raise LiveControlError(f"Twilio refused the call to {device.kind}: {err}") from err

    async def consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        if not call.state.held:
            await self._hold_caller(call, True)
        leg = await self._place(call, Device.of(target), Role.CONSULT, target.agent_id)
        return call.state.with_refs(**{CONSULT_LEG: leg})

    async def cancel_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        leg = call.state.refs.get(CONSULT_LEG)
        if leg:
            await end_leg(self._api(), leg)
        return call.state.with_refs(**{CONSULT_LEG: ""})

    async def conference(self, call: LiveCall, target: AgentInfo) -> LiveState:
        await self._hold_caller(call, False)
        return call.state

    async def complete_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        """The consulted agent's leg ends the conference from now on, the consulting
        agent's does not, and leaves; the caller comes off hold."""
        consulted = self._ref(call, CONSULT_LEG)
        await self._participant(call, CONSULT_LEG, {"end_conference_on_exit": True})
        await self._participant(call, AGENT_LEG, {"end_conference_on_exit": False})
        await self._hold_caller(call, False)
        await end_leg(self._api(), self._ref(call, AGENT_LEG))
        return call.state.with_refs(**{AGENT_LEG: consulted, CONSULT_LEG: ""})

    async def _recording(self, call: LiveCall, status: str) -> None:
        conference = self._ref(call, CONFERENCE_SID)
        recording = self._ref(call, RECORDING_SID)
        api = self._api()
        await self._do(
            f"set the recording {status}",
            lambda: api.update_recording(conference, recording, status),
        )

    async def pause_recording(self, call: LiveCall) -> LiveState:
        await self._recording(call, "paused")
        return call.state

    async def resume_recording(self, call: LiveCall) -> LiveState:
        await self._recording(call, "in-progress")
        return call.state

    async def monitor(self, call: LiveCall, device: Device, mode: MonitorMode) -> str:
        if mode is MonitorMode.WHISPER:
            self._ref(call, AGENT_LEG)
        return await self._place(call, device, MONITOR_ROLES[mode], call.state.agent_id)
