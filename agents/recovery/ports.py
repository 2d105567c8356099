"""What rebuilding the ACD after Redis lost its data needs from SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from agents.models import CallerLine


@dataclass(frozen=True, slots=True)
class OpenCall:
    """A call the record says is waiting for an agent: its queue, when it joined it, and its
    line (caller, provider and the provider's id)."""

    call_id: str
    queue: str
    queued_at: datetime
    line: CallerLine
    simulated: bool = False
    priority: str = "normal"  # as the IVR queued it (a name or a score)
    skills: tuple[str, ...] = ()


class OpenCalls(Protocol):
    """Calls still waiting, by the call records (SQL)."""

    async def waiting(self, now: datetime) -> list[OpenCall]:
        """Queued or offered calls not ended, oldest in line first."""


class Epoch(Protocol):
    """Whether the shared state lost its data since it was last seen (Redis)."""

    async def lost(self) -> bool: ...
