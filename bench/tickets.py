"""Benchmark: 1,000,000 tickets in PostgreSQL, then the ticket board's list and a text search.

    python bench/tickets.py [--tickets 1000000] [--open-share 0.1] [--runs 300]
                            [--postgres-url postgresql+asyncpg://...] [--keep]

Without --postgres-url it starts a throwaway PostgreSQL server (the Debian `postgresql`
package must be installed). It loads the tickets with `bench/ticket_data.py` (COPY), then
measures, one query at a time, p50/p99 of `search_tickets` (the page of 50 and its count, what
`GET /api/tickets` runs) for (a) the board's default query: the open statuses, overdue first,
and (b) text searches: words from summaries and comments, Chinese and English, alone and with
the open statuses.
Targets (issue 15): p99 < 50 ms for each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import pg_database
from bench.profile_lookup import percentile
from bench.ticket_data import load_tickets
from callcenter.storage import db, migrate
from callcenter.storage.demo_data import ROADS
from callcenter.storage.tickets_search import search_tickets
from callcenter.tickets.models import FINISHED, TicketQuery, TicketStatus

OPEN = tuple(s for s in TicketStatus if s not in FINISHED)
# words of the generated summaries and comments, from about 1 % of the tickets to about 10 %
WORDS = ("burnt meter", "变压器异响", "预约明天上午", "已到达现场")


async def measure(engine: AsyncEngine, name: str, queries: Sequence[TicketQuery]) -> None:
    """Run each query once, one after the other; print p50/p99 and the matches."""
    latencies: list[float] = []
    totals: list[int] = []
    async with engine.connect() as conn:
        for query in queries:
            start = time.perf_counter()
            _, total = await search_tickets(conn, query)
            latencies.append(time.perf_counter() - start)
            totals.append(total)
    print(
        f"{name:<34} p50 {percentile(latencies, 50) * 1000:6.2f} ms   "
        f"p99 {percentile(latencies, 99) * 1000:6.2f} ms   "
        f"({len(queries)} runs, {min(totals):,}-{max(totals):,} matches)",
        flush=True,
    )


async def meter_numbers(engine: AsyncEngine, count: int) -> list[str]:
    """Meter numbers from random summaries: a search that finds one ticket."""
    sql = "SELECT summary FROM tickets TABLESAMPLE SYSTEM (1) LIMIT :n"
    async with engine.connect() as conn:
        rows = (await conn.execute(text(sql), {"n": count})).scalars().all()
    return [s.rsplit("表号", 1)[-1].rsplit("meter ", 1)[-1] for s in rows]


async def benchmark(engine: AsyncEngine, runs: int, now: datetime) -> None:
    """The board's default list, then text searches."""
    board = TicketQuery(now, statuses=OPEN)
    await measure(engine, "warm-up", [board] * 20)
    await measure(engine, "(a) board: open, overdue first", [board] * runs)
    page2 = TicketQuery(now, statuses=OPEN, offset=50)
    await measure(engine, "    board, second page", [page2] * runs)
    meters = await meter_numbers(engine, runs)
    await measure(engine, "(b) text: a meter number", [TicketQuery(now, text=m) for m in meters])
    rng = random.Random(15)
    places = [f"{rng.choice(ROADS)}{rng.randrange(1, 999)}号" for _ in range(runs)]
    await measure(engine, "(b) text: an address", [TicketQuery(now, text=p) for p in places])
    in_board = [TicketQuery(now, statuses=OPEN, text=p) for p in places]
    await measure(engine, "    + open statuses", in_board)
    for word in WORDS:
        await measure(engine, f"(b) text: {word}", [TicketQuery(now, text=word)] * (runs // 3))
        in_board = [TicketQuery(now, statuses=OPEN, text=word)] * (runs // 3)
        await measure(engine, "    + open statuses", in_board)


async def load(engine: AsyncEngine, args: argparse.Namespace, now: datetime) -> None:
    """Migrate, load the tickets, print how long it took."""
    await migrate.upgrade(engine)
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int) -> None:
        moment = time.perf_counter()
        if moment - last[0] > 10:
            last[0] = moment
            print(f"  loaded {done:,} tickets in {moment - started:5.1f}s", flush=True)

    await load_tickets(engine, args.tickets, args.open_share, now, args.seed, progress)
    seconds = time.perf_counter() - started
    async with engine.connect() as conn:  # what autovacuum does after a load, now
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE tickets, ticket_events"))
        events = (await conn.execute(text("SELECT count(*) FROM ticket_events"))).scalar_one()
    print(
        f"loading: {args.tickets:,} tickets and {events:,} events in {seconds:.1f} s, "
        f"indexes included ({args.tickets / seconds:,.0f} tickets/s)",
        flush=True,
    )


Bench = Callable[[AsyncEngine, datetime], Awaitable[None]]


def ticket_parser(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark on the synthetic tickets: how many, their seed, where."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=95598)
    parser.add_argument("--postgres-url", help="an admin URL; default: a throwaway server")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser


async def _on_tickets(admin_url: str, args: argparse.Namespace, bench: Bench) -> None:
    async with pg_database.database(admin_url, args.keep) as url:
        engine = db.create_engine(url)
        now = datetime.now(UTC)
        try:
            await load(engine, args, now)
            await bench(engine, now)
        finally:
            await engine.dispose()


def run_on_tickets(args: argparse.Namespace, bench: Bench) -> None:
    """Load the tickets into a database of their own (on a throwaway server unless
    `--postgres-url`), then run `bench(engine, now)`."""
    with pg_database.server(args.postgres_url) as url:
        asyncio.run(_on_tickets(url, args, bench))


def main() -> None:
    parser = ticket_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    run_on_tickets(args, lambda engine, now: benchmark(engine, args.runs, now))


if __name__ == "__main__":
    main()
