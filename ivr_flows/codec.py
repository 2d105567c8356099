"""Sessions and replies to and from JSON (they live in Redis between webhook requests)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from ivr_flows.commands import CALLER_COMMANDS, CallerCommand, Enqueue, Gather, InputMode
from ivr_flows.models import Frame, Session

FRAME_FIELDS = tuple(f.name for f in fields(Frame))


def dump_session(session: Session) -> str:
    """JSON text of a session."""
    data = {
        "call_id": session.call_id,
        "flow": session.flow,
        "node": session.node,
        "language": session.language,
        "vars": session.vars,
        "attempts": session.attempts,
        "stack": [{name: getattr(frame, name) for name in FRAME_FIELDS} for frame in session.stack],
        "path": session.path,
        "finished": session.finished,
        "seq": session.seq,
        "closed": session.closed,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def load_session(text: str | bytes) -> Session:
    """The session a `dump_session` text holds."""
    data: dict[str, Any] = json.loads(text)
    data["stack"] = tuple(Frame(**frame) for frame in data.get("stack", ()))
    data["path"] = tuple(data.get("path", ()))
    return Session(**data)


_CALLER_TYPES: dict[str, type[CallerCommand]] = {t.__name__: t for t in CALLER_COMMANDS}


def dump_reply(commands: Sequence[CallerCommand]) -> str:
    """JSON text of the caller-facing commands of a reply (kept to answer a retried request
    with the same reply)."""
    data = [{"kind": type(cmd).__name__, **_fields(cmd)} for cmd in commands]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def load_reply(text: str | bytes) -> list[CallerCommand]:
    """The commands a `dump_reply` text holds."""
    out: list[CallerCommand] = []
    for item in json.loads(text):
        kind = _CALLER_TYPES[item.pop("kind")]
        if kind is Gather:
            item["mode"] = InputMode(item["mode"])
            item["hints"] = tuple(item.get("hints", ()))
        elif kind is Enqueue:
            item["skills"] = tuple(item.get("skills", ()))
        out.append(kind(**item))
    return out


def _fields(command: CallerCommand) -> dict[str, Any]:
    return {f.name: getattr(command, f.name) for f in fields(command)}
