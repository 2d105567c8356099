"""Routing under load, for the race test and `bench/acd.py`: seed agents and calls in Redis,
then run routers (in one or several processes) until the queues drain or the agents run out.

    python -m callcenter.devtools.routing_load REDIS_URL PREFIX AGENTS SEED_MS [PER_QUEUE]

runs one router process and prints one JSON line: every (call, agent) it claimed, the time
of each round's decision + claim, the claims it lost, the time the router took to load and
rank the ready agents at start, and the time spent routing.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Mapping

from agents.models import DEFAULT_QUEUES, Priority, WaitingCall
from agents.router import AgentProfile, Router
from agents.routing import queue_configs
from callcenter.state import redis as redis_state
from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys

SKILLS = ("billing", "fault", "business", "complaint")
QUEUES = {q.name: q for q in DEFAULT_QUEUES if q.name in SKILLS or q.name == "general"}


def profiles(agents: int) -> dict[int, AgentProfile]:
    """Agents 1..n: two skills each (levels 1-3), every queue of those skills and general."""
    result = {}
    for n in range(1, agents + 1):
        skills = {SKILLS[n % 4]: 1 + n % 3, SKILLS[(n + 1) % 4]: 1 + (n + 1) % 3}
        result[n] = AgentProfile(skills, frozenset({"zh-CN"}), frozenset({*skills, "general"}))
    return result


def calls(count: int, start_ms: int) -> list[WaitingCall]:
    """Calls spread over the skill queues and general, a tenth of them important."""
    out = []
    for n in range(count):
        queue = (*SKILLS, "general")[n % 5]
        skills = (queue,) if queue != "general" else ()
        priority = Priority.IMPORTANT if n % 10 == 0 else Priority.NORMAL
        out.append(WaitingCall(f"call{n:06d}", queue, priority, start_ms + n, skills))
    return out


async def seed(url: str, prefix: str, agents: int, call_count: int, start_ms: int) -> None:
    """Ready agents and waiting calls, in a clean key space."""
    client = redis_state.connect(url)
    keys = Keys(prefix)
    state = RedisRoutingState(client, keys)
    try:
        old = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if old:
            await client.delete(*old)
        for agent_id in profiles(agents):
            await state.set_ready(agent_id, start_ms - agent_id)
        for call in calls(call_count, start_ms):
            await state.enqueue(call)
    finally:
        await client.aclose()


async def run_router(
    url: str, prefix: str, agents: int, start_ms: int, per_queue: int = 4
) -> dict[str, object]:
    """Route until no ready agent or no waiting call is left, each round taking up to
    `per_queue` calls from the head of each queue; what was claimed, and timings."""
    redis = redis_state.connect(url)
    state = RedisRoutingState(redis, Keys(prefix))
    router = Router(state, queue_configs(QUEUES.values()), profiles(agents), head_limit=per_queue)
    claimed: list[tuple[str, int]] = []
    rounds: list[tuple[float, int]] = []
    lost = 0
    try:
        started = time.perf_counter()
        await router.prepare(start_ms + 1000)
        prepared = time.perf_counter() - started
        began = time.perf_counter()
        idle_rounds = 0
        while idle_rounds < 3:
            started = time.perf_counter()
            result = await router.route_once(start_ms + 1000)
            rounds.append((time.perf_counter() - started, len(result.offered)))
            claimed += [(a.call_id, a.agent_id) for a in result.offered]
            lost += result.lost
            idle_rounds = idle_rounds + 1 if not result.offered and not result.lost else 0
        routing = time.perf_counter() - began
    finally:
        await redis.aclose()
    return {
        "claimed": claimed,
        "rounds": rounds,
        "lost": lost,
        "prepare": prepared,
        "routing": routing,
    }


async def race(
    url: str, prefix: str, agents: int, start_ms: int, processes: int = 2
) -> list[list[tuple[str, int]]]:
    """Run `processes` router processes at once on seeded state; each one's claims."""
    argv = [sys.executable, "-m", "callcenter.devtools.routing_load", url, prefix]
    procs = [
        await asyncio.create_subprocess_exec(
            *argv, str(agents), str(start_ms), stdout=asyncio.subprocess.PIPE
        )
        for _ in range(processes)
    ]
    outputs = [json.loads((await p.communicate())[0]) for p in procs]
    if any(p.returncode != 0 for p in procs):
        raise RuntimeError(f"a router process failed: {[p.returncode for p in procs]}")
    return [[(str(c), int(a)) for c, a in out["claimed"]] for out in outputs]


def duplicates(claims: list[list[tuple[str, int]]]) -> tuple[int, int]:
    """(calls claimed more than once, agents claimed more than once) over all routers."""
    every = [pair for part in claims for pair in part]
    calls_seen = [c for c, _ in every]
    agents_seen = [a for _, a in every]
    return len(calls_seen) - len(set(calls_seen)), len(agents_seen) - len(set(agents_seen))


def _main(argv: Mapping[int, str]) -> None:
    url, prefix, agents, start = argv[1], argv[2], int(argv[3]), int(argv[4])
    per_queue = int(argv.get(5, "4"))
    print(json.dumps(asyncio.run(run_router(url, prefix, agents, start, per_queue))))


if __name__ == "__main__":
    _main(dict(enumerate(sys.argv)))
