"""The routing decision, pure: which ready agent gets which waiting call.

`choose_agent` ranks the eligible ready agents for one call: the preferred agent (the
account manager, the last agent for a callback) first; while the call is within its
preferred-agent wait limit nobody else is eligible (the call waits for that agent); then the
agents with the highest skill level over the call's required skills; then the one idle
longest. Eligible means: a member of the call's queue, every required skill, the call's
language. `assign` runs this over the waiting calls in routing order (priority, then time
in queue) so that one round hands each agent at most one call. Time is passed in.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from agents.models import Assignment, Candidate, MaxWaitAction, QueueConfig, WaitingCall


def eligible(call: WaitingCall, agent: Candidate) -> bool:
    """Whether `agent` may take `call` at all."""
    return _fits(kind_of(call), agent)


def waits_for_preferred(call: WaitingCall, now_ms: int) -> bool:
    """Whether the call is still within the time it waits for its preferred agent."""
    return (
        call.preferred_agent is not None
        and now_ms < call.enqueued_ms + call.preferred_wait_seconds * 1000
    )


def choose_agent(
    call: WaitingCall, candidates: Iterable[Candidate], now_ms: int
) -> list[Candidate]:
    """Eligible ready agents for `call`, best first (empty: nobody may take it now)."""
    pool = [agent for agent in candidates if eligible(call, agent)]
    if waits_for_preferred(call, now_ms):
        return [agent for agent in pool if agent.agent_id == call.preferred_agent]

    kind = kind_of(call)

    def rank(agent: Candidate) -> tuple[int, tuple[int, int, int]]:
        return (0 if agent.agent_id == call.preferred_agent else 1, _rank_key(kind, agent))

    return sorted(pool, key=rank)


def routing_order(calls: Iterable[WaitingCall]) -> list[WaitingCall]:
    """Waiting calls in the order they are served: priority, then time in queue."""
    return sorted(calls, key=lambda c: (c.priority, c.enqueued_ms, c.call_id))


Kind = tuple[str, tuple[str, ...], str]  # queue, required skills, language


def kind_of(call: WaitingCall) -> Kind:
    """Calls of one kind rank the agents the same way (but for a preferred agent)."""
    return (call.queue, call.skills, call.language)


def _fits(kind: Kind, agent: Candidate) -> bool:
    queue, skills, language = kind
    return (
        queue in agent.queues
        and language in agent.languages
        and all(skill in agent.skills for skill in skills)
    )


def _rank_key(kind: Kind, agent: Candidate) -> tuple[int, int, int]:
    level = min((agent.skills[s] for s in kind[1]), default=0)
    return (-level, agent.idle_since_ms, agent.agent_id)


Entry = tuple[tuple[int, int, int], Candidate]


class Rankings:
    """The ready agents and, for each kind of call, the eligible ones best first; kept
    between rounds.

    `update` takes what changed since the last round: agents new or changed (ready again,
    so idle since another time) are inserted in place; agents gone stay in the lists as
    stale entries, skipped when walked, cut from the head, and swept out when they make up
    half a list (one list a round, so that no round pays for several). A round then costs
    what changed, not the number of ready agents."""

    def __init__(self, agents: Iterable[Candidate] = ()) -> None:
        self._agents: dict[int, Candidate] = {}
        self._lists: dict[Kind, list[Entry]] = {}
        self._stale: dict[Kind, int] = {}
        self.reset(agents)

    def __len__(self) -> int:
        return len(self._agents)

    def reset(self, agents: Iterable[Candidate]) -> None:
        """Start again from these ready agents."""
        self._agents = {agent.agent_id: agent for agent in agents}
        self._lists.clear()

    def agent(self, agent_id: int) -> Candidate | None:
        """The ready agent `agent_id`, if ready."""
        return self._agents.get(agent_id)

    def live(self, agent: Candidate) -> bool:
        """Whether the entry of `agent` is current (the agent is ready since that time)."""
        return self._agents.get(agent.agent_id) is agent

    def update(self, added: Sequence[Candidate], gone: Sequence[Candidate]) -> None:
        """Agents that became ready (or ready since another time), agents no longer ready
        (or replaced by their entry in `added`)."""
        for agent in gone:
            if self.live(agent):
                del self._agents[agent.agent_id]
        for agent in added:
            self._agents[agent.agent_id] = agent
        if len(added) * 2 > len(self._agents):
            self._lists.clear()  # mostly new: ranking afresh when asked costs less
            return
        for kind, entries in self._lists.items():
            for agent in added:
                if _fits(kind, agent):
                    insort(entries, (_rank_key(kind, agent), agent))
            stale = self._stale[kind] + sum(1 for agent in gone if _fits(kind, agent))
            self._stale[kind] = stale - self._cut_head(entries)
        self._sweep_stalest()

    def _cut_head(self, entries: list[Entry]) -> int:
        """Drop the stale entries at the head of a list; how many."""
        head = 0
        while head < len(entries) and not self.live(entries[head][1]):
            head += 1
        del entries[:head]
        return head

    def _sweep_stalest(self) -> None:
        """Sweep at most one list a round (the stalest), so that no round pays for several."""
        if not self._lists:
            return
        kind = max(self._lists, key=lambda k: self._stale[k] / (len(self._lists[k]) or 1))
        entries, agents = self._lists[kind], self._agents
        if self._stale[kind] * 2 > len(entries):
            entries[:] = [e for e in entries if agents.get(e[1].agent_id) is e[1]]
            self._stale[kind] = 0

    def ranked(self, kind: Kind) -> list[Entry]:
        """(rank, agent) for `kind`, best first; check entries with `live`."""
        entries = self._lists.get(kind)
        if entries is None:
            entries = sorted(
                (_rank_key(kind, agent), agent)
                for agent in self._agents.values()
                if _fits(kind, agent)
            )
            self._lists[kind] = entries
            self._stale[kind] = 0
        return entries


def assign(
    calls: Iterable[WaitingCall], candidates: Sequence[Candidate], now_ms: int
) -> list[Assignment]:
    """One routing round: each call in routing order gets the best agent still free (the
    first of `choose_agent` over the agents not yet given a call this round)."""
    return assign_ranked(calls, Rankings(candidates), now_ms)


def assign_ranked(
    calls: Iterable[WaitingCall], rankings: Rankings, now_ms: int
) -> list[Assignment]:
    """`assign` over ready agents kept in `rankings` between rounds.

    Calls that share queue, skills and language rank the agents the same way, so the ranking
    is made once per kind of call and walked on; a preferred agent is looked up directly.
    The result is the same as calling `choose_agent` for each call."""
    taken: set[int] = set()
    walked: dict[Kind, int] = {}
    decided: list[Assignment] = []
    for call in routing_order(calls):
        if len(taken) == len(rankings):
            break
        chosen: Candidate | None = None
        if call.preferred_agent is not None:
            preferred = rankings.agent(call.preferred_agent)
            if (
                preferred is not None
                and preferred.agent_id not in taken
                and eligible(call, preferred)
            ):
                chosen = preferred
            elif waits_for_preferred(call, now_ms):
                continue
        if chosen is None:
            kind = kind_of(call)
            ranked, at = rankings.ranked(kind), walked.get(kind, 0)
            while at < len(ranked) and (
                ranked[at][1].agent_id in taken or not rankings.live(ranked[at][1])
            ):
                at += 1
            walked[kind] = at
            chosen = ranked[at][1] if at < len(ranked) else None
        if chosen is not None:
            taken.add(chosen.agent_id)
            decided.append(Assignment(call.call_id, chosen.agent_id, call.queue))
    return decided


def escalate(call: WaitingCall, queue: QueueConfig, now_ms: int) -> WaitingCall:
    """After the queue's overflow time: move to the overflow queue, or widen the skills."""
    after = queue.overflow_after_seconds
    if after is None or now_ms < call.enqueued_ms + after * 1000:
        return call
    if queue.overflow_queue is not None and queue.overflow_queue != call.queue:
        return replace(call, queue=queue.overflow_queue)
    if call.skills:
        return replace(call, skills=())
    return call


def estimated_wait_seconds(
    position: int, agents_serving: int, average_handle_seconds: float
) -> float:
    """Expected wait of the call at `position` (1 = next): the calls ahead of it shared out
    among the agents who serve the queue, each taking the average handle time."""
    if agents_serving <= 0:
        return float("inf")
    return (position - 1) / agents_serving * average_handle_seconds


def queue_configs(configs: Iterable[QueueConfig]) -> Mapping[str, QueueConfig]:
    """By name, refusing duplicates and overflow into unknown queues."""
    by_name: dict[str, QueueConfig] = {}
    for config in configs:
        if config.name in by_name:
            raise ValueError(f"queue {config.name!r} is defined twice")
        by_name[config.name] = config
    for config in by_name.values():
        if config.overflow_queue is not None and config.overflow_queue not in by_name:
            raise ValueError(
                f"queue {config.name!r} overflows into unknown queue {config.overflow_queue!r}"
            )
        if (
            config.max_wait_action is MaxWaitAction.OVERFLOW
            and config.overflow_queue is None
            and "general" not in by_name
        ):
            raise ValueError(
                f"queue {config.name!r} overflows at its maximum wait but has no overflow_queue"
                " and there is no queue named 'general'"
            )
    return by_name
