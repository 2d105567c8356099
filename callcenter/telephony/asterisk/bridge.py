"""Offers on Asterisk: the caller waits in its FastAGI session, which looks for an offer
every half second and dials the agent's device itself (`EXEC Dial`). The agent leg's answer
reaches callcenter through the Dial's `U()` subroutine, which runs a short FastAGI request
(`answered`); the Dial's end (DIALSTATUS) tells the session what happened. So the ACD's
bridge has nothing to start on Asterisk; it names the device to dial, and with the AMI it
can stop a ringing leg and end a call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from agents.models import RoutedCall
from agents.ports import AgentInfo

if TYPE_CHECKING:
    from callcenter.telephony.asterisk.service import AsteriskAmi

log = logging.getLogger(__name__)
PROVIDER = "asterisk"
ANSWERED_SUBROUTINE = "callcenter-answered"  # extensions.conf: runs AGI(.../answered,…)
CALLER_LEG = "caller"
RINGING_LEG = "ringing"  # the agent's leg the caller's channel is dialling


def dial_target(agent: AgentInfo) -> str | None:
    """The Dial string of the agent's device (None: not reachable from Asterisk).
    `sip` devices are PJSIP endpoints ("1001" or "PJSIP/1001"), and so are `webrtc` ones (the
    desk's softphone on the WSS transport); `phone` numbers are dialled through the outbound
    context of the sample dialplan."""
    return dial_string(agent.device_kind, agent.device_address)


def dial_string(kind: str, address: str) -> str | None:
    """The Dial string of a device kind and address (None: not reachable from Asterisk)."""
    address = address.strip()
    if kind in ("sip", "webrtc") and address:
        return address if "/" in address else f"PJSIP/{address}"
    if kind == "phone" and address:
        return f"Local/{address.lstrip('+')}@campaign-out"
    return None


def dial_args(target: str, seconds: int, call_id: str, agent_id: int) -> str:
    """`Dial` arguments: ring for the offer time; on answer run the subroutine that tells
    callcenter (the offer is accepted while the agent talks). `t`: the agent may transfer
    the caller (the live call's consult is an attended transfer); the caller may not."""
    return f"{target},{seconds},tU({ANSWERED_SUBROUTINE}^{call_id}^{agent_id})"


class Relay(Protocol):
    """Messages to the instance holding the AMI session (Redis pub/sub in production)."""

    async def send(self, message: Mapping[str, Any]) -> int: ...


class AsteriskBridge:
    """Implements `agents.ports.Bridge` for calls held by a FastAGI session. A withdrawn
    offer hangs up the agent's ringing leg and the desk's hang-up ends the caller's channel:
    through the AMI session when this instance holds it, else relayed to the instance that
    does (`AsteriskAmi.serve_relayed`). Whether a call's channel still exists is known only
    where the session is."""

    def __init__(self, relay: Relay | None = None) -> None:
        self.ami: AsteriskAmi | None = None
        self._relay = relay

    def _session(self) -> AsteriskAmi | None:
        ami = self.ami
        return ami if ami is not None and ami.connected else None

    async def connect(self, call_id: str, call: RoutedCall, agent: AgentInfo) -> bool:
        """False: the FastAGI session dials the device itself, later (it calls
        `Acd.ringing` right before `EXEC Dial`, which starts the ring time)."""
        if dial_target(agent) is None:
            log.warning(
                "agent %d's device (%s) cannot be dialled from Asterisk: the offer will time out",
                agent.agent_id,
                agent.device_kind,
            )
        return False

    async def withdraw(self, call_id: str, call: RoutedCall) -> None:
        await self._hang_up_leg(call_id, call, RINGING_LEG)

    async def hang_up(self, call_id: str, call: RoutedCall) -> None:
        await self._hang_up_leg(call_id, call, CALLER_LEG)

    async def interrupt(self, call_id: str, call: RoutedCall) -> None:
        """Nothing to do here: the caller's FastAGI session polls the ACD every half second
        while the caller waits, so the session itself acts on the max-wait outcome
        (`Acd.waiting_info(call_id).max_wait`)."""

    async def is_live(self, call: RoutedCall) -> bool | None:
        ami = self._session()
        if ami is None:
            return None
        return ami.tracker.by_uniqueid(call.line.provider_call) is not None

    async def _hang_up_leg(self, call_id: str, call: RoutedCall, leg: str) -> None:
        uniqueid = call.line.provider_call
        ami = self._session()
        if ami is not None:
            await ami.hang_up_leg(uniqueid, leg)
            return
        heard = (
            await self._relay.send({"action": "hangup", "uniqueid": uniqueid, "leg": leg})
            if (self._relay is not None)
            else 0
        )
        if not heard:
            log.warning("hang-up of the %s leg of Asterisk call %s: no AMI session", leg, call_id)
