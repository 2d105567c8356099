"""`callcenter audit export`: the audit log's entries (the API's filters) as CSV or NDJSON,
newest first, to standard output or a file. Times are ISO 8601; without a zone they are
local (`server.timezone`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from callcenter.audit import export
from callcenter.audit.models import ExportFormat
from callcenter.audit.schemas import AuditFilterIn
from callcenter.audit.service import AuditTrail
from callcenter.config import Settings
from callcenter.httpkit import parse_query
from callcenter.storage import db
from callcenter.storage.audit import SqlAuditLog

Command = Callable[[str, str], argparse.ArgumentParser]
FILTERS = ("entity", "entity_id", "action", "actor_id", "actor_role", "address")
TIMES = ("since", "until")


def add_commands(command: Command) -> None:
    """The `audit` command."""
    audit = command("audit", "the audit log: export (who changed what, when, from where)")
    audit.add_argument("verb", choices=["export"])  # not `action`: that is a filter
    audit.add_argument("--since", help="ISO 8601, included (no zone: server.timezone)")
    audit.add_argument("--until", help="ISO 8601, excluded")
    for name in FILTERS:
        audit.add_argument(f"--{name.replace('_', '-')}", dest=name, help="exact match")
    audit.add_argument("--format", choices=[f.value for f in ExportFormat], default="csv")
    audit.add_argument("--output", help="a file (default: standard output)")


def _local(text: str, zone: ZoneInfo) -> str:
    """An ISO 8601 time with a zone (local when it has none); unparsable text as it is,
    for the filters to reject."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)).isoformat()


def _filters(settings: Settings, args: argparse.Namespace) -> AuditFilterIn:
    """The options as the API's filters, checked by the same rules (`invalid-query`)."""
    zone = ZoneInfo(settings.server.timezone)
    given = {name: str(getattr(args, name)) for name in FILTERS if getattr(args, name)}
    given |= {name: _local(getattr(args, name), zone) for name in TIMES if getattr(args, name)}
    return parse_query(AuditFilterIn, given)


async def _export(settings: Settings, q: AuditFilterIn, fmt: ExportFormat, out: BinaryIO) -> int:
    engine = db.create_engine(settings.database_url)
    written = 0
    try:
        await db.ping(engine)
        out.write(export.header(fmt))
        async for records in AuditTrail(SqlAuditLog(engine)).export(q.audit_filter()):
            out.write(export.lines(fmt, records))
            written += len(records)
    finally:
        await db.dispose(engine)
    out.flush()
    return written


def audit_command(settings: Settings, args: argparse.Namespace) -> int:
    """`callcenter audit export ...`."""
    q = _filters(settings, args)
    fmt = ExportFormat(args.format)
    if args.output is None:
        written = asyncio.run(_export(settings, q, fmt, sys.stdout.buffer))
    else:
        with Path(args.output).open("wb") as out:
            written = asyncio.run(_export(settings, q, fmt, out))
    print(f"exported {written} audit entries", file=sys.stderr)
    return 0


COMMANDS = {"audit": audit_command}
