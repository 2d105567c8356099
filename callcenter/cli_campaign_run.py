"""`callcenter campaign run` (the foreground dialing, with a progress bar on stderr and what
waits and why at the end) and the texts `campaign status`, `preview` and `list` print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from callcenter.campaigns.standalone import Standalone
from callcenter.core.phone import mask
from outbound.campaigns import CampaignStatus
from outbound.dialer import RoundReport
from outbound.driver import BUSY, DriveReport
from outbound.models import (
    Campaign,
    CampaignCounts,
    CampaignRecord,
    CampaignState,
    CampaignStateError,
    Candidate,
)
from outbound.reports.models import SCHEDULED, SENDING, UNCERTAIN, AttemptWait

if TYPE_CHECKING:
    from callcenter.cli import ProgressBar

REFUSAL_WAITS = {
    "outside-window": "wait for the calling window (opens {when})",
    "daily-cap": "wait for the daily cap ({when})",
    "monthly-cap": "wait for the 30-day cap ({when})",
    "arrears-unanswered-cap": "wait for the cap on unanswered arrears calls ({when})",
    "area-suspended": "wait for the area's suspension to end ({when})",
    "holiday": "wait for the holiday to end ({when})",
    "sequence": "wait for the arrears procedure ({when})",
}
OTHER_WAITS = {
    SENDING: "sending: left for reconciliation with the gateway, never redialled blindly",
    UNCERTAIN: "uncertain: for a person",
    SCHEDULED: "due at {when}",
}
NOT_WAITING = frozenset({UNCERTAIN, SENDING})  # a result, or counted under its state


class RunProgress:
    """The run's progress bar: targets dealt with for now (nothing due or on the line)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._bar: ProgressBar | None = None
        self._shown = -1

    def __call__(self, report: RoundReport, counts: CampaignCounts) -> None:
        if self._bar is None:
            from callcenter.cli import ProgressBar  # the command line's bar (cli imports us)

            self._bar = ProgressBar(counts.targets, "targets", self._out)
        done = counts.targets - sum(counts.waiting.get(state, 0) for state in BUSY)
        if done != self._shown:  # one line per change, not per tick
            self._shown = done
            self._bar.update(done)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.finish()


async def run(cli: Standalone, args: argparse.Namespace) -> int:
    """`campaign run ID`: start a draft, dial until nothing more can be placed now, then
    say what waits and why."""
    service = cli.outbound.campaigns
    record = await service.get(args.id)
    state = record.campaign.state
    if state not in (CampaignState.DRAFT, CampaignState.RUNNING):
        hint = " (resume it first)" if state is CampaignState.PAUSED else ""
        raise CampaignStateError(f"campaign {args.id} is {state}: nothing to run{hint}")
    cli.dialable(record.campaign)
    if state is CampaignState.DRAFT:
        await service.start(args.id)
    progress = RunProgress(sys.stderr)
    try:
        report = await cli.run(args.id, progress)
    finally:
        progress.finish()
    now = cli.clock.now()
    status = await service.status(args.id)
    waits = await cli.waits.waits(args.id, now)
    for line in run_lines(report, status, waits, now, cli.settings.server.timezone):
        print(line)
    return 0


def when(at: datetime, now: datetime, zone: str) -> str:
    """A local time: the hour alone today, else the date and the UTC offset too."""
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def wait_line(wait: AttemptWait, now: datetime, zone: str) -> str:
    """`12 wait for the calling window (opens …)`, `3 retry at 14:05 (busy)`, …"""
    at = when(wait.earliest, now, zone) if wait.earliest else "-"
    text = REFUSAL_WAITS.get(wait.reason) or OTHER_WAITS.get(wait.reason)
    if text is None:
        text = "retry at {when} ({reason})"
    return f"{wait.count} " + text.format(when=at, reason=wait.reason)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _stopped(report: DriveReport, campaign: Campaign, now: datetime, zone: str) -> str:
    if report.stopped == "not-started" and campaign.start_at:
        return f"it starts at {when(campaign.start_at, now, zone)}"
    if report.stopped == "ended" and campaign.end_at:
        return f"past its end ({when(campaign.end_at, now, zone)})"
    return {
        "idle": "nothing more can be placed now",
        "completed": "completed",
        "not-running": f"it is {campaign.state} now",
    }.get(report.stopped, report.stopped)


def run_lines(
    report: DriveReport,
    status: CampaignStatus,
    waits: Sequence[AttemptWait],
    now: datetime,
    zone: str,
) -> list[str]:
    """What a run did, why it stopped, and what waits and why."""
    campaign, counts = status.record.campaign, status.counts
    refused = sum(report.refused.values())
    detail = f" ({_counts(report.refused)})" if refused else ""
    lines = [
        f"campaign {campaign.id}: {report.placed} calls placed, {refused} refused{detail}, "
        f"{report.failed} failed; {_stopped(report, campaign, now, zone)}"
    ]
    due = counts.waiting.get("due", 0)
    if due and report.stopped in ("not-started", "not-running"):
        lines.append(f"{due} wait for the campaign to run")
    lines += [wait_line(w, now, zone) for w in waits]
    if len(lines) == 1:
        lines.append("nothing waits")
    return lines


def waiting_by_reason(counts: CampaignCounts, waits: Sequence[AttemptWait]) -> dict[str, int]:
    """Unfinished attempts by why they wait: `due`, `claimed`, `sending`, `placed`, and for
    a retry not yet due the previous attempt's refusal reason or result."""
    found = {k: n for k, n in counts.waiting.items() if k != "retry-later"}
    for wait in waits:
        if wait.reason not in NOT_WAITING:
            found[wait.reason] = found.get(wait.reason, 0) + wait.count
    return found


def status_object(status: CampaignStatus, waits: Sequence[AttemptWait]) -> dict[str, Any]:
    """`campaign status --json`."""
    campaign, counts = status.record.campaign, status.counts
    return {
        "id": campaign.id,
        "name": campaign.name,
        "type": campaign.type.value,
        "state": campaign.state.value,
        "gateway": campaign.gateway.value,
        "target": f"{campaign.query.kind}:{campaign.query.value}",
        "targets": counts.targets,
        "results": counts.results,
        "refused": counts.refused,
        "waiting": waiting_by_reason(counts, waits),
    }


def status_lines(
    status: CampaignStatus, waits: Sequence[AttemptWait], now: datetime, zone: str
) -> list[str]:
    """`campaign status` for people."""
    campaign, counts = status.record.campaign, status.counts
    lines = [
        f"campaign {campaign.id} {campaign.name!r}: {campaign.type}, {campaign.state}, "
        f"{campaign.gateway} gateway, target {campaign.query.kind}:{campaign.query.value}",
        f"targets: {counts.targets}",
        f"results: {_counts(counts.results)}",
        f"refused: {_counts(counts.refused)}",
        f"waiting: {_counts(waiting_by_reason(counts, waits))}",
    ]
    return lines + [f"  {wait_line(w, now, zone)}" for w in waits]


def list_line(record: CampaignRecord, counts: CampaignCounts) -> str:
    """One campaign of `campaign list`."""
    c = record.campaign
    return (
        f"{c.id:>6}  {c.type:<21} {c.state:<9} targets {counts.targets}, "
        f"done {sum(counts.results.values())}, refused {sum(counts.refused.values())}, "
        f"waiting {sum(counts.waiting.values())}  {c.name}"
    )


def sample_table(sample: Sequence[Candidate]) -> list[str]:
    """The preview's sample: account, number (masked), customer, area, flags, values."""
    rows = [("account_no", "phone", "customer", "area", "flags", "values")]
    for c in sample:
        flags = ",".join(
            f for f, on in (("vulnerable", c.vulnerable), ("disputed", c.disputed)) if on
        )
        values = " ".join(f"{k}={v}" for k, v in sorted(c.values.items()))
        rows.append(
            (c.account_no, mask(c.phone), str(c.customer_id), c.area, flags or "-", values[:60])
        )
    if not sample:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return [
        "  ".join([*(v.ljust(w) for v, w in zip(row[:5], widths, strict=True)), row[5]]).rstrip()
        for row in rows
    ]
