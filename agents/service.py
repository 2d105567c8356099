"""The router: snapshot the queues and ready agents, decide (pure), claim (atomic)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from agents.models import Assignment, Candidate, QueueConfig
from agents.ports import ClaimResult, RoutingState
from agents.routing import assign, escalate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """What routing knows of an agent besides presence: skills with levels, languages,
    queue memberships."""

    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset({"zh-CN"})
    queues: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One routing round: the offers made and the claims lost to another router."""

    offered: list[Assignment]
    lost: int


class Router:
    """Routes waiting calls to ready agents; any number of instances may run it at once."""

    def __init__(
        self,
        state: RoutingState,
        queues: Mapping[str, QueueConfig],
        profiles: Mapping[int, AgentProfile],
        *,
        offer_seconds: int = 20,
        head_limit: int = 200,
    ) -> None:
        self._state = state
        self._queues = dict(queues)
        self._profiles = dict(profiles)
        self._offer_ms = offer_seconds * 1000
        self._limit = head_limit

    def update_profiles(self, profiles: Mapping[int, AgentProfile]) -> None:
        """Replace the agents' skills and memberships (after an edit, at a refresh)."""
        self._profiles = dict(profiles)

    async def route_once(self, now_ms: int) -> RoundResult:
        """Decide on a snapshot and claim every decision; a lost claim is chosen again in the
        next round (the snapshot was stale: another router took the agent or the call)."""
        ready, waiting = await self._state.snapshot(list(self._queues), self._limit)
        if not ready or not waiting:
            return RoundResult([], 0)
        home = {call.call_id: call.queue for call in waiting}
        routed = [
            escalate(call, self._queues[call.queue], now_ms) if call.queue in self._queues else call
            for call in waiting
        ]
        candidates = [
            Candidate(agent_id, since, p.skills, p.languages, p.queues)
            for agent_id, since in ready.items()
            if (p := self._profiles.get(agent_id)) is not None
        ]
        decided = [replace(a, queue=home[a.call_id]) for a in assign(routed, candidates, now_ms)]
        results = await self._state.claim(decided, now_ms, self._offer_ms)
        offered = [a for a, r in zip(decided, results, strict=True) if r is ClaimResult.CLAIMED]
        lost = len(decided) - len(offered)
        if lost:
            log.debug("routing round: %d claims lost to another router", lost)
        return RoundResult(offered, lost)

    async def expire_offers(self, now_ms: int) -> list[tuple[str, int]]:
        """Offers not answered in time: calls back to the head of their queue, agents to not
        ready (no answer). Returns the (call, agent) pairs requeued."""
        requeued = []
        for call_id, agent_id in await self._state.expired_offers(now_ms):
            if await self._state.requeue_at_head(call_id, agent_id, now_ms):
                log.info("offer of call %s to agent %d timed out: requeued", call_id, agent_id)
                requeued.append((call_id, agent_id))
        return requeued
