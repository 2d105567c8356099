"""What the IVR service needs from the rest of the system."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ivr_flows.models import Session


class SessionStore(Protocol):
    """IVR sessions between requests (Redis, with a TTL), with the last reply for retries."""

    async def load(self, call_id: str) -> tuple[Session, str] | None:
        """The session and the reply last sent for it."""

    async def save(self, session: Session, reply: str) -> None:
        """Store the session and the reply just sent."""

    async def delete(self, call_id: str) -> None:
        """Forget the session (the call ended)."""


class IvrServices(Protocol):
    """Look-ups, tickets and the call record, as the flows need them."""

    async def lookup(
        self, call_id: str, kind: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """(`found` | `many` | `not_found`, values to merge into the session)."""

    async def create_ticket(self, call_id: str, data: Mapping[str, Any]) -> str:
        """Open a ticket (or urge the open one for the same service point); its number."""

    async def record_steps(self, call_id: str, steps: list[Mapping[str, Any]]) -> None:
        """Append IVR steps (nodes entered, masked digits, speech) to the call record."""

    async def record_queued(self, call_id: str, data: Mapping[str, Any]) -> None:
        """The flow handed the call to a queue."""
