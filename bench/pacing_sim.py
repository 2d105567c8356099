"""The pacing bench's discrete-event simulation: a campaign's agents and callees, second by
second, paced by the real `outbound.predictive.calls_to_place` and routed by the real
`agents.routing.choose_agent` (longest idle first)."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum

from agents.models import Candidate, Priority, WaitingCall
from agents.routing import choose_agent
from callcenter.core.policy import CN_PREDICTIVE
from outbound.abandon import AbandonStats
from outbound.predictive import (
    PacingMode,
    PredictivePolicy,
    PredictiveStats,
    calls_to_place,
    progressive_calls,
    soon_ready,
)

QUEUE = "arrears"
HANDLE_PRIOR = 50
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Population:
    """Who answers and how long things take, in seconds."""

    answer: float = 0.30  # a person answers
    machine: float = 0.15  # an answering machine: holds the line, never an agent
    answer_after: tuple[float, float] = (4.0, 20.0)  # ring before a person or machine answers
    detection: tuple[float, float] = (2.0, 5.0)  # machine detection, then the line is freed
    ring_timeout: float = 30.0  # no answer: the line is freed after this (>= min ring)
    handle: tuple[float, float] = (120.0, 240.0)  # talk time, uniform: 180 s +- 60
    wrap_up: float = 10.0


@dataclass(frozen=True, slots=True)
class Figures:
    """One mode's run: what the bench prints."""

    mode: PacingMode
    agents: int
    minutes: int
    placed: int
    live_answered: int
    abandoned: int
    machines: int
    no_answer: int
    talk_seconds: float
    busy_seconds: float  # talk + wrap-up
    progressive_seconds: int  # seconds the decision fell back to progressive (near the cap)

    @property
    def talk_minutes_per_agent_hour(self) -> float:
        """Talk minutes per agent per hour."""
        return self.talk_seconds / 60 / (self.agents * self.minutes / 60)

    @property
    def abandon_rate(self) -> float:
        """Abandoned over live-answered calls."""
        return self.abandoned / self.live_answered if self.live_answered else 0.0

    @property
    def occupancy(self) -> float:
        """Share of the agents' time in talk or wrap-up."""
        return self.busy_seconds / (self.agents * self.minutes * 60)


class Event(Enum):
    ANSWERED = 1  # a person
    LINE_FREED = 2  # machine detected, or no answer at the ring timeout
    TALK_ENDS = 3
    WRAP_ENDS = 4
    DEADLINE = 5  # an answered call's connection deadline


@dataclass(slots=True)
class Agent:
    agent_id: int
    idle_since: float = 0.0
    free: bool = True  # ready and not reserved
    talk_start: float | None = None
    wrap_end: float | None = None


@dataclass(slots=True)
class Sim:
    """The running state of one mode's simulation."""

    mode: PacingMode
    population: Population
    policy: PredictivePolicy
    rng: random.Random
    end: float
    agents: list[Agent]
    events: list[tuple[float, int, Event, int]] = field(default_factory=list)
    reserved: dict[int, int] = field(default_factory=dict)  # call -> agent (progressive)
    waiting: dict[int, float] = field(default_factory=dict)  # answered call -> answer time
    ringing_since: dict[int, float] = field(default_factory=dict)  # call -> placed at
    ended: int = 0
    placed: int = 0
    answered: int = 0
    abandoned: int = 0
    machines: int = 0
    no_answer: int = 0
    talks: list[float] = field(default_factory=list)  # ended talk durations
    talk_seconds: float = 0.0
    busy_seconds: float = 0.0
    fallbacks: int = 0
    seq: int = 0

    def at(self, when: float, event: Event, subject: int) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, event, subject))

    def count(self, start: float, stop: float, busy_only: bool = False) -> None:
        """Account an interval of talk (or wrap-up) up to the end of the run."""
        seconds = max(0.0, min(stop, self.end) - start)
        self.busy_seconds += seconds
        if not busy_only:
            self.talk_seconds += seconds


def _free_agent(sim: Sim, call: int, now: float) -> Agent | None:
    """The agent the real routing gives `call`: the longest idle of the free ones."""
    candidates = [
        Candidate(a.agent_id, round(a.idle_since * 1000), queues=frozenset({QUEUE}))
        for a in sim.agents
        if a.free
    ]
    if not candidates:
        return None
    waiting = WaitingCall(str(call), QUEUE, Priority.NORMAL, round(now * 1000))
    return sim.agents[choose_agent(waiting, candidates, round(now * 1000))[0].agent_id]


def _connect(sim: Sim, agent: Agent, now: float) -> None:
    talk = sim.rng.uniform(*sim.population.handle)
    agent.free, agent.talk_start = False, now
    sim.count(now, now + talk)
    sim.at(now + talk, Event.TALK_ENDS, agent.agent_id)


def _place(sim: Sim, now: float) -> None:
    sim.placed += 1
    sim.ringing_since[sim.placed] = now
    call, pop = sim.placed, sim.population
    if sim.mode == "progressive":
        agent = _free_agent(sim, call, now)
        assert agent is not None, "progressive places one call per free agent"
        agent.free = False
        sim.reserved[call] = agent.agent_id
    draw = sim.rng.random()
    if draw < pop.answer:
        sim.at(now + sim.rng.uniform(*pop.answer_after), Event.ANSWERED, call)
    elif draw < pop.answer + pop.machine:
        sim.machines += 1
        delay = sim.rng.uniform(*pop.answer_after) + sim.rng.uniform(*pop.detection)
        sim.at(now + delay, Event.LINE_FREED, call)
    else:
        sim.no_answer += 1
        sim.at(now + pop.ring_timeout, Event.LINE_FREED, call)


def _answered(sim: Sim, call: int, now: float) -> None:
    del sim.ringing_since[call]
    sim.ended += 1
    sim.answered += 1
    agent_id = sim.reserved.pop(call, None)
    agent = sim.agents[agent_id] if agent_id is not None else _free_agent(sim, call, now)
    if agent is not None:
        _connect(sim, agent, now)
        return
    sim.waiting[call] = now
    sim.at(now + sim.policy.rules.connect_within.total_seconds(), Event.DEADLINE, call)


def _line_freed(sim: Sim, call: int, now: float) -> None:
    del sim.ringing_since[call]
    sim.ended += 1
    agent_id = sim.reserved.pop(call, None)
    if agent_id is not None:
        sim.agents[agent_id].free = True  # idle since before the dial: still longest idle


def _agent_ready(sim: Sim, agent: Agent, now: float) -> None:
    agent.wrap_end, agent.idle_since, agent.free = None, now, True
    if sim.waiting:  # the call answered first gets the agent
        call = min(sim.waiting, key=sim.waiting.__getitem__)
        del sim.waiting[call]
        _connect(sim, agent, now)


def _handle(sim: Sim, when: float, event: Event, subject: int) -> None:
    match event:
        case Event.ANSWERED:
            _answered(sim, subject, when)
        case Event.LINE_FREED:
            _line_freed(sim, subject, when)
        case Event.TALK_ENDS:
            agent = sim.agents[subject]
            assert agent.talk_start is not None
            sim.talks.append(when - agent.talk_start)
            agent.talk_start, agent.wrap_end = None, when + sim.population.wrap_up
            sim.count(when, agent.wrap_end, busy_only=True)
            sim.at(agent.wrap_end, Event.WRAP_ENDS, subject)
        case Event.WRAP_ENDS:
            _agent_ready(sim, sim.agents[subject], when)
        case Event.DEADLINE:
            if sim.waiting.pop(subject, None) is not None:
                sim.abandoned += 1


def _stats(sim: Sim, now: float) -> PredictiveStats:
    pop = sim.population
    # The campaign's mean handle time so far, from a prior of HANDLE_PRIOR calls at the
    # population's mean: the first calls to end are the short ones.
    prior = sum(pop.handle) / 2
    mean_handle = (sum(sim.talks) + prior * HANDLE_PRIOR) / (len(sim.talks) + HANDLE_PRIOR)
    horizon = sum(pop.answer_after) / 2 + sim.policy.rules.connect_within.total_seconds()
    clock = START + timedelta(seconds=now)
    late = sim.policy.answer_window.total_seconds()
    busy = [a for a in sim.agents if not a.free]
    return PredictiveStats(
        ready_agents=sum(1 for a in sim.agents if a.free) + len(sim.reserved),
        soon_ready_agents=soon_ready(
            [START + timedelta(seconds=a.wrap_end) for a in busy if a.wrap_end is not None],
            [START + timedelta(seconds=a.talk_start) for a in busy if a.talk_start is not None],
            clock,
            timedelta(seconds=mean_handle),
            timedelta(seconds=horizon),
        ),
        ringing=len(sim.ringing_since),
        ringing_late=sum(1 for placed in sim.ringing_since.values() if now - placed > late),
        recent_ended=sim.ended,
        recent_answered=sim.answered,
        mean_handle=timedelta(seconds=mean_handle),
        abandon=AbandonStats(sim.answered, sim.abandoned),
    )


def _run(sim: Sim) -> None:
    for second in range(int(sim.end)):
        while sim.events and sim.events[0][0] <= second:
            when, _, event, subject = heapq.heappop(sim.events)
            _handle(sim, when, event, subject)
        stats = _stats(sim, second)
        if sim.mode == "progressive":
            calls = progressive_calls(stats)
        else:
            decision = calls_to_place(stats, sim.policy, START + timedelta(seconds=second))
            calls = decision.calls
            sim.fallbacks += decision.mode == "progressive"
        for _ in range(calls):
            _place(sim, second)


def simulate(
    mode: PacingMode,
    *,
    seed: int = 14,
    agents: int = 50,
    minutes: int = 60,
    population: Population | None = None,
    policy: PredictivePolicy | None = None,
) -> Figures:
    """One run of `minutes` simulated minutes with `agents` agents in `mode`."""
    pop = population or Population()
    pacing = policy or PredictivePolicy(CN_PREDICTIVE)
    assert pop.ring_timeout >= pacing.rules.min_ring.total_seconds(), "ring at least min_ring"
    sim = Sim(
        mode, pop, pacing, random.Random(seed), minutes * 60.0, [Agent(i) for i in range(agents)]
    )
    _run(sim)
    return Figures(
        mode,
        agents,
        minutes,
        sim.placed,
        sim.answered,
        sim.abandoned,
        sim.machines,
        sim.no_answer,
        sim.talk_seconds,
        sim.busy_seconds,
        sim.fallbacks,
    )
