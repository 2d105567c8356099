"""Benchmark: simulated callers walking the 95598 menu over signed Twilio webhooks.

    python bench/ivr_webhook.py [--seconds 4] [--callers 64] [--clients 1] [--workers 1 2]
                                [--postgres-url URL --redis-url URL]

Callers walk the IVR as Twilio does (bench/ivr_walk.py): every request signed with the
server's token, the next one the returned TwiML's Gather action (with the caller's next keys)
or Redirect. On the 95598 menu: incoming call, silence at the language menu, 2, 1, 9, 0 (to
an agent's queue): 6 steps a call. Driven, for each worker count:
  (a) the ceiling: an aiohttp handler answering every post with the same Gather;
  (b) the server on the embedded defaults (SQLite, memory://: one worker only);
  (c) the server on real PostgreSQL and Redis (throwaway ones unless given);
  (d) the Flask peer (bench/peers/flask_ivr.py, Twilio's ivr-phone-tree tutorial) under
      gunicorn with as many workers.
Each target: `--seconds` as fast as the callers go (steps/s at saturation), then `--seconds`
paced at half that rate (p50/p99 latency), and the CPU the target's processes spent a step at
saturation (Linux; steadier than the rates on a shared machine); then the ratios. The load
generator runs on the same machine (`--clients` processes, on uvloop, one keep-alive
connection a caller through `bench/http_client.py`). Targets (issue 17):
server/ceiling >= 0.35, p99 < 25 ms at half the peak, server/Flask >= 3, embedded/real >= 0.5,
2 workers/1 worker >= 1.3.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ivr_targets, pg_database  # noqa: E402
from bench.ivr_targets import TOKEN, Target  # noqa: E402
from bench.ivr_walk import Tally, Walk, load, percentile  # noqa: E402
from callcenter.devtools.servers import redis_server  # noqa: E402
from callcenter.web.workers import new_loop  # noqa: E402

WARM_UP_SECONDS = 1.0
NAMES = {
    "ceiling": "ceiling (constant TwiML)",
    "flask": "Flask peer (gunicorn)",
    "real": "server, PostgreSQL + Redis",
    "embedded": "server, embedded defaults",
}


@dataclass(frozen=True, slots=True)
class Result:
    """One target's figures."""

    key: str  # ceiling, flask, real, embedded
    workers: int
    rate: float  # steps/s at saturation
    p50_ms: float  # at half that rate
    p99_ms: float
    errors: int
    cpu_ms: float = 0.0  # the serving processes' CPU a step at saturation (steadier than rates)


def _load(walk: Walk, seconds: float, callers: int, rate: float, first: int) -> Tally:
    """The load generator's process: on uvloop when installed, as the servers run."""
    with asyncio.Runner(loop_factory=lambda: new_loop("auto")) as runner:
        return runner.run(load(walk, seconds, callers, rate, first))


def measure(target: Target, seconds: float, callers: int, rate: float, clients: int) -> Tally:
    """The steps of `callers` callers over `seconds`, from `clients` processes."""
    walk = Walk(target.start, target.script, TOKEN, target.phones, target.hangup)
    first = random.randrange(1 << 48)
    if clients == 1:
        return _load(walk, seconds, callers, rate, first)
    share = max(1, callers // clients)
    tally = Tally()
    with ProcessPoolExecutor(clients) as pool:
        jobs = [
            pool.submit(_load, walk, seconds, share, rate / clients, first + i * 10**9)
            for i in range(clients)
        ]
        for job in jobs:
            tally.add(job.result())
    return tally


def run_target(key: str, workers: int, target: Target, args: argparse.Namespace) -> Result:
    measure(target, WARM_UP_SECONDS, args.callers, 0, args.clients)
    cpu = target.cpu_seconds()
    full = measure(target, args.seconds, args.callers, 0, args.clients)
    rate = len(full.latencies) / args.seconds
    cpu_ms = (target.cpu_seconds() - cpu) / max(len(full.latencies), 1) * 1000
    paced = measure(target, args.seconds, args.callers, rate / 2, args.clients)
    result = Result(
        key,
        workers,
        rate,
        percentile(paced.latencies, 50) * 1000,
        percentile(paced.latencies, 99) * 1000,
        full.errors + paced.errors,
        cpu_ms,
    )
    print(
        f"{NAMES[key]:<30} {workers:>2} {rate:9,.0f} steps/s   at half: p50 {result.p50_ms:7.2f} ms"
        f"  p99 {result.p99_ms:7.2f} ms   errors {result.errors}   CPU {cpu_ms:.2f} ms a step",
        flush=True,
    )
    return result


@contextlib.contextmanager
def real_stores(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(PostgreSQL admin URL, Redis URL): given, or throwaway servers."""
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(pg_database.server(args.postgres_url))
        url = args.redis_url or stack.enter_context(redis_server())
        yield pg, url


@contextlib.contextmanager
def real_server(workers: int, pg_admin: str, redis_url: str) -> Iterator[Target]:
    """The server on a fresh database and an emptied Redis database."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    with (
        ivr_targets.fresh_database(pg_admin) as database,
        ivr_targets.data_dir() as data,
        ivr_targets.server(workers, database, redis_url, data) as target,
    ):
        yield target


@contextlib.contextmanager
def embedded_server() -> Iterator[Target]:
    with ivr_targets.data_dir() as data, ivr_targets.server(1, "", "memory://", data) as target:
        yield target


def run_all(args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    with real_stores(args) as (pg_admin, redis_url):
        for workers in args.workers:
            targets: list[tuple[str, AbstractContextManager[Target]]] = [
                ("ceiling", ivr_targets.ceiling(workers)),
                ("flask", ivr_targets.flask(workers)),
                ("real", real_server(workers, pg_admin, redis_url)),
            ]
            if workers == 1:  # memory:// is private to one process
                targets.append(("embedded", embedded_server()))
            for key, running in targets:
                with running as target:
                    results.append(run_target(key, workers, target, args))
    return results


def ratios(results: list[Result]) -> list[str]:
    """The ratios the issue sets targets for, per worker count."""
    rate = {(r.key, r.workers): r.rate for r in results}
    pairs = [("server/ceiling", "real", "ceiling"), ("server/Flask", "real", "flask")]
    pairs.append(("embedded/real", "embedded", "real"))
    lines = [
        f"{workers} worker(s): {label} {rate[top, workers] / rate[bottom, workers]:.2f}"
        for workers in sorted({r.workers for r in results})
        for label, top, bottom in pairs
        if (top, workers) in rate and (bottom, workers) in rate
    ]
    if ("real", 1) in rate and ("real", 2) in rate:
        lines.append(f"server, 2 workers / 1 worker: {rate['real', 2] / rate['real', 1]:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="each phase (default 4)")
    parser.add_argument("--callers", type=int, default=64, help="concurrent callers")
    parser.add_argument("--clients", type=int, default=1, help="load generator processes")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres-url", help="an admin URL (a database is made per run)")
    parser.add_argument("--redis-url", help="its database is emptied before each run")
    args = parser.parse_args()
    print(f"{'target':<30} {'w':>2} {'saturation':>15}", flush=True)
    for line in ratios(run_all(args)):
        print(line)


if __name__ == "__main__":
    main()
