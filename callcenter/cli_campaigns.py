"""`callcenter campaign create|preview|start|run|pause|resume|cancel|status|export|list`:
outbound campaigns from the command line, on the database and Redis of the settings.

`create` prints only the new id, so scripts can capture it. A `csv:FILE` target is read and
checked at once (every refused line reported, nothing created), and its targets are stored
with the draft: the file is not needed again, `start` may run in another process later.
Times are ISO 8601; without a zone they are local (`server.timezone`)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from callcenter import cli_campaign_run as running
from callcenter.campaigns.standalone import Standalone
from callcenter.config import Settings
from callcenter.core.clock import SystemClock
from callcenter.core.errors import ConfigError
from outbound.campaigns import CampaignService
from outbound.models import (
    CampaignMode,
    CampaignRecord,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetCsvError,
    TargetPreview,
    TargetQuery,
    TargetQueryKind,
)

Command = Callable[[str, str], argparse.ArgumentParser]
Action = Callable[[Standalone, argparse.Namespace], Awaitable[int]]
EXIT_FAILURE = 1
TARGETS = (
    "outage:ID|bills-due:DAYS|arrears-over:DAYS|balance-below:YUAN|ticket:ID|csv:FILE"
    "|callbacks-due:all|TYPE"  # 回访 (issue 15, callbacks)
)
WHOLE_NUMBERS = frozenset(
    {TargetQueryKind.OUTAGE, TargetQueryKind.TICKET, TargetQueryKind.BILLS_DUE}
    | {TargetQueryKind.ARREARS_OVER}
)
EXPORT_COLUMNS = (
    "campaign", "target", "account_no", "phone", "attempt_no", "state", "result", "reason",
    "provider_id", "call_id", "updated_at",
)  # fmt: skip


def add_commands(command: Command) -> None:
    """The `campaign` command and its verbs."""
    campaign = command("campaign", "outbound campaigns: create, preview, start, run, status, …")
    verbs = campaign.add_subparsers(dest="action", required=True, metavar="VERB")

    def verb(name: str, text: str, *, with_id: bool = True) -> argparse.ArgumentParser:
        parser = verbs.add_parser(name, help=text)
        parser.add_argument("--config", default=argparse.SUPPRESS, help="TOML file")
        if with_id:
            parser.add_argument("id", type=int, help="the campaign id")
        return parser

    create = verb("create", "create a draft campaign; prints its id", with_id=False)
    create.add_argument("--type", required=True, choices=[t.value for t in CampaignType])
    create.add_argument("--target", required=True, metavar=TARGETS)
    create.add_argument("--gateway", default="simulated", choices=[g.value for g in GatewayKind])
    create.add_argument("--start", help="not before, ISO 8601 (default: at once)")
    create.add_argument("--end", help="not after, ISO 8601")
    create.add_argument("--name", help="default: the type and the target")
    create.add_argument("--priority", type=int, default=0, help="higher dials first (0)")
    create.add_argument("--max-attempts", type=int, default=3, help="per target (3)")
    create.add_argument("--sms", action="store_true", help="also text the notice")
    create.add_argument(
        "--mode",
        choices=[m.value for m in CampaignMode],
        default=CampaignMode.AUTOMATED.value,
        help="dialing mode (automated: the message only)",
    )
    create.add_argument("--queue", help="the agent queue of agent-assisted modes")
    verb("preview", "how many targets, and a sample").add_argument(
        "--sample", type=int, default=10, help="rows shown (10)"
    )
    verb("start", "build the targets and set the campaign running")
    verb("pause", "no new calls (calls in flight finish)")
    verb("resume", "dial again after a pause")
    verb("cancel", "stop for good")
    verb("run", "dial in the foreground until nothing more can be placed now")
    verb("status", "counts of targets, results, refusals and waits").add_argument(
        "--json", action="store_true", help="one JSON object"
    )
    verb("export", "every attempt as CSV").add_argument(
        "--csv", required=True, metavar="FILE", help="the file to write, - for stdout"
    )
    verb("list", "every campaign with its counts", with_id=False)


def campaign_command(settings: Settings, args: argparse.Namespace) -> int:
    """`callcenter campaign …`."""
    action = ACTIONS[args.action]

    async def body() -> int:
        async with Standalone.open(settings, SystemClock()) as cli:
            return await action(cli, args)

    try:
        return asyncio.run(body())
    except BrokenPipeError:  # `… | head`: the reader has had enough; no error for that
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


# --- create ---


def _query(text: str) -> TargetQuery:
    name, _, value = text.partition(":")
    try:
        kind = TargetQueryKind(name.strip())
    except ValueError:
        raise ConfigError(f"--target: expected {TARGETS}, got {text!r}") from None
    value = value.strip()
    if not value:
        raise ConfigError(f"--target {kind}: the value is missing ({TARGETS})")
    if kind in WHOLE_NUMBERS and not value.isdigit():
        raise ConfigError(f"--target {kind}: needs a whole number, got {value!r}")
    if kind is TargetQueryKind.BALANCE_BELOW and not _amount(value):
        raise ConfigError(f"--target {kind}: needs an amount in yuan, got {value!r}")
    return TargetQuery(kind, value)


def _amount(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _csv_text(query: TargetQuery) -> str | None:
    if query.kind is not TargetQueryKind.CSV:
        return None
    try:
        return Path(query.value).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"--target csv: cannot read {query.value}: {err}") from None


def _time(text: str | None, option: str, zone: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option}: not an ISO 8601 time: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(zone))


def _new_campaign(args: argparse.Namespace, query: TargetQuery, zone: str) -> NewCampaign:
    start, end = _time(args.start, "--start", zone), _time(args.end, "--end", zone)
    if start and end and end <= start:
        raise ConfigError("--end must be after --start")
    if not 1 <= args.max_attempts <= 10:
        raise ConfigError("--max-attempts must be 1 to 10")
    if not -1000 <= args.priority <= 1000:
        raise ConfigError("--priority must be -1000 to 1000")
    name = args.name if args.name is not None else f"{args.type} {args.target}"
    if len(name) > 128:
        raise ConfigError("--name: at most 128 characters")
    return NewCampaign(
        name,
        CampaignType(args.type),
        GatewayKind(args.gateway),
        query,
        start_at=start,
        end_at=end,
        priority=args.priority,
        max_attempts=args.max_attempts,
        sms=args.sms,
        mode=CampaignMode(args.mode),
        queue=args.queue,
    )


async def _create(cli: Standalone, args: argparse.Namespace) -> int:
    query = _query(args.target)
    text = _csv_text(query)
    if text is not None:  # the file's name is what the campaign keeps of it
        query = TargetQuery(query.kind, Path(query.value).name)
    new = _new_campaign(args, query, cli.settings.server.timezone)
    queues = {q.name for q in cli.settings.routing.queues}
    if new.queue is not None and new.queue not in queues:
        raise ConfigError(f"--queue: no queue named {new.queue!r} ({', '.join(sorted(queues))})")
    service = cli.outbound.campaigns
    try:
        if text is not None:  # every line checked before anything is stored
            await service.preview(new.query, csv=text, sample=0)
        record = await service.create(new)
        if text is not None:
            await _store_csv_targets(cli, record, text)
    except TargetCsvError as err:
        for rejected in err.rejected:
            print(f"line {rejected.line}: {rejected.value}: {rejected.reason}", file=sys.stderr)
        print(f"callcenter: {err.message}", file=sys.stderr)
        return EXIT_FAILURE
    print(record.campaign.id)
    return 0


async def _store_csv_targets(cli: Standalone, record: CampaignRecord, text: str) -> None:
    """The CSV's targets stored with the draft (its start then builds nothing); should that
    fail, the draft is cancelled rather than left without its file."""
    campaign = record.campaign
    try:
        await cli.outbound.stores.targets.build(campaign.id, campaign.query, cli.clock.now(), text)
    except Exception:
        await cli.outbound.campaigns.cancel(campaign.id)
        raise


# --- the other verbs ---


async def _preview(cli: Standalone, args: argparse.Namespace) -> int:
    if args.sample < 0:
        raise ConfigError("--sample must be 0 or more")
    record = await cli.outbound.campaigns.get(args.id)
    stored = await cli.reads.stored_preview(args.id, args.sample)
    if stored is None and record.campaign.query.kind is not TargetQueryKind.CSV:
        preview = await cli.outbound.campaigns.preview(args.id, sample=args.sample)
        print(f"campaign {args.id}: {preview.count} targets now ({record.campaign.query.kind})")
    else:
        preview = stored or TargetPreview(0, ())
        print(f"campaign {args.id}: {preview.count} targets stored")
    for line in running.sample_table(preview.sample):
        print(line)
    return 0


async def _start(cli: Standalone, args: argparse.Namespace) -> int:
    record = await cli.outbound.campaigns.start(args.id)
    targets = await cli.outbound.stores.targets.count(args.id)
    print(f"campaign {args.id} {record.campaign.state} ({targets} targets)")
    return 0


def _move(change: Callable[[CampaignService, int], Awaitable[CampaignRecord]]) -> Action:
    async def move(cli: Standalone, args: argparse.Namespace) -> int:
        record = await change(cli.outbound.campaigns, args.id)
        print(f"campaign {args.id} {record.campaign.state}")
        return 0

    return move


async def _status(cli: Standalone, args: argparse.Namespace) -> int:
    status = await cli.outbound.campaigns.status(args.id)
    waits = await cli.waits.waits(args.id, cli.clock.now())
    report = running.status_object(status, waits)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for line in running.status_lines(status, waits, cli.clock.now(), cli.settings.server.timezone):
        print(line)
    return 0


async def _export(cli: Standalone, args: argparse.Namespace) -> int:
    await cli.outbound.campaigns.get(args.id)  # no-such-campaign before any file is made
    with ExitStack() as stack:
        out: TextIO = sys.stdout
        if args.csv != "-":
            try:
                out = stack.enter_context(Path(args.csv).open("w", encoding="utf-8", newline=""))
            except OSError as err:
                raise ConfigError(f"--csv: cannot write {args.csv}: {err}") from None
        written = await _write_attempts(cli, args.id, out)
    if args.csv != "-":
        print(f"{written} attempts of campaign {args.id} written to {args.csv}")
    return 0


async def _write_attempts(cli: Standalone, campaign_id: int, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    async for rows in cli.reads.export(campaign_id):
        for row in rows:
            a = row.attempt
            writer.writerow(
                [
                    a.campaign_id, a.target_id, row.account_no, row.target.phone, a.attempt_no,
                    a.state, a.result or "", a.reason or "", a.provider_id or "", a.call_id or "",
                    a.updated_at.isoformat() if a.updated_at else "",
                ]
            )  # fmt: skip
        written += len(rows)
    return written


async def _list(cli: Standalone, args: argparse.Namespace) -> int:
    records = await cli.outbound.stores.campaigns.list_campaigns()
    for record in records:
        counts = (await cli.outbound.campaigns.status(record.campaign.id)).counts
        print(running.list_line(record, counts))
    if not records:
        print("no campaigns")
    return 0


ACTIONS: dict[str, Action] = {
    "create": _create,
    "preview": _preview,
    "start": _start,
    "pause": _move(CampaignService.pause),
    "resume": _move(CampaignService.resume),
    "cancel": _move(CampaignService.cancel),
    "run": running.run,
    "status": _status,
    "export": _export,
    "list": _list,
}
COMMANDS = {"campaign": campaign_command}
