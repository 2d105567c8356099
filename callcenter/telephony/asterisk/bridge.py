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
from typing import TYPE_CHECKING, Any

from agents.ports import AgentInfo
from callcenter.telephony.asterisk.ami import AmiError
from callcenter.telephony.asterisk.channels import Channel

if TYPE_CHECKING:
    from callcenter.telephony.asterisk.service import AsteriskAmi

log = logging.getLogger(__name__)
PROVIDER = "asterisk"
ANSWERED_SUBROUTINE = "callcenter-answered"  # extensions.conf: runs AGI(.../answered,…)


def dial_target(agent: AgentInfo) -> str | None:
    """The Dial string of the agent's device (None: not reachable from Asterisk).
    `sip` devices are PJSIP endpoints ("1001" or "PJSIP/1001"); `phone` numbers are dialled
    through the outbound context of the sample dialplan."""
    address = agent.device_address.strip()
    if agent.device_kind == "sip" and address:
        return address if "/" in address else f"PJSIP/{address}"
    if agent.device_kind == "phone" and address:
        return f"Local/{address.lstrip('+')}@campaign-out"
    return None


def dial_args(target: str, seconds: int, call_id: str, agent_id: int) -> str:
    """`Dial` arguments: ring for the offer time; on answer run the subroutine that tells
    callcenter (the offer is accepted while the agent talks)."""
    return f"{target},{seconds},U({ANSWERED_SUBROUTINE}^{call_id}^{agent_id})"


class AsteriskBridge:
    """Implements `agents.ports.Bridge` for calls held by a FastAGI session. With the AMI
    session up on this instance (`ami`), a withdrawn offer stops the agent's ringing leg,
    the desk's hang-up ends the caller's channel, and the reconciler learns whether a
    call's channel still exists."""

    def __init__(self) -> None:
        self.ami: AsteriskAmi | None = None

    def _channel(self, meta: Mapping[str, Any]) -> Channel | None:
        ami = self.ami
        if ami is None or not ami.connected:
            return None
        return ami.tracker.by_uniqueid(str(meta.get("provider_call") or ""))

    async def connect(self, call_id: str, meta: Mapping[str, Any], agent: AgentInfo) -> None:
        if dial_target(agent) is None:
            log.warning(
                "agent %d's device (%s) cannot be dialled from Asterisk: the offer will time out",
                agent.agent_id,
                agent.device_kind,
            )

    async def withdraw(self, call_id: str, meta: Mapping[str, Any]) -> None:
        channel = self._channel(meta)
        if channel is not None and channel.dialing and self.ami is not None:
            await self._hangup(channel.dialing)  # the caller's session then waits again

    async def hang_up(self, call_id: str, meta: Mapping[str, Any]) -> None:
        channel = self._channel(meta)
        if channel is None or self.ami is None:
            log.warning("hang-up of Asterisk call %s: no AMI session here, not sent", call_id)
            return
        await self._hangup(channel.name)

    async def is_live(self, meta: Mapping[str, Any]) -> bool | None:
        ami = self.ami
        if ami is None or not ami.connected:
            return None
        return self._channel(meta) is not None

    async def _hangup(self, channel: str) -> None:
        assert self.ami is not None
        try:
            await self.ami.hangup(channel)
        except AmiError as err:
            log.warning("AMI Hangup of %s failed: %s", channel, err)
