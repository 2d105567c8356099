"""The SLA sweep over 100,000 open tickets on PostgreSQL: how long each sweep takes to find
the tickets whose next level fell due, announce the warnings and breaches (ticket events,
webhooks to a counting sink) and store the new levels.

1,000,000 tickets are loaded by `bench.ticket_data` (10 % open, the SLA columns set as a sweep
would have left them), then the real `TicketService.sweep` runs on a clock moved on by the
sweep period (`[tickets] sweep_seconds`, 30 s) each round: the steady state. Then the clock
jumps by an hour, as after an outage of the sweeping instance, and one sweep catches up.
Goal: a steady-state sweep < 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.tickets import run_on_tickets, ticket_parser
from callcenter.core.clock import ManualClock
from callcenter.core.events import Event
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.tickets.service import FileCalendars, TicketService


class Counted:
    """An event sink that counts what the sweep publishes."""

    def __init__(self) -> None:
        self.count = 0

    async def publish(self, event: Event) -> None:
        self.count += 1


async def timed_sweep(service: TicketService, batch: int) -> tuple[float, int]:
    """One sweep until nothing more is due: (seconds, levels announced)."""
    started = time.perf_counter()
    levels = await service.sweep(batch, batches=10_000)
    return time.perf_counter() - started, levels


async def sweeps(service: TicketService, clock: ManualClock, args: argparse.Namespace) -> None:
    first, levels = await timed_sweep(service, args.batch)
    print(f"first sweep (tickets not looked at yet): {first * 1000:.0f} ms, {levels:,} levels")
    times, announced = [], 0
    for _ in range(args.rounds):
        clock.advance(timedelta(seconds=args.period))
        seconds, levels = await timed_sweep(service, args.batch)
        times.append(seconds)
        announced += levels
    print(
        f"steady state, a sweep every {args.period:.0f} s, {args.rounds} sweeps: "
        f"p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
        f"{announced / args.rounds:.0f} levels a sweep (goal: < 1000 ms)"
    )
    clock.advance(timedelta(minutes=args.catch_up_minutes))
    seconds, levels = await timed_sweep(service, args.batch)
    print(
        f"catching up after {args.catch_up_minutes} min without a sweep: {seconds * 1000:.0f} ms, "
        f"{levels:,} levels ({levels / max(seconds, 1e-9):,.0f} levels/s)"
    )


async def sweep_bench(engine: AsyncEngine, now: datetime, args: argparse.Namespace) -> None:
    async with engine.connect() as conn:
        query = text("SELECT count(*) FROM tickets WHERE closed_at IS NULL")
        print(f"open tickets: {(await conn.execute(query)).scalar_one():,}")
    clock = ManualClock(now)
    service = TicketService(SqlTicketRepository(engine), clock, FileCalendars())
    sink = Counted()
    service.events = sink
    await sweeps(service, clock, args)
    print(f"webhook events published: {sink.count:,}")


def main() -> None:
    parser = ticket_parser(__doc__.splitlines()[0])
    parser.add_argument("--period", type=float, default=30.0, help="seconds between sweeps")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--catch-up-minutes", type=int, default=60)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    run_on_tickets(args, lambda engine, now: sweep_bench(engine, now, args))


if __name__ == "__main__":
    main()
