"""What the IVR service needs from the rest of the system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ivr_flows.commands import CallerCommand, Enqueue, IvrRecord, Lookup, OpenTicket, Queued
from ivr_flows.events import LookupAnswered
from ivr_flows.history import IvrHistory
from ivr_flows.models import Session


class SessionStore(Protocol):
    """IVR sessions between requests (Redis, with a TTL), with the last reply for retries."""

    async def load(self, call_id: str) -> tuple[Session, list[CallerCommand]] | None:
        """The session and the reply last sent for it."""

    async def save(self, session: Session, reply: Sequence[CallerCommand]) -> None:
        """Store the session and the reply just sent."""

    def lock(self, call_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the call's session alone (across instances) while one request runs."""


class IvrServices(Protocol):
    """Look-ups, tickets, the queue and the call record, as the flows need them."""

    async def lookup(self, call_id: str, command: Lookup) -> LookupAnswered:
        """The answer (`found` | `many` | `not_found` | `unavailable`: the store cannot
        answer now; values for the session); identifying look-ups (`caller`, `account`)
        give `customer_id` and `account_id` when found."""

    async def open_ticket(self, call_id: str, command: OpenTicket) -> str:
        """Open a ticket (or urge the open one for the same service point); its number."""

    async def enqueue(
        self, call_id: str, command: Enqueue, variables: Mapping[str, Any]
    ) -> Queued | None:
        """Put the call in line for an agent with the node's routing and the identified
        caller's own (priority, account manager); what was used, or None when refused."""

    async def record(self, call_id: str, records: Sequence[IvrRecord]) -> None:
        """Append what the IVR did to the call record, in one write."""


class SessionHistory(Protocol):
    """Issue 17: what the call record says a call's IVR did, to rebuild a session that was
    lost (Redis restarted without its data, or the session expired)."""

    async def last_steps(self, call_id: str) -> IvrHistory:
        """The call's IVR steps in order (none when the call is unknown, its IVR never
        started, or the record cannot be read now)."""

    async def record_rebuilt(self, call_id: str, session: Session) -> None:
        """Note on the call record that its session was rebuilt (`ivr_rebuilt`)."""
