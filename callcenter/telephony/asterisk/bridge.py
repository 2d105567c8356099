"""Offers on Asterisk: the caller waits in its FastAGI session, which looks for an offer
every half second and dials the agent's device itself (`EXEC Dial`). The agent leg's answer
reaches callcenter through the Dial's `U()` subroutine, which runs a short FastAGI request
(`answered`); the Dial's end (DIALSTATUS) tells the session what happened. So the ACD's
bridge has nothing to start on Asterisk; it names the device to dial.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from agents.ports import AgentInfo

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
    """Implements `agents.ports.Bridge` for calls held by a FastAGI session."""

    async def connect(self, call_id: str, meta: Mapping[str, Any], agent: AgentInfo) -> None:
        if dial_target(agent) is None:
            log.warning(
                "agent %d's device (%s) cannot be dialled from Asterisk: the offer will time out",
                agent.agent_id,
                agent.device_kind,
            )

    async def withdraw(self, call_id: str, meta: Mapping[str, Any]) -> None:
        """The session sees the offer gone when the Dial ends (it rings out the offer
        time); ending the ringing leg early needs the AMI, not wired yet."""

    async def hang_up(self, call_id: str, meta: Mapping[str, Any]) -> None:
        log.warning("hang-up of Asterisk call %s from the desk needs the AMI: not sent", call_id)

    async def is_live(self, meta: Mapping[str, Any]) -> bool | None:
        return None  # the FastAGI session reports the end itself
