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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from agents.models import Assignment, Candidate, QueueConfig, WaitingCall


def eligible(call: WaitingCall, agent: Candidate) -> bool:
    """Whether `agent` may take `call` at all."""
    return (
        call.queue in agent.queues
        and call.language in agent.languages
        and all(skill in agent.skills for skill in call.skills)
    )


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

    def rank(agent: Candidate) -> tuple[int, int, int, int]:
        level = min((agent.skills[s] for s in call.skills), default=0)
        preferred = 0 if agent.agent_id == call.preferred_agent else 1
        return (preferred, -level, agent.idle_since_ms, agent.agent_id)

    return sorted(pool, key=rank)


def routing_order(calls: Iterable[WaitingCall]) -> list[WaitingCall]:
    """Waiting calls in the order they are served: priority, then time in queue."""
    return sorted(calls, key=lambda c: (c.priority, c.enqueued_ms, c.call_id))


def assign(
    calls: Iterable[WaitingCall], candidates: Sequence[Candidate], now_ms: int
) -> list[Assignment]:
    """One routing round: each call in routing order gets the best agent still free (the
    first of `choose_agent` over the agents not yet given a call this round).

    Calls without a preferred agent that share queue, skills and language rank the agents
    the same way, so that ranking is made once per kind of call and walked on; the result
    is the same as calling `choose_agent` for each call."""
    free = {agent.agent_id: agent for agent in candidates}
    ranked_by_kind: dict[tuple[str, tuple[str, ...], str], list[Candidate]] = {}
    walked: dict[tuple[str, tuple[str, ...], str], int] = {}
    decided: list[Assignment] = []
    for call in routing_order(calls):
        if not free:
            break
        if call.preferred_agent is not None:
            ranked = choose_agent(call, free.values(), now_ms)
            chosen = ranked[0] if ranked else None
        else:
            kind = (call.queue, call.skills, call.language)
            if kind not in ranked_by_kind:
                ranked_by_kind[kind] = choose_agent(call, free.values(), now_ms)
                walked[kind] = 0
            ranked, at = ranked_by_kind[kind], walked[kind]
            while at < len(ranked) and ranked[at].agent_id not in free:
                at += 1
            walked[kind] = at
            chosen = ranked[at] if at < len(ranked) else None
        if chosen is not None:
            del free[chosen.agent_id]
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
    return by_name
