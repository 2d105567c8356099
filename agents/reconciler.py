"""The reconciler: repairs drift between shared state, the call records and the switch, and
logs each repair. Agents reserved without a live offer go ready; calls in queue whose call
has ended are abandoned (their end recorded as the system's when nobody recorded it); ready
agents whose desk went away go not ready (system)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from agents.models import SYSTEM, AgentState, NotReadyReason, Presence, RoutedCall
from agents.ports import AcdState, Bridge, CallEvents
from agents.presence_service import PresenceService
from callcenter.core.ending import EndedBy

log = logging.getLogger(__name__)
S = AgentState
DESK_TIMEOUT_MS = 60_000  # a ready agent whose desk is gone this long goes not ready
PROVIDER_CHECKS_PER_PASS = 50

CallEnded = Callable[[str, str], Awaitable[bool]]


class Reconciler:
    """One pass repairs what drifted; run at start and periodically."""

    def __init__(
        self,
        state: AcdState,
        presence: PresenceService,
        *,
        calls: CallEvents,
        bridge: Bridge,
        call_ended: CallEnded,
    ) -> None:
        self._state = state
        self._presence = presence
        self._calls = calls
        self._bridge = bridge
        self._call_ended = call_ended

    async def reconcile(self) -> list[str]:
        """Repair drift and log each repair: agents reserved without a live offer, calls in
        queue whose provider call has ended, ready agents whose desk went away."""
        repairs = await self._agents() + await self._calls_gone()
        for repair in repairs:
            log.warning("reconciler: %s", repair)
        return repairs

    async def _agents(self) -> list[str]:
        now = self._presence.now_ms()
        repairs: list[str] = []
        desks = await self._state.desks()
        for agent_id, presence in (await self._presence.presences()).items():
            if presence.state is S.RESERVED:
                call_id = presence.call_id
                offered = await self._state.offered_to(call_id) if call_id else None
                if offered != agent_id:
                    await self._presence.change(
                        agent_id, frozenset({S.RESERVED}), Presence(S.READY, now), SYSTEM
                    )
                    repairs.append(f"agent {agent_id} reserved without a live offer: ready")
            elif presence.state is S.READY and desk_lost(desks.get(agent_id), now):
                down = Presence(S.NOT_READY, now, NotReadyReason.SYSTEM.value)
                await self._presence.change(agent_id, frozenset({S.READY}), down, SYSTEM)
                repairs.append(f"agent {agent_id} ready but the desk is gone: not ready (system)")
        return repairs

    async def _calls_gone(self) -> list[str]:
        repairs: list[str] = []
        asked = 0  # provider look-ups per pass are bounded (REST rate limits)
        for call_id in await self._state.routed_calls():
            routed, _ = await self._state.call_data(call_id)
            if routed is not None and routed.callback:
                continue
            recorded = await self._calls.has_ended(call_id)
            ended = recorded
            if not ended and routed is not None and asked < PROVIDER_CHECKS_PER_PASS:
                asked += 1
                ended = await self._provider_says_ended(call_id, routed)
            if ended:
                await self._call_ended(call_id, "reconciled")
                if not recorded:  # the provider's hang-up never reached us
                    await self._calls.record_event(
                        call_id, "hung_up", {"by": EndedBy.SYSTEM.value, "reason": "reconciled"}
                    )
                repairs.append(f"call {call_id} queued but its call has ended: abandoned")
        return repairs

    async def _provider_says_ended(self, call_id: str, routed: RoutedCall) -> bool:
        try:
            return await self._bridge.is_live(routed) is False
        except Exception as err:  # the provider unreachable: ask again on the next pass
            log.warning("reconciler could not ask the provider about call %s: %s", call_id, err)
            return False


def desk_lost(seen: int | None, now_ms: int) -> bool:
    """A desk that was connected and is gone: closed (negative: when) longer than the grace
    time ago, or its instance stopped sending heartbeats. Agents who never used a desk (API
    clients) are left alone."""
    if seen is None:
        return False
    last = -seen if seen < 0 else seen
    return now_ms - last > DESK_TIMEOUT_MS
