"""`callcenter outage add|update|close|list`: outages from the command line (audited as
`cli`). Times are ISO 8601; without a zone they are local (`server.timezone`)."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.outage_policy import OutagePolicy
from callcenter.campaigns.wiring import OutboundStores
from callcenter.config import Settings
from callcenter.core.audit import CLI_EDITOR
from callcenter.core.clock import SystemClock
from callcenter.core.errors import ConfigError, InvalidInputError
from callcenter.core.policy import pack_in_force as policy_pack
from callcenter.outages.models import NewOutage, Outage, OutageChanges, OutageKind, OutageStatus
from callcenter.outages.rules import aware
from callcenter.outages.service import OutageService
from callcenter.storage import db, migrate
from callcenter.storage.outages import SqlOutageStore

Command = Callable[[str, str], argparse.ArgumentParser]


def add_commands(command: Command) -> None:
    """The `outage` command and its options."""
    outage = command("outage", "outages: add, update, close, list")
    outage.add_argument("action", choices=["add", "update", "close", "list"])
    outage.add_argument("id", nargs="?", type=int, help="update, close: the outage id")
    outage.add_argument("--kind", choices=[k.value for k in OutageKind])
    outage.add_argument("--area", help="where, as callers hear it")
    outage.add_argument("--cause", help="why, as callers hear it")
    outage.add_argument("--feeder", nargs="+", action="extend", default=[], metavar="F")
    outage.add_argument(
        "--service-point", nargs="+", type=int, action="extend", default=[], metavar="ID"
    )
    outage.add_argument("--start", help="ISO 8601 (default: now)")
    outage.add_argument("--etr", help="estimated restoration, ISO 8601")
    outage.add_argument("--restored-at", help="close: when power came back (default: now)")
    outage.add_argument("--cancel", action="store_true", help="close: cancelled, not restored")
    outage.add_argument("--status", help="list: statuses, comma-separated, or open")
    outage.add_argument("--json", action="store_true", help="list: as JSON")


def outage_command(settings: Settings, args: argparse.Namespace) -> int:
    """`callcenter outage ...`."""
    if args.action in ("update", "close") and args.id is None:
        raise ConfigError(f"outage {args.action} needs the outage ID")
    action = ACTIONS[args.action]
    return asyncio.run(_with_service(settings, lambda s: action(s, args)))


async def _with_service(settings: Settings, body: Callable[[OutageService], Awaitable[int]]) -> int:
    engine = db.create_engine(settings.database_url)
    policy = _policy(settings, engine)
    try:
        await db.ping(engine)
        await migrate.upgrade(engine)
        zone = settings.server.timezone
        return await body(OutageService(SqlOutageStore(engine), SystemClock(), zone, policy))
    finally:
        await policy.settle()  # the campaigns the change starts, before the database closes
        await engine.dispose()


def _policy(settings: Settings, engine: AsyncEngine) -> OutagePolicy:
    """The outage-event policies (`[outbound.outage_policy]`): the campaigns they start are
    dialled by the server."""
    clock = SystemClock()
    pack = policy_pack(settings.policy.pack, clock.now().date())
    campaigns = OutboundStores.on(engine, pack, settings.server.timezone).campaign_service(
        pack, clock
    )
    return OutagePolicy.on(engine, campaigns, settings.outbound.outage_policy, clock)


def _time(text: str | None, what: str, service: OutageService) -> datetime | None:
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text), service.zone)
    except ValueError:
        raise InvalidInputError(
            f"{what}: not an ISO 8601 time: {text!r}", code="invalid-time"
        ) from None


async def _add(service: OutageService, args: argparse.Namespace) -> int:
    if not args.kind or args.area is None or args.cause is None:
        raise ConfigError("outage add needs --kind, --area and --cause")
    start = _time(args.start, "--start", service) or SystemClock().now()
    new = NewOutage(
        OutageKind(args.kind),
        args.area,
        args.cause,
        start,
        _time(args.etr, "--etr", service),
        tuple(args.feeder),
        tuple(args.service_point),
    )
    print(_line(await service.create(new, CLI_EDITOR), service))
    return 0


async def _update(service: OutageService, args: argparse.Namespace) -> int:
    changes = OutageChanges(
        area=args.area, cause=args.cause, estimated_restoration_at=_time(args.etr, "--etr", service)
    )
    if changes == OutageChanges():
        raise ConfigError("outage update: give --area, --cause or --etr")
    print(_line(await service.update(args.id, changes, CLI_EDITOR), service))
    return 0


async def _close(service: OutageService, args: argparse.Namespace) -> int:
    status = OutageStatus.CANCELLED if args.cancel else OutageStatus.RESTORED
    restored = _time(args.restored_at, "--restored-at", service)
    changes = OutageChanges(status=status, restored_at=restored)
    print(_line(await service.update(args.id, changes, CLI_EDITOR), service))
    return 0


async def _list(service: OutageService, args: argparse.Namespace) -> int:
    found = await service.search(args.status)
    if args.json:
        print(
            json.dumps([{"id": o.id, **o.as_json()} for o in found], ensure_ascii=False, indent=2)
        )
        return 0
    for outage in found:
        print(_line(outage, service))
    if not found:
        print("no outages")
    return 0


def _local(when: datetime | None, service: OutageService) -> str:
    return when.astimezone(service.zone).strftime("%Y-%m-%d %H:%M") if when else "-"


def _line(outage: Outage, service: OutageService) -> str:
    where = ", ".join([*outage.feeders, *(f"sp {p}" for p in outage.service_points)])
    return (
        f"outage {outage.id} [{outage.kind} {outage.status}] {outage.area}: {outage.cause}; "
        f"start {_local(outage.start_at, service)}, "
        f"ETR {_local(outage.estimated_restoration_at, service)}, "
        f"restored {_local(outage.restored_at, service)}; {where}"
    )


ACTIONS: dict[str, Callable[[OutageService, argparse.Namespace], Awaitable[int]]] = {
    "add": _add,
    "update": _update,
    "close": _close,
    "list": _list,
}
COMMANDS = {"outage": outage_command}
