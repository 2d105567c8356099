"""Sessions to and from JSON (they live in Redis between webhook requests)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

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
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def load_session(text: str | bytes) -> Session:
    """The session a `dump_session` text holds."""
    data: dict[str, Any] = json.loads(text)
    data["stack"] = tuple(Frame(**frame) for frame in data.get("stack", ()))
    data["path"] = tuple(data.get("path", ()))
    return Session(**data)
