"""Benchmark: routing decisions and atomic claims on a real Redis.

    python bench/acd.py [--agents 2000] [--calls 20000] [--per-queue 4] [--redis-url URL]

Seeds 2,000 ready agents (two skills each) and 20,000 queued calls over five queues, then
routes until the agents are used up, each round deciding on the first `--per-queue` calls
of each queue: first one router process, then two racing on the same Redis (their claims
are compared: no call and no agent may be claimed twice). A router loads and ranks the
ready agents once at start (timed apart); each round reads what changed since (the ready
log), decides and claims its decisions in one script. Prints assignments/s, p50/p99 of
decision + claim per assignment (the time of the whole round that made it: snapshot,
decision, claim), the Redis round-trip ceiling (EVALSHA of a trivial script, one at a
time) and the ratio.
Targets (issue 4): >= 5,000 assignments/s, p99 < 5 ms on one process, 0 double assignments.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.devtools import routing_load  # noqa: E402
from callcenter.devtools.servers import redis_server  # noqa: E402
from callcenter.state import redis as redis_state  # noqa: E402

T0 = 1_780_000_000_000
PREFIX = "bench:acd:"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def latencies(rounds: list[list[float]]) -> list[float]:
    """Each assignment takes the time of the round that made it."""
    return [seconds for seconds, made in rounds for _ in range(int(made))]


async def ceiling(url: str, count: int = 20_000) -> float:
    client = redis_state.connect(url)
    script = client.register_script("return 1")
    try:
        await script()
        started = time.perf_counter()
        for _ in range(count):
            await script()
        return count / (time.perf_counter() - started)
    finally:
        await client.aclose()


def routers(
    url: str, agents: int, per_queue: int, processes: int
) -> tuple[list[dict[str, object]], float]:
    module = "callcenter.devtools.routing_load"
    argv = [sys.executable, "-m", module, url, PREFIX, str(agents), str(T0), str(per_queue)]
    started = time.perf_counter()
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, cwd=ROOT) for _ in range(processes)]
    outputs = [json.loads(p.communicate()[0]) for p in procs]
    return outputs, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--per-queue", type=int, default=4)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.redis_url or stack.enter_context(redis_server())
        asyncio.run(routing_load.seed(url, PREFIX, args.agents, args.calls, T0))
        one = asyncio.run(routing_load.run_router(url, PREFIX, args.agents, T0, args.per_queue))
        seconds = float(one["routing"])  # type: ignore[arg-type]
        made = len(one["claimed"])  # type: ignore[arg-type]
        lat = latencies(one["rounds"])  # type: ignore[arg-type]
        rate = made / seconds
        print(
            f"one router: {made:,} assignments in {seconds:.3f} s = {rate:,.0f}/s   "
            f"decision+claim p50 {percentile(lat, 50) * 1000:.2f} ms  "
            f"p99 {percentile(lat, 99) * 1000:.2f} ms  "
            f"(at start: ready agents loaded and ranked in {float(one['prepare']) * 1000:.1f} ms)"  # type: ignore[arg-type]
        )
        asyncio.run(routing_load.seed(url, PREFIX, args.agents, args.calls, T0))
        outputs, seconds = routers(url, args.agents, args.per_queue, 2)
        claims = [[tuple(p) for p in out["claimed"]] for out in outputs]  # type: ignore[attr-defined]
        double_calls, double_agents = routing_load.duplicates(claims)
        total = sum(len(c) for c in claims)
        lost = sum(int(str(out["lost"])) for out in outputs)
        print(
            f"two router processes: {total:,} assignments ({lost:,} claims lost to the other), "
            f"double-assigned calls {double_calls}, agents {double_agents}"
        )
        evalsha = asyncio.run(ceiling(url))
        print(f"ceiling: EVALSHA of a trivial script, one at a time: {evalsha:,.0f}/s")
        print(f"ratio assignments / ceiling: {rate / evalsha:.2f}")
        client = redis_state.connect(url)

        async def clean() -> None:
            keys = [k async for k in client.scan_iter(match=f"{PREFIX}*", count=1000)]
            if keys:
                await client.delete(*keys)
            await client.aclose()

        asyncio.run(clean())


if __name__ == "__main__":
    main()
