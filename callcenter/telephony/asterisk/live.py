"""The live call on Asterisk: `AsteriskLive` implements `agents.live.ports.LiveControl` over
the AMI (the actions themselves are in `live_ami`). An instance that does not hold the AMI
session relays each operation to the one that does and waits for its answer (`Requests`).

How hold works, and why not by Redirect. The caller's channel runs our FastAGI session,
which is inside `EXEC Dial` while the caller talks with the agent. An AMI `Redirect` (even
of the agent's channel alone) ends that Dial: `ast_async_goto` soft-hangs-up the channel
with `AST_SOFTHANGUP_ASYNCGOTO` (main/pbx.c), and a channel leaving Dial's basic bridge
dissolves it (`AST_BRIDGE_FLAG_DISSOLVE_HANGUP`, main/bridge_channel.c). Worse, res_agi's
`run_agi` then finds `ast_check_hangup()` true (any soft-hangup flag, ASYNCGOTO included),
`ast_read` gives no frame, and it sends the script `HANGUP`: our session would record the
caller's end (`EndedBy.CALLER`) for a mere hold, and the call would then live on in the
dialplan with nobody watching it. The recorded dual Redirect + `Bridge` hold
(`ami-hold-and-redirect`) therefore is not used. The hold stays inside Dial's bridge
instead: a dynamic feature (`features.conf` `[applicationmap]`
`cchold => *8,self,Read(CC_HOLD_KEY,,1,,1,3600),default`, allowed on the agent's channel by
`DYNAMIC_FEATURES` in the `callcenter-answered` subroutine) runs `Read()` on the agent's
channel, suspended from the bridge, and plays the `default` music class to the caller
meanwhile (`ast_bridge_channel_run_app` writes a hold and, when the app returns, an unhold:
the same Hold/MusicOnHoldStart the recorded `Atxfer` shows). We trigger it with `PlayDTMF`
and `Receive: yes`, which queues the digits as if the agent's phone pressed them
(apps/app_senddtmf.c `ast_queue_frame`, exactly what the `Atxfer` action does with its
feature code), and resume with a queued `#`, which ends the `Read()`; each is confirmed by
the Hold/Unhold event `ast_bridge_channel_write_hold` publishes on the agent's channel (a
consult from hold thus starts only once the `Read()` is over). The FastAGI session
never notices; the call's end is still its Dial's end and the AMI `Hangup`. The agent can
also press `*8` / `#` on the phone.

Consult is the attended transfer (`Atxfer` to `cc-consult`; the transfer itself holds the
caller), cancel `CancelAtxfer`, complete the transferer's hang-up, conference the
`atxferthreeway` code queued the same way (`*3`). After a cancel Asterisk puts the caller
and the agent back together (Unhold): the state says not held.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from agents.live.models import (
    RECORDING_LOCATION,
    Device,
    LiveCall,
    LiveState,
    MonitorMode,
    RecordingStatus,
)
from agents.live.ports import LiveControlError
from agents.ports import AgentInfo
from callcenter.telephony.asterisk.bridge import dial_string
from callcenter.telephony.asterisk.live_ami import CONFIRM_SECONDS, AmiLive, LegWatcher

if TYPE_CHECKING:
    from callcenter.telephony.asterisk.service import AsteriskAmi

log = logging.getLogger(__name__)
RELAY_ACTION = "live"
REPLY_SECONDS = 10.0
DEFAULT_RECORDING_DIR = "/var/spool/asterisk/monitor"


class Requests(Protocol):
    """Operations to the instance holding the AMI session, and its answers (Redis)."""

    async def ask(self, message: Mapping[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send and wait for the answer: None when no instance listens; `TimeoutError`
        when the answer does not come in time."""

    async def answer(self, to: str, reply: Mapping[str, Any]) -> None:
        """Answer a request (`to`: its `reply_to`)."""


def consult_exten(agent: AgentInfo) -> str | None:
    """The extension of `cc-consult` that rings `agent` (an Atxfer queues it as DTMF, so
    digits only): a numeric PJSIP endpoint as itself, a phone number after `00`."""
    address = agent.device_address.strip().removeprefix("PJSIP/")
    if agent.device_kind == "sip" and address.isdigit():
        return address
    digits = address.lstrip("+")
    if agent.device_kind == "phone" and digits.isdigit():
        return f"00{digits}"
    return None


def recording_file(directory: str, call_id: str) -> str:
    """Where Asterisk writes the call's recording."""
    return str(PurePosixPath(directory or DEFAULT_RECORDING_DIR) / f"call-{call_id}.wav")


class AsteriskLive:
    """`LiveControl` for calls whose line provider is `asterisk`."""

    def __init__(
        self,
        requests: Requests | None = None,
        recording_dir: str = DEFAULT_RECORDING_DIR,
        reply_seconds: float = REPLY_SECONDS,
        confirm_seconds: float = CONFIRM_SECONDS,
    ) -> None:
        self._requests = requests
        self.recording_dir = recording_dir
        self._reply_seconds = reply_seconds
        self._confirm_seconds = confirm_seconds
        self._local: AmiLive | None = None

    def attach(self, ami: AsteriskAmi) -> None:
        """Act through this AMI session while it is up here, and serve the operations other
        instances relay to it."""
        watcher = LegWatcher()
        local = AmiLive(ami, watcher, self._confirm_seconds)
        if self._requests is not None:
            local.answer = self._requests.answer
        ami.listeners.append(watcher)
        ami.relay_handlers[RELAY_ACTION] = local.serve
        self._local = local

    async def started(self, call: LiveCall, record: bool) -> LiveState:
        file = recording_file(self.recording_dir, call.call_id) if record else ""
        refs = await self._do(call, "started", file=file)
        state = call.state.with_refs(**refs)
        if not record:
            return state
        # the file is whole when the call ends (there is no callback): its name, kept
        state = state.with_refs(**{RECORDING_LOCATION: PurePosixPath(file).name})
        return state.but(recording=RecordingStatus.RECORDING)

    async def hold(self, call: LiveCall) -> LiveState:
        return (await self._refs(call, "hold")).but(held=True)

    async def resume(self, call: LiveCall) -> LiveState:
        return (await self._refs(call, "resume")).but(held=False)

    async def consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        exten = consult_exten(target)
        if exten is None:
            raise LiveControlError(
                f"agent {target.agent_id}'s device ({target.device_kind}) cannot be rung "
                "from Asterisk's cc-consult context",
                code="consult-unreachable",
            )
        return await self._refs(call, "consult", exten=exten, held="1" if call.state.held else "")

    async def complete_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return (await self._refs(call, "complete_consult")).but(held=False)

    async def cancel_consult(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return (await self._refs(call, "cancel_consult")).but(held=False)

    async def conference(self, call: LiveCall, target: AgentInfo) -> LiveState:
        return (await self._refs(call, "conference")).but(held=False)

    async def pause_recording(self, call: LiveCall) -> LiveState:
        return await self._mute(call, "1", RecordingStatus.PAUSED)

    async def resume_recording(self, call: LiveCall) -> LiveState:
        return await self._mute(call, "0", RecordingStatus.RECORDING)

    async def monitor(self, call: LiveCall, device: Device, mode: MonitorMode) -> str:
        target = dial_string(device.kind, device.address)
        if target is None:
            raise LiveControlError(
                f"a {device.kind} device cannot be rung from Asterisk", code="device-unreachable"
            )
        refs = await self._do(call, "monitor", device=target, mode=str(mode))
        return refs["leg"]

    async def _mute(self, call: LiveCall, state: str, status: RecordingStatus) -> LiveState:
        if "mixmonitor" not in call.state.refs:
            raise LiveControlError("this call is not being recorded", code="not-recording")
        return (await self._refs(call, "mute", state=state)).but(recording=status)

    async def _refs(self, call: LiveCall, op: str, **args: str) -> LiveState:
        return call.state.with_refs(**await self._do(call, op, **args))

    async def _do(self, call: LiveCall, op: str, **args: str) -> dict[str, str]:
        """One operation, here or relayed: the refs it set."""
        fields = {
            "caller_uniqueid": call.routed.line.provider_call,
            **{k: v for k, v in call.state.refs.items() if k in PASSED_REFS},
            **args,
        }
        local = self._local
        if local is not None and local.connected:
            return await local.perform(op, fields)
        return await self._relay(call.call_id, op, fields)

    async def _relay(self, call_id: str, op: str, fields: dict[str, str]) -> dict[str, str]:
        unavailable = LiveControlError(
            "no instance holds an AMI session", code="live-control-unavailable"
        )
        if self._requests is None:
            raise unavailable
        message = {"action": RELAY_ACTION, "op": op, "call_id": call_id, "args": fields}
        try:
            reply = await self._requests.ask(message, self._reply_seconds)
        except TimeoutError as err:
            raise LiveControlError(
                f"{op} on call {call_id}: the AMI session did not answer in time"
            ) from err
        if reply is None:
            raise unavailable
        if "error" in reply:
            raise LiveControlError(str(reply.get("message")), code=str(reply["error"]))
        return {str(k): str(v) for k, v in dict(reply.get("refs") or {}).items()}


PASSED_REFS = frozenset({"caller", "agent", "mixmonitor"})
