"""A call with an agent, to its end: the agent's leg ends (`agent_left`), the caller's call
ends, the desk hangs up or transfers, and wrap-up (timed per queue, or done early with a
disposition and notes) finishes the call's record."""

from __future__ import annotations

import logging

from agents.models import (
    SYSTEM,
    Actor,
    Actorship,
    AgentState,
    CallerLine,
    Presence,
    Priority,
    QueueRequest,
    RoutedCall,
    WaitingCall,
)
from agents.ports import AcdState, AgentInfo, Bridge, CallEvents
from agents.presence import StateConflictError, parse_manual
from agents.presence_service import PresenceService
from agents.queueing import Queueing
from agents.roster import Roster
from callcenter.core.ending import EndedBy
from callcenter.core.errors import InvalidInputError

log = logging.getLogger(__name__)
S = AgentState
TRANSFER_WAIT_SECONDS = 60  # a call transferred to an agent waits this long for that agent
ON_CALL = frozenset({S.ON_CALL})


class WrapUp:
    """The end of a call with an agent, and the agent's wrap-up."""

    def __init__(
        self,
        state: AcdState,
        roster: Roster,
        presence: PresenceService,
        queueing: Queueing,
        *,
        bridge: Bridge,
        calls: CallEvents,
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._queueing = queueing
        self._bridge = bridge
        self._calls = calls

    async def call_ended(
        self,
        call_id: str,
        reason: str,
        routed: RoutedCall | None,
        waiting: WaitingCall | None,
        offered_to: int | None,
    ) -> bool:
        """The caller's call is over (provider status); `routed`, `waiting` and the agent it
        was `offered_to` as the ACD held them then. Queued or offered: abandoned, the offer
        withdrawn from the desk; with an agent still on it: the agent goes to timed wrap-up
        (the hang-up the adapter records ends the talk). True when the call keeps its place
        for a callback."""
        if routed is None:
            return False
        if waiting is not None:
            if routed.callback:
                return True  # the caller hung up after asking for a callback: place kept
            await self._queueing.caller_left(call_id, routed, waiting, reason, offered_to)
            return False
        if routed.agent_id is not None:
            await self._to_wrap_up(routed.agent_id, call_id, routed.queue, SYSTEM)
        return False

    async def agent_left(self, call_id: str, agent_id: int, by: str) -> bool:
        """The agent's leg of the call ended (`by`: who ended it — agent, caller, system,
        network): `agent_left` on the call record, so the talk time ends here, and the
        agent to timed wrap-up. False (nothing recorded) when the agent is not on this call
        any more (it left before, or the desk hung up)."""
        if self._roster.find(agent_id) is None:
            return False
        routed, _ = await self._state.call_data(call_id)
        queue = routed.queue if routed is not None else ""
        return await self._leave(call_id, agent_id, queue, by, SYSTEM)

    async def handed_over(self, call_id: str, agent_id: int, queue: str) -> bool:
        """The agent handed the call to the agent it consulted: to timed wrap-up, the call
        going on (no `agent_left`: the talk goes on with the other agent)."""
        return await self._to_wrap_up(agent_id, call_id, queue, SYSTEM)

    async def _leave(
        self, call_id: str, agent_id: int, queue: str, by: str, actor: Actorship
    ) -> bool:
        if not await self._to_wrap_up(agent_id, call_id, queue, actor):
            return False
        await self._calls.record_event(call_id, "agent_left", {"agent_id": agent_id, "by": by})
        return True

    async def _to_wrap_up(self, agent_id: int, call_id: str, queue: str, actor: Actorship) -> bool:
        now = self._presence.now_ms()
        new = Presence(S.WRAP_UP, now, None, call_id)
        until = now + self._roster.queues.wrap_up_ms(queue)
        applied, _ = await self._presence.change(
            agent_id, ON_CALL, new, actor, until, call_id=call_id
        )
        if applied:
            await self._state.publish(agent_id, {"type": "call_ended", "call_id": call_id})
        return applied

    async def hang_up(self, agent_id: int, actor: Actorship) -> str:
        """The agent ends the call from the desk: the caller is hung up, the hang-up is
        recorded as the agent's, and the agent goes to wrap-up."""
        call_id = await self._presence.current_call(agent_id, ON_CALL)
        routed = (await self._state.call_data(call_id))[0] or RoutedCall()
        await self._bridge.hang_up(call_id, routed)
        by = EndedBy.AGENT if actor.kind is Actor.AGENT else EndedBy.SYSTEM
        if await self._leave(call_id, agent_id, routed.queue, by.value, actor):
            await self._calls.record_event(
                call_id, "hung_up", {"by": by.value, "reason": "desk-hang-up"}
            )
        return call_id

    async def transfer(
        self, agent_id: int, *, queue: str | None, to_agent: int | None, actor: Actorship
    ) -> str:
        """Send the call to a queue, or to an agent (who gets it first for a while); the
        transferring agent goes to wrap-up."""
        if (queue is None) == (to_agent is None):
            raise InvalidInputError("transfer to a queue or to an agent", code="invalid-transfer")
        call_id = await self._presence.current_call(agent_id, ON_CALL)
        if to_agent is not None:
            queue = await self._queue_for(call_id, self._roster.agent(to_agent))
        assert queue is not None
        known, _ = await self._state.call_data(call_id)
        line = known.line if known is not None else CallerLine()
        await self._calls.record_event(
            call_id, "transferred", {"queue": queue, "to_agent": to_agent, "by": agent_id}
        )
        request = QueueRequest(
            call_id,
            queue,
            Priority.IMPORTANT,  # a transferred caller has waited once already
            preferred_agent=to_agent,
            preferred_wait_seconds=TRANSFER_WAIT_SECONDS,
            line=line,
            transferred_by=agent_id,
        )
        await self._queueing.enqueue(request)
        await self._calls.record_event(call_id, "queued", {"queue": queue, "transferred": True})
        await self._bridge.withdraw(call_id, RoutedCall(line, queue, transferred_by=agent_id))
        now = self._presence.now_ms()
        await self._presence.change(
            agent_id,
            ON_CALL,
            Presence(S.WRAP_UP, now, None, call_id),
            actor,
            now + self._roster.queues.wrap_up_ms(queue),
        )
        return call_id

    async def _queue_for(self, call_id: str, target: AgentInfo) -> str:
        """The queue a call transferred to `target` waits in: its own queue when the agent
        serves it, else general, else any queue of the agent's."""
        routed, _ = await self._state.call_data(call_id)
        current = routed.queue if routed is not None else None
        for queue in (current, "general", *sorted(target.queues)):
            if queue in target.queues and queue in self._roster.queues:
                return str(queue)
        raise InvalidInputError(
            f"agent {target.agent_id} serves no configured queue", code="invalid-transfer"
        )

    async def wrap_up_done(
        self,
        agent_id: int,
        disposition: str,
        notes: str,
        actor: Actorship,
        *,
        not_ready_reason: str | None = None,
    ) -> Presence:
        """Wrap-up finished early, with the disposition and notes: ready again (or not ready
        with a reason)."""
        call_id = await self._presence.current_call(agent_id, frozenset({S.WRAP_UP}))
        now = self._presence.now_ms()
        if not_ready_reason is not None:
            _, code = parse_manual(S.NOT_READY, not_ready_reason, actor.kind)
            new = Presence(S.NOT_READY, now, code)
        else:
            new = Presence(S.READY, now)
        applied, previous = await self._presence.change(
            agent_id, frozenset({S.WRAP_UP}), new, actor
        )
        if not applied:
            raise StateConflictError(f"the agent is {previous.state} now, not in wrap-up")
        await self._finish_call(call_id, agent_id, disposition, notes)
        return new

    async def expire(self) -> int:
        """Timed wrap-ups that ended make their agents ready. How many."""
        now = self._presence.now_ms()
        done = 0
        for agent_id in await self._state.wrap_ups_due(now):
            applied, previous = await self._presence.change(
                agent_id, frozenset({S.WRAP_UP}), Presence(S.READY, now), SYSTEM
            )
            if applied and previous.call_id:
                await self._finish_call(previous.call_id, agent_id, None, "")
            done += applied
        return done

    async def _finish_call(
        self, call_id: str, agent_id: int, disposition: str | None, notes: str
    ) -> None:
        if notes:
            await self._calls.record_event(
                call_id, "note_added", {"kind": "agent_notes", "agent_id": agent_id, "text": notes}
            )
        routed, _ = await self._state.call_data(call_id)
        if routed is not None and routed.transferred_by == agent_id:
            return  # the call lives on with another agent
        await self._calls.record_event(
            call_id,
            "wrap_up_done",
            {"agent_id": agent_id, "disposition": disposition or "no-disposition"},
        )
        await self._state.forget_call(call_id)
