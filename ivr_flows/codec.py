"""Sessions to and from JSON (they live in Redis between webhook requests)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ivr_flows.models import Frame, Session


def dump_session(session: Session) -> str:
    """JSON text of a session."""
    data = asdict(session)
    data["vars"] = dict(session.vars)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def load_session(text: str | bytes) -> Session:
    """The session a `dump_session` text holds."""
    data: dict[str, Any] = json.loads(text)
    data["stack"] = tuple(Frame(**frame) for frame in data.get("stack", ()))
    data["path"] = tuple(data.get("path", ()))
    return Session(**data)
