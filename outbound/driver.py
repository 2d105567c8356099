"""Driving one campaign's dialer: rounds on a tick until the campaign stops (paused,
cancelled, completed, past its end), with the reconciliation of attempts stuck in `sending`
on its own period; or, for `campaign run` in the foreground, until nothing more can be
placed now (what is left waits for a retry time or a calling window)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from callcenter.core.clock import Clock
from outbound.dialer import Dialer, RoundReport
from outbound.models import CampaignCounts

STOPS = frozenset({"not-running", "completed", "ended"})
BUSY = ("due", "claimed", "placed")  # waiting states that end by themselves soon


@dataclass(slots=True)
class DriveReport:
    """What a drive did in all its rounds, and why it stopped (`not-running`, `completed`,
    `ended` or, until idle, `idle` or `not-started`)."""

    rounds: int = 0
    placed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    stopped: str = ""

    def add(self, report: RoundReport) -> None:
        self.rounds += 1
        self.placed += report.placed
        self.failed += report.failed
        for reason, n in report.refused.items():
            self.refused[reason] = self.refused.get(reason, 0) + n


Progress = Callable[[RoundReport, CampaignCounts], None]
"""Called after every round with the report and the counts: `targets` and `waiting` only
(`results` and `refused` are left empty: counting them grows with the campaign)."""


def idle(counts: CampaignCounts) -> bool:
    """Nothing due, claimed or on the line: what remains waits for a later time (or, in
    `sending`, for a person or the next reconciliation)."""
    return not any(counts.waiting.get(state, 0) for state in BUSY)


async def drive(
    dialer: Dialer,
    clock: Clock,
    *,
    sleep: Callable[[float], Awaitable[None]],
    tick_seconds: float,
    reconcile_seconds: float = 30.0,
    until_idle: bool = False,
    progress: Progress | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> DriveReport:
    """Take the campaign over (claims released, stuck sends reconciled), then dial rounds
    every `tick_seconds` until the campaign stops or, with `until_idle`, goes idle; or, at
    a round's end, until `stopping()` says the process is shutting down (`stopped`:
    `shutdown`)."""
    total = DriveReport()
    await dialer.take_over(clock.now())
    targets = (await dialer.counts(clock.now())).targets if progress is not None else 0
    last_reconcile = clock.now()
    while not stopping():
        now = clock.now()
        report = await dialer.round(now)
        total.add(report)
        waiting = await dialer.waiting(now) if (progress or until_idle) else None
        counts = CampaignCounts(targets, {}, {}, waiting) if waiting is not None else None
        if progress is not None and counts is not None:
            progress(report, counts)
        if report.skipped in STOPS:
            total.stopped = report.skipped or ""
            return total
        if until_idle and report.skipped == "not-started":
            total.stopped = "not-started"
            return total
        if until_idle and counts is not None and report.claimed == 0 and idle(counts):
            total.stopped = "idle"
            return total
        if now - last_reconcile >= timedelta(seconds=reconcile_seconds):
            last_reconcile = now
            await dialer.reconcile(now)
        await sleep(tick_seconds)
    total.stopped = "shutdown"
    return total
