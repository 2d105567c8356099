"""Sessions and replies to and from JSON (they live in Redis between webhook requests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import orjson

from ivr_flows.commands import CALLER_COMMANDS, CallerCommand, Enqueue, Gather, InputMode
from ivr_flows.models import Frame, Session

FRAME_FIELDS = tuple(f.name for f in fields(Frame))
# orjson writes what the standard encoder wrote (`ensure_ascii=False`, no spaces, `str()` of
# anything else: dates and times as `str()` gives them), in a tenth of its time.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_OPTIONS |= orjson.OPT_NON_STR_KEYS


def _text(data: Any) -> str:
    return orjson.dumps(data, default=str, option=_OPTIONS).decode()


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
    return _text(data)


def load_session(text: str | bytes) -> Session:
    """The session a `dump_session` text holds."""
    data: dict[str, Any] = orjson.loads(text)
    data["stack"] = tuple(Frame(**frame) for frame in data.get("stack", ()))
    data["path"] = tuple(data.get("path", ()))
    return Session(**data)


_CALLER_TYPES: dict[str, type[CallerCommand]] = {t.__name__: t for t in CALLER_COMMANDS}


def dump_reply(commands: Sequence[CallerCommand]) -> str:
    """JSON text of the caller-facing commands of a reply (kept to answer a retried request
    with the same reply)."""
    data = [{"kind": type(cmd).__name__, **_fields(cmd)} for cmd in commands]
    return _text(data)


def load_reply(text: str | bytes) -> list[CallerCommand]:
    """The commands a `dump_reply` text holds."""
    out: list[CallerCommand] = []
    for item in orjson.loads(text):
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
