"""Consulting a second agent while the caller waits on hold, then completing the
transfer, cancelling it, or talking all three together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from agents.live.models import Consult, ConsultStatus, LiveCall, LiveState
from agents.live.service import LiveCalls, LiveConflictError, LiveParts
from agents.models import SYSTEM, Actor, Actorship, AgentState, Presence
from agents.ports import AgentInfo
from callcenter.core.errors import InvalidInputError

S = AgentState


class Consults:
    """The consultation use case, on the live call's parts (`LiveCalls`)."""

    def __init__(
        self,
        core: LiveCalls,
        parts: LiveParts,
        leave: Callable[[str, int, str], Awaitable[bool]],
    ) -> None:
        self._core = core
        self._state = parts.state
        self._roster = parts.roster
        self._presence = parts.presence
        self._controls = parts.controls
        self._lives = parts.lives
        self._calls = parts.calls
        self._leave = leave

    # -- consult ---------------------------------------------------------------------------

    async def consult(
        self, agent_id: int, *, to_agent: int | None, queue: str | None
    ) -> tuple[str, LiveState]:
        """Ring a second agent (named, or the queue's longest-idle ready agent) while the
        caller waits on hold; the two talk once it answers."""
        if (to_agent is None) == (queue is None):
            raise InvalidInputError("consult an agent or a queue", code="invalid-consult")
        call = await self._core.call_of(agent_id)
        if call.state.consult is not None:
            raise LiveConflictError("a consultation is in progress", code="consult-in-progress")
        target = await self._reserve(call, to_agent, queue)
        try:
            state = await self._controls.of(call.routed).consult(call, target)
        except Exception:
            await self._core.free(call.call_id, target.agent_id)
            raise
        state = state.but(held=True, consult=Consult(target.agent_id, queue=queue))
        await self._core.keep(call, state, "consult_started", to_agent=target.agent_id, queue=queue)
        _, pop = await self._state.call_data(call.call_id)
        await self._state.publish(
            target.agent_id,
            {
                "type": "consult_offer",
                "call_id": call.call_id,
                "from_agent_id": agent_id,
                "pop": pop,
            },
        )
        return call.call_id, state

    async def _reserve(self, call: LiveCall, to_agent: int | None, queue: str | None) -> AgentInfo:
        """The consulted agent, taken out of routing (reserved for this call)."""
        if to_agent is not None:
            if to_agent == call.agent.agent_id:
                raise InvalidInputError("an agent cannot consult itself", code="invalid-consult")
            candidates = [self._roster.agent(to_agent)]
        else:
            assert queue is not None
            candidates = await self._ready_in(queue, call.agent.agent_id)
        now = self._presence.now_ms()
        for agent in candidates:
            new = Presence(S.RESERVED, now, "consult", call.call_id)
            applied, _ = await self._presence.change(
                agent.agent_id,
                frozenset({S.READY}),
                new,
                Actorship(Actor.AGENT, call.agent.agent_id),
            )
            if applied:
                return agent
        where = f"agent {to_agent}" if to_agent is not None else f"queue {queue}"
        raise LiveConflictError(f"nobody is ready in {where}", code="consult-target-not-ready")

    async def _ready_in(self, queue: str, but: int) -> list[AgentInfo]:
        if queue not in self._roster.queues:
            raise InvalidInputError(f"no queue named {queue!r}", code="no-such-queue")
        presences = await self._presence.presences()
        ready = [
            (p.since_ms, agent_id)
            for agent_id, p in presences.items()
            if p.state is S.READY and agent_id != but
        ]
        agents = [self._roster.agent(agent_id) for _, agent_id in sorted(ready)]
        return [a for a in agents if queue in a.queues and a.enabled]

    async def consult_answered(self, call_id: str, target_id: int) -> None:
        """The consulted agent's device answered: the two agents talk."""
        state = await self._lives.get(call_id)
        if state is None or state.consult is None or state.consult.agent_id != target_id:
            return
        now = self._presence.now_ms()
        await self._presence.change(
            target_id,
            frozenset({S.RESERVED}),
            Presence(S.ON_CALL, now, None, call_id),
            SYSTEM,
            call_id=call_id,
        )
        consult = Consult(target_id, ConsultStatus.TALKING, state.consult.queue)
        new = state.but(consult=consult)
        await self._lives.put(call_id, new)
        await self._calls.record_event(call_id, "consult_answered", {"agent_id": target_id})
        await self._core.publish(call_id, new)

    async def consult_unanswered(self, call_id: str, target_id: int, status: str) -> None:
        """The consulted agent's device did not answer or hung up: the consultation ends,
        the caller stays on hold with the agent."""
        state = await self._lives.get(call_id)
        if state is None or state.consult is None or state.consult.agent_id != target_id:
            return
        new = state.but(consult=None)
        await self._lives.put(call_id, new)
        await self._core.free(call_id, target_id)
        await self._calls.record_event(
            call_id,
            "consult_cancelled",
            {"agent_id": state.agent_id, "to_agent": target_id, "reason": status},
        )
        await self._core.publish(call_id, new)

    async def _consulting(
        self, agent_id: int, *, answered: bool
    ) -> tuple[LiveCall, Consult, AgentInfo]:
        call = await self._core.call_of(agent_id)
        consult = call.state.consult
        if consult is None:
            raise LiveConflictError("no consultation in progress", code="no-consult")
        if answered and consult.status is ConsultStatus.RINGING:
            raise LiveConflictError(
                "the consulted agent has not answered", code="consult-not-answered"
            )
        return call, consult, self._roster.agent(consult.agent_id)

    async def cancel_consult(self, agent_id: int) -> tuple[str, LiveState]:
        call, _, target = await self._consulting(agent_id, answered=False)
        state = await self._controls.of(call.routed).cancel_consult(call, target)
        state = state.but(consult=None)
        await self._core.free(call.call_id, target.agent_id)
        await self._core.keep(call, state, "consult_cancelled", to_agent=target.agent_id)
        return call.call_id, state

    async def conference(self, agent_id: int) -> tuple[str, LiveState]:
        call, consult, target = await self._consulting(agent_id, answered=True)
        state = await self._controls.of(call.routed).conference(call, target)
        state = state.but(
            held=False, consult=Consult(target.agent_id, ConsultStatus.CONFERENCE, consult.queue)
        )
        await self._core.keep(call, state, "conference_started", to_agent=target.agent_id)
        return call.call_id, state

    async def complete_consult(self, agent_id: int) -> tuple[str, LiveState]:
        """The consulting agent leaves (to wrap-up); the consulted agent has the call."""
        call, _, target = await self._consulting(agent_id, answered=True)
        state = await self._controls.of(call.routed).complete_consult(call, target)
        state = state.but(agent_id=target.agent_id, held=False, consult=None)
        await self._lives.put(call.call_id, state)
        routed = call.routed.but(agent_id=target.agent_id, transferred_by=agent_id)
        await self._state.put_call_data(call.call_id, routed)
        await self._calls.record_event(
            call.call_id, "consult_completed", {"agent_id": agent_id, "to_agent": target.agent_id}
        )
        await self._calls.record_event(
            call.call_id, "agent_connected", {"agent_id": target.agent_id, "transferred": True}
        )
        await self._leave(call.call_id, agent_id, routed.queue)
        await self._core.publish(call.call_id, state)
        return call.call_id, state
