"""Agents for outbound calls: a campaign call (or a queued callback) waits in its agent queue
until the router reserves an agent for it, before it is dialled (progressive, preview,
callbacks); a predictive call takes a ready agent at the answer or is abandoned; a reserved
agent whose callee never answered is released, ready again, with no fault of theirs.

The call keeps one id from the reservation to the end: when the callee answers and their
flow puts them in line, the call is already offered to the reserved agent, and the provider
rings that agent's device as for any offer."""

from __future__ import annotations

import asyncio
import logging

from agents.models import SYSTEM, AgentState, Presence, QueueRequest, RoutedCall, WaitingCall
from agents.offers import Offers
from agents.ports import AcdState, Bridge, CallEvents
from agents.presence_service import PresenceService
from agents.queueing import CALLBACK_MARK, Queueing
from agents.roster import Roster

log = logging.getLogger(__name__)
S = AgentState
RECORD_WAIT_TRIES, RECORD_WAIT_SECONDS = 200, 0.005  # at most a second


class Seats:
    """Reserve, connect and release agents for outbound calls."""

    def __init__(
        self,
        state: AcdState,
        roster: Roster,
        presence: PresenceService,
        queueing: Queueing,
        offers: Offers,
        *,
        bridge: Bridge,
        calls: CallEvents,
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._queueing = queueing
        self._offers = offers
        self._bridge = bridge
        self._calls = calls

    async def free(self, queue: str) -> int:
        """Ready agents of `queue` not yet wanted by a call waiting there: how many calls a
        progressive dialer may start for it now (inbound callers waiting come first)."""
        members = self._roster.members(queue)
        presences = await self._state.presences(members)
        ready = sum(1 for p in presences.values() if p.state is S.READY)
        return max(0, ready - await self._state.waiting_count(queue))

    async def ready(self, queue: str) -> int:
        """Ready agents of `queue` now (predictive pacing)."""
        presences = await self._state.presences(self._roster.members(queue))
        return sum(1 for p in presences.values() if p.state is S.READY)

    async def load(self, queue: str) -> tuple[int, list[int], list[int]]:
        """The queue's agents for predictive pacing: how many are ready, when the wrap-ups
        under way end, and when the calls under way started (ms)."""
        presences = await self._state.presences(self._roster.members(queue))
        wrap_up_ms = self._roster.queues.wrap_up_ms(queue)
        ready = sum(1 for p in presences.values() if p.state is S.READY)
        ends = [p.since_ms + wrap_up_ms for p in presences.values() if p.state is S.WRAP_UP]
        starts = [p.since_ms for p in presences.values() if p.state is S.ON_CALL]
        return ready, ends, starts

    async def hold(self, request: QueueRequest) -> None:
        """A campaign call to place once an agent is reserved for it: it waits in line with
        the campaign's priority; the router's offer reserves the agent (see `Offers`)."""
        await self._queueing.enqueue(request)

    async def hold_callback(self, request: QueueRequest, phone: str) -> None:
        """A queued callback back in line for its next try (a pending callback: never timed
        out, hanging up no longer abandons it)."""
        await self._queueing.enqueue(request)
        known, _ = await self._state.call_data(request.call_id)
        routed = (known or RoutedCall(request.line, request.queue)).but(callback=True, phone=phone)
        await self._state.put_call_data(request.call_id, routed)
        await self._state.mark_max_wait(request.call_id, CALLBACK_MARK)

    async def reserved_for(self, call_id: str) -> int | None:
        """The agent reserved (offered) for the call, if any."""
        return await self._state.offered_to(call_id)

    async def connect_reserved(self, request: QueueRequest) -> bool:
        """The callee answered and their flow puts them in line: when the call is already
        offered to a reserved agent, that agent's device is rung now (True); False when no
        agent is reserved (the call is queued as usual)."""
        agent_id = await self._state.offered_to(request.call_id)
        known, _ = await self._state.call_data(request.call_id)
        agent = self._roster.find(agent_id) if agent_id is not None else None
        if agent is None or known is None:
            return False
        # a live call from now on (a callback's too: no more agent-first dialling)
        routed = known.but(
            line=request.line, agent_id=agent.agent_id, callback=False, attempt=request.attempt
        )
        await self._state.put_call_data(request.call_id, routed)
        await self._calls.record_event(
            request.call_id, "note_added", {"kind": "agent_reserved", "agent_id": agent.agent_id}
        )
        if await self._bridge.connect(request.call_id, routed, agent):
            await self._offers.ringing(request.call_id, agent.agent_id)
        return True

    async def reserve_now(self, request: QueueRequest) -> int | None:
        """A predictive call answered: in line at once and routed now; the agent it was
        offered to, or None (no agent free: the call leaves the line, an abandon)."""
        await self._queueing.enqueue(request)
        await self._offers.route()
        agent_id = await self._recorded_offer(request.call_id)
        if agent_id is None:
            await self.release(request.call_id, "no-agent")
        return agent_id

    async def _recorded_offer(self, call_id: str) -> int | None:
        """The agent the call is offered to once the offer is on record: another instance's
        (or task's) routing round may have claimed it and be recording it right now, which
        takes milliseconds; an agent taking the call before that would never wrap up."""
        for _ in range(RECORD_WAIT_TRIES):
            agent_id = await self._state.offered_to(call_id)
            known, _ = await self._state.call_data(call_id)
            if agent_id is None or (known is not None and known.agent_id == agent_id):
                return agent_id
            await asyncio.sleep(RECORD_WAIT_SECONDS)
        return await self._state.offered_to(call_id)

    async def release(self, call_id: str, reason: str) -> int | None:
        """The campaign call will not reach its agent (no answer, busy, a machine, no agent
        free): it leaves the line, and a reserved agent is ready again (not their fault).
        The agent released, if one was reserved."""
        now = self._presence.now_ms()
        agent_id = await self._state.abandon(call_id, now)
        if agent_id is not None:
            await self._state.publish(
                agent_id, {"type": "offer_withdrawn", "call_id": call_id, "reason": reason}
            )
            await self._presence.announce(
                agent_id, Presence(S.RESERVED, now, None, call_id), Presence(S.READY, now), SYSTEM
            )
            await self._calls.record_event(
                call_id, "offer_withdrawn", {"agent_id": agent_id, "reason": reason}
            )
        await self._state.forget_call(call_id)
        log.info("outbound call %s left the line: %s", call_id, reason)
        return agent_id

    async def routed(self, call_id: str) -> RoutedCall | None:
        """The routing data of a call still in the ACD, else None."""
        known, _ = await self._state.call_data(call_id)
        return known

    async def waiting(self, call_id: str) -> WaitingCall | None:
        """The routing data of a call queued or offered (queue, priority, since when)."""
        return await self._state.waiting_call(call_id)

    async def is_outbound(self, call_id: str) -> RoutedCall | None:
        """The routing data of a campaign call still in the ACD, else None."""
        known, _ = await self._state.call_data(call_id)
        return known if known is not None and known.attempt else None
