"""A target's text as stored, and where it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TextState(StrEnum):
    """Where a target's text is."""

    SENDING = "sending"  # claimed; stays here if the process died while sending
    SENT = "sent"
    REFUSED = "refused"  # opted out
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class TextRecord:
    """A target's text as stored."""

    campaign_id: int
    target_id: int
    phone: str
    language: str
    body: str
    state: TextState
    reason: str | None = None
    provider_id: str | None = None
