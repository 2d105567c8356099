"""Phantom "ready" agents on Asterisk: PJSIP tells the AMI when a registered contact goes
away (`ContactStatus: Removed`, the phone unregistered or its registration lapsed) or stops
answering its qualify (`Unreachable`). The agent whose `sip` or `webrtc` device is that
endpoint is reported as a failed device (`agents.device`): a ready agent becomes not ready
with the reason `device`, so no call rings into nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from agents.ports import AgentInfo
from callcenter.telephony.asterisk.codec import Message

log = logging.getLogger(__name__)
GONE = frozenset({"Removed", "Unreachable"})
PJSIP_KINDS = frozenset({"sip", "webrtc"})


def endpoint_of(agent: AgentInfo) -> str | None:
    """The PJSIP endpoint of the agent's device ("2001" for `2001` or `PJSIP/2001`)."""
    if agent.device_kind not in PJSIP_KINDS:
        return None
    address = agent.device_address.strip()
    return address.removeprefix("PJSIP/") or None


class ContactWatch:
    """An AMI listener: a gone contact makes its agent's device failed."""

    def __init__(
        self,
        agents: Callable[[], list[AgentInfo]],
        device_gone: Callable[[int, str], Awaitable[object]],
    ) -> None:
        self._agents = agents
        self._device_gone = device_gone
        self._tasks: set[asyncio.Task[object]] = set()

    def on_event(self, event: Message) -> None:
        if event.name != "ContactStatus" or event.get("ContactStatus") not in GONE:
            return
        endpoint = event.get("EndpointName") or event.get("AOR") or ""
        for agent in self._agents():
            if agent.enabled and endpoint and endpoint_of(agent) == endpoint:
                status = event.get("ContactStatus") or ""
                log.warning("agent %d: PJSIP contact of %s %s", agent.agent_id, endpoint, status)
                task = asyncio.ensure_future(self._device_gone(agent.agent_id, status))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Wait for the reports under way (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
