"""The router: snapshot the queues and ready agents, decide (pure), claim (atomic)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from agents.models import Assignment, Candidate, QueueConfig
from agents.ports import ClaimResult, RoutingState, Snapshot
from agents.routing import Rankings, assign_ranked, escalate, kind_of

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
        # Kept between rounds, so that a round costs what changed since the last one.
        self._rankings = Rankings()
        self._reload = True

    def update_profiles(self, profiles: Mapping[int, AgentProfile]) -> None:
        """Replace the agents' skills and memberships (after an edit, at a refresh)."""
        self._profiles = dict(profiles)
        self._reload = True

    def set_queues(self, queues: Mapping[str, QueueConfig]) -> None:
        """Replace the queues' settings (changed at run time)."""
        self._queues = dict(queues)

    async def prepare(self, now_ms: int) -> None:
        """Load the ready agents and rank them for the calls waiting now, without routing:
        done once at start, so that rounds only pay for what changed since."""
        snapshot = await self._state.snapshot(list(self._queues), self._limit)
        self._follow(snapshot)
        for call in snapshot.waiting:
            if call.queue in self._queues:
                self._rankings.ranked(kind_of(escalate(call, self._queues[call.queue], now_ms)))

    async def route_once(self, now_ms: int) -> RoundResult:
        """Decide on a snapshot and claim every decision; a lost claim is chosen again in the
        next round (the snapshot was stale: another router took the agent or the call)."""
        snapshot = await self._state.snapshot(list(self._queues), self._limit)
        self._follow(snapshot)
        waiting = snapshot.waiting
        if not len(self._rankings) or not waiting:
            return RoundResult([], 0)
        home = {call.call_id: call.queue for call in waiting}
        routed = [
            escalate(call, self._queues[call.queue], now_ms) if call.queue in self._queues else call
            for call in waiting
        ]
        decided = [
            replace(a, queue=home[a.call_id]) for a in assign_ranked(routed, self._rankings, now_ms)
        ]
        results = await self._state.claim(decided, now_ms, self._offer_ms)
        offered = [a for a, r in zip(decided, results, strict=True) if r is ClaimResult.CLAIMED]
        lost = len(decided) - len(offered)
        if lost:
            log.debug("routing round: %d claims lost to another router", lost)
        return RoundResult(offered, lost)

    def _candidate(self, agent_id: int, since: int) -> Candidate | None:
        profile = self._profiles.get(agent_id)
        if profile is None:
            return None
        return Candidate(agent_id, since, profile.skills, profile.languages, profile.queues)

    def _follow(self, snapshot: Snapshot) -> None:
        """Bring the ranked ready agents up to date with the snapshot."""
        ready = snapshot.ready
        if snapshot.changed is None or self._reload:
            self._reload = False
            everyone = (self._candidate(a, since) for a, since in ready.items())
            self._rankings.reset(agent for agent in everyone if agent is not None)
            return
        added, gone = [], []
        for agent_id in snapshot.changed:
            old = self._rankings.agent(agent_id)
            since = ready.get(agent_id)
            if old is not None and old.idle_since_ms == since:
                continue
            if old is not None:
                gone.append(old)
            new = self._candidate(agent_id, since) if since is not None else None
            if new is not None:
                added.append(new)
        if added or gone:
            self._rankings.update(added, gone)

    async def expire_offers(self, now_ms: int) -> list[tuple[str, int]]:
        """Offers not answered in time: calls back to the head of their queue, agents to not
        ready (no answer). Returns the (call, agent) pairs requeued."""
        requeued = []
        for call_id, agent_id in await self._state.expired_offers(now_ms):
            if await self._state.requeue_at_head(call_id, agent_id, now_ms):
                log.info("offer of call %s to agent %d timed out: requeued", call_id, agent_id)
                requeued.append((call_id, agent_id))
        return requeued
