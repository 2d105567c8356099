"""Benchmark: seed customers into PostgreSQL, then look up caller profiles by phone.

    python bench/profile_lookup.py [--customers 1000000] [--concurrency 50] [--lookups 20000]
                                   [--postgres-url postgresql+asyncpg://...]

Without --postgres-url it starts a throwaway PostgreSQL server (the Debian `postgresql`
package must be installed). It prints the seeding time and rate, then, from `concurrency`
tasks, p50/p99 latency and the rate of (a) the look-up query (phone -> accounts) and (b) the
whole profile (accounts, customer, arrears and late fee, outages, tickets, calls), and the
server-side execution time of the look-up query from EXPLAIN ANALYZE.
Targets (issue 2): seeding 1,000,000 customers < 120 s; look-up p99 < 2 ms; profile p99 < 10 ms.
The look-ups run as in `callcenter serve`: on its event loop (uvloop where installed), with
its garbage-collector settings (`callcenter.web.heap.settle`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy import text

from callcenter import demo
from callcenter.auth.service import AuthService
from callcenter.core.clock import SystemClock
from callcenter.core.policy import CN_SGCC
from callcenter.customers.service import ProfileService
from callcenter.devtools.servers import postgres_server
from callcenter.storage import db, migrate
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.pg import FastPg
from callcenter.storage.users import SqlCredentialStore
from callcenter.web.heap import settle
from callcenter.web.workers import new_loop

LOOKUP_SQL = (
    "SELECT a.*, s.address, s.district, s.feeder, s.area_class FROM accounts a "
    "JOIN service_points s ON s.id = a.service_point_id "
    "JOIN account_phones p ON p.account_id = a.id WHERE p.phone = $1 ORDER BY a.account_no"
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


async def drive(
    name: str,
    op: Callable[[str], Awaitable[object]],
    phones: list[str],
    total: int,
    concurrency: int,
) -> None:
    """Run `op` `total` times from `concurrency` tasks; print p50/p99 and the rate."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in counter:
            phone = rng.choice(phones)
            start = time.perf_counter()
            await op(phone)
            latencies.append(time.perf_counter() - start)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    per_op = (time.process_time() - cpu) / total * 1e6  # this process's CPU (steadier)
    print(
        f"{name:<28} p50 {percentile(latencies, 50) * 1000:6.2f} ms   "
        f"p99 {percentile(latencies, 99) * 1000:6.2f} ms   {total / elapsed:8,.0f}/s "
        f"({total} from {concurrency} tasks; this process's CPU {per_op:4.0f} µs each)"
    )


async def ceiling(url: str, phones: list[str], total: int, concurrency: int) -> None:
    """The same look-up query on a bare asyncpg pool: what this machine allows at all."""
    pool = await asyncpg.create_pool(url.replace("+asyncpg", ""), min_size=20, max_size=20)
    assert pool is not None
    await drive(
        "ceiling: bare asyncpg query",
        lambda p: pool.fetch(LOOKUP_SQL, p),
        phones,
        total,
        concurrency,
    )
    await pool.close()


async def explain_times(url: str, phones: list[str], samples: int) -> None:
    """Server-side execution time of the look-up query (EXPLAIN ANALYZE), sequentially."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    query = "EXPLAIN (ANALYZE, FORMAT JSON) " + LOOKUP_SQL
    times = []
    for phone in random.Random(1).sample(phones, min(samples, len(phones))):
        plan = await conn.fetchval(query, phone)
        times.append(json.loads(plan)[0]["Execution Time"])
    await conn.close()
    print(
        f"{'look-up, server execution':<28} p50 {percentile(times, 50):6.3f} ms   "
        f"p99 {percentile(times, 99):6.3f} ms   ({len(times)} EXPLAIN ANALYZE runs)"
    )


async def run(url: str, args: argparse.Namespace) -> None:
    admin = await asyncpg.connect(url.replace("+asyncpg", ""))
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    db_url = url.rsplit("/", 1)[0] + "/" + name
    engine = db.create_engine(db_url, pool_size=args.pool)
    clock = SystemClock()
    stack = contextlib.AsyncExitStack()
    try:
        await migrate.upgrade(engine)
        await demo.seed_people(engine, AuthService(SqlCredentialStore(engine), clock))
        started = time.perf_counter()
        last = [0.0]

        def progress(done: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 10 or done == args.customers:
                last[0] = now
                print(f"  seeded {done:,} customers in {now - started:5.1f}s", flush=True)

        await demo.seed_customers(engine, args.customers, args.seed, date.today(), progress)
        seconds = time.perf_counter() - started
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
            counts = {
                t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
                for t in ("customers", "accounts", "account_phones", "bills")
            }
            phones = list(
                (
                    await conn.execute(
                        text("SELECT phone FROM account_phones TABLESAMPLE SYSTEM (1) LIMIT 20000")
                    )
                ).scalars()
            )
        rows = sum(counts.values()) + counts["accounts"]  # + one service point per account
        print(
            f"seeding: {args.customers:,} customers in {seconds:.1f} s "
            f"({args.customers / seconds:,.0f} customers/s, {rows / seconds:,.0f} rows/s; "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + ")"
        )
        fast = FastPg.for_engine(engine, args.pool)  # the server's own path: asyncpg, and
        assert fast is not None  # look-ups made together read in one statement (issue 17)
        await fast.open()
        stack.push_async_callback(fast.close)
        directory = SqlCustomerDirectory(engine, fast)
        profiles = ProfileService(directory, clock, CN_SGCC, "Asia/Shanghai")
        settle()  # the heap as `callcenter serve` sets it once started
        await drive("warm-up", profiles.by_phone, phones, 2000, args.concurrency)
        for concurrency, total in ((args.concurrency, args.lookups), (1, 2000)):
            lookup = directory.accounts_by_phone
            await drive("look-up query (phone)", lookup, phones, total, concurrency)
            await drive("whole profile (phone)", profiles.by_phone, phones, total, concurrency)
        await ceiling(db_url, phones, args.lookups, args.concurrency)
        await explain_times(db_url, phones, 2000)
    finally:
        await stack.aclose()
        await engine.dispose()
        if not args.keep:
            admin = await asyncpg.connect(url.replace("+asyncpg", ""))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--pool", type=int, default=20, help="connections per pool (+ overflow)")
    parser.add_argument("--seed", type=int, default=95598)
    parser.add_argument("--postgres-url", help="an admin URL; default: a throwaway server")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.postgres_url or stack.enter_context(postgres_server())
        with asyncio.Runner(loop_factory=lambda: new_loop("auto")) as runner:
            runner.run(run(url, args))  # the server's event loop: uvloop where installed


if __name__ == "__main__":
    main()
