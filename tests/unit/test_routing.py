"""The routing decision as tables: (call, ready agents, now) -> ranked agents."""

from __future__ import annotations

import pytest

from agents.models import Candidate, Priority, QueueConfig, WaitingCall
from agents.routing import (
    Rankings,
    assign,
    assign_ranked,
    choose_agent,
    escalate,
    estimated_wait_seconds,
    queue_configs,
)

T0 = 1_700_000_000_000  # enqueue time of the calls, ms


def call(
    cid: str = "c1",
    queue: str = "billing",
    priority: Priority = Priority.NORMAL,
    at: int = T0,
    skills: tuple[str, ...] = ("billing",),
    language: str = "zh-CN",
    preferred: int | None = None,
    preferred_wait: int = 0,
) -> WaitingCall:
    return WaitingCall(cid, queue, priority, at, skills, language, preferred, preferred_wait)


def agent(
    aid: int,
    idle: int = T0,
    skills: dict[str, int] | None = None,
    languages: tuple[str, ...] = ("zh-CN",),
    queues: tuple[str, ...] = ("billing", "general", "fault", "priority"),
) -> Candidate:
    return Candidate(
        aid,
        idle,
        skills if skills is not None else {"billing": 1},
        frozenset(languages),
        frozenset(queues),
    )


CHOOSE = [
    ("longest idle first", call(), [agent(1, T0 - 10), agent(2, T0 - 50)], [2, 1]),
    ("higher skill before idle", call(), [agent(1, T0 - 90), agent(2, T0, {"billing": 3})], [2, 1]),
    ("missing skill excluded", call(), [agent(1, skills={"fault": 3}), agent(2)], [2]),
    ("not a member of the queue", call(), [agent(1, queues=("fault",)), agent(2)], [2]),
    ("language", call(language="en-US"), [agent(1), agent(2, languages=("zh-CN", "en-US"))], [2]),
    ("no eligible agent", call(skills=("complaint",)), [agent(1), agent(2)], []),
    ("nobody ready", call(), [], []),
    ("no skills required", call(skills=()), [agent(1, T0 - 1), agent(2, skills={})], [1, 2]),
    (
        "preferred agent within its wait limit: only that agent",
        call(preferred=2, preferred_wait=60),
        [agent(1, T0 - 99), agent(2)],
        [2],
    ),
    (
        "preferred agent not ready within its limit: the call waits",
        call(preferred=3, preferred_wait=60),
        [agent(1), agent(2)],
        [],
    ),
    (
        "after the limit anyone, the preferred agent still first",
        call(preferred=2, preferred_wait=10),
        [agent(1, T0 - 99, {"billing": 3}), agent(2)],
        [2, 1],
    ),
    (
        "after the limit, preferred not ready: the others",
        call(preferred=3, preferred_wait=10),
        [agent(1, T0 - 5), agent(2, T0 - 9)],
        [2, 1],
    ),
    (
        "lowest level of the required skills counts",
        call(skills=("billing", "english")),
        [
            agent(1, T0 - 9, {"billing": 3, "english": 1}),
            agent(2, T0, {"billing": 2, "english": 2}),
        ],
        [2, 1],
    ),
]


@pytest.mark.parametrize(
    ("case", "waiting", "ready", "expected"), CHOOSE, ids=[c[0] for c in CHOOSE]
)
def test_choose_agent(
    case: str, waiting: WaitingCall, ready: list[Candidate], expected: list[int]
) -> None:
    now = T0 + 30_000
    assert [a.agent_id for a in choose_agent(waiting, ready, now)] == expected


def test_priority_then_time_in_queue_gets_the_one_free_agent() -> None:
    calls = [
        call("normal-early", at=T0 - 60_000),
        call("vulnerable", "billing", Priority.VULNERABLE, T0),
        call("hazard", "fault", Priority.HAZARD, T0 + 5, ("fault",)),
        call("important", "priority", Priority.IMPORTANT, T0 + 1, ()),
    ]
    everyone = agent(1, skills={"billing": 1, "fault": 1})
    assert [a.call_id for a in assign(calls, [everyone], T0 + 10)] == ["hazard"]


def test_a_round_gives_each_agent_one_call_and_each_call_one_agent() -> None:
    calls = [call(f"c{i}", at=T0 + i) for i in range(5)]
    agents = [agent(1, T0 - 3), agent(2, T0 - 2), agent(3, T0 - 1)]
    decided = assign(calls, agents, T0 + 10)
    assert [(a.call_id, a.agent_id) for a in decided] == [("c0", 1), ("c1", 2), ("c2", 3)]


def test_a_call_nobody_can_take_does_not_block_the_next() -> None:
    calls = [call("c0", skills=("complaint",)), call("c1", at=T0 + 1)]
    assert [a.call_id for a in assign(calls, [agent(1)], T0 + 10)] == ["c1"]


OVERFLOW = QueueConfig("billing", overflow_after_seconds=60, overflow_queue="general")
WIDEN = QueueConfig("billing", overflow_after_seconds=60)
ESCALATE = [
    ("before the overflow time", OVERFLOW, 59, ("billing", ("billing",))),
    ("moved to the overflow queue", OVERFLOW, 60, ("general", ("billing",))),
    ("skills widened", WIDEN, 61, ("billing", ())),
    ("no overflow rule", QueueConfig("billing"), 9999, ("billing", ("billing",))),
]


@pytest.mark.parametrize(
    ("case", "queue", "waited", "expected"), ESCALATE, ids=[c[0] for c in ESCALATE]
)
def test_escalate(
    case: str, queue: QueueConfig, waited: int, expected: tuple[str, tuple[str, ...]]
) -> None:
    escalated = escalate(call(), queue, T0 + waited * 1000)
    assert (escalated.queue, escalated.skills) == expected


def test_estimated_wait() -> None:
    assert estimated_wait_seconds(1, 3, 180) == 0
    assert estimated_wait_seconds(7, 3, 180) == 360
    assert estimated_wait_seconds(2, 0, 180) == float("inf")


def test_queue_configs_refuse_unknown_overflow_and_duplicates() -> None:
    with pytest.raises(ValueError, match="unknown queue 'nowhere'"):
        queue_configs([QueueConfig("a", overflow_after_seconds=5, overflow_queue="nowhere")])
    with pytest.raises(ValueError, match="defined twice"):
        queue_configs([QueueConfig("a"), QueueConfig("a")])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hazard", Priority.HAZARD),
        ("important", Priority.IMPORTANT),
        ("100", Priority.HAZARD),
        (80, Priority.IMPORTANT),
        ("60", Priority.VULNERABLE),
        ("0", Priority.NORMAL),
    ],
)
def test_priority_parse(text: str | int, expected: Priority) -> None:
    assert Priority.parse(text) is expected


def test_assign_matches_choosing_call_by_call() -> None:
    # The shared ranking per kind of call gives what choose_agent over the free agents gives.
    import random

    rng = random.Random(7)
    skills = ("billing", "fault", "english")
    agents = [
        agent(
            n,
            T0 - rng.randrange(10_000),
            {s: rng.randrange(1, 4) for s in rng.sample(skills, rng.randrange(1, 4))},
            ("zh-CN", "en-US") if n % 5 == 0 else ("zh-CN",),
            tuple(rng.sample(("billing", "fault", "general"), rng.randrange(1, 4))),
        )
        for n in range(1, 60)
    ]
    calls = [
        call(
            f"c{n}",
            rng.choice(("billing", "fault", "general")),
            rng.choice(list(Priority)),
            T0 + rng.randrange(5_000),
            tuple(rng.sample(skills, rng.randrange(0, 2))),
            "en-US" if n % 7 == 0 else "zh-CN",
            rng.choice((None, None, None, 3, 12)),
            rng.choice((0, 60)),
        )
        for n in range(120)
    ]
    now = T0 + 30_000
    free = {a.agent_id: a for a in agents}
    expected = []
    for waiting in sorted(calls, key=lambda c: (c.priority, c.enqueued_ms, c.call_id)):
        ranked = choose_agent(waiting, free.values(), now)
        if ranked:
            expected.append((waiting.call_id, ranked[0].agent_id))
            del free[ranked[0].agent_id]
    assert [(a.call_id, a.agent_id) for a in assign(calls, agents, now)] == expected


def test_rankings_kept_between_rounds_decide_as_fresh_ones() -> None:
    # Agents come and go between rounds (claimed, ready again since another time, new);
    # the rankings updated with those changes decide exactly as rankings made afresh.
    import random

    rng = random.Random(11)
    skills = ("billing", "fault")
    queues = ("billing", "fault", "general")

    def new_agent(n: int, since: int) -> Candidate:
        return agent(
            n,
            since,
            {s: rng.randrange(1, 4) for s in rng.sample(skills, rng.randrange(1, 3))},
            ("zh-CN",),
            tuple(rng.sample(queues, rng.randrange(1, 4))),
        )

    ready = {n: new_agent(n, T0 - n) for n in range(1, 80)}
    kept = Rankings(ready.values())
    for round_no in range(40):
        calls = [
            call(
                f"r{round_no}c{n}",
                rng.choice(queues),
                Priority.NORMAL,
                T0 + n,
                tuple(rng.sample(skills, rng.randrange(0, 2))),
                preferred=rng.choice((None, None, rng.randrange(1, 120))),
            )
            for n in range(rng.randrange(1, 12))
        ]
        now = T0 + 60_000
        fresh = assign(calls, list(ready.values()), now)
        assert assign_ranked(calls, kept, now) == fresh
        gone = [ready.pop(a.agent_id) for a in fresh]  # claimed: no longer ready
        added = []
        for n in rng.sample(range(1, 120), 6):  # some ready again, some new
            if n in ready:
                gone.append(ready[n])
            ready[n] = new_agent(n, T0 + round_no * 1000 + n)
            added.append(ready[n])
        kept.update(added, gone)
        assert len(kept) == len(ready)
