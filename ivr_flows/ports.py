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
        """(`found` | `many` | `not_found`, values to merge into the session); identifying
        look-ups (`caller`, `account`) give `customer_id` and `account_id` when found."""

    async def create_ticket(self, call_id: str, data: Mapping[str, Any]) -> str:
        """Open a ticket (or urge the open one for the same service point); its number."""

    async def enqueue(
        self, call_id: str, data: Mapping[str, Any], variables: Mapping[str, Any]
    ) -> None:
        """Put the call in line for an agent (queue, priority, skills, language, preferred
        agent), with what the session knows of the caller for the screen-pop."""

    async def record_steps(self, call_id: str, steps: list[Mapping[str, Any]]) -> None:
        """Append what the IVR did to the call record, in one write: nodes entered, masked
        digits, speech, look-ups (with who was identified), tickets, the queue."""
