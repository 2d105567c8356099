"""What the call service needs from storage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from callcenter.calls.models import (
    CallEvent,
    CallQuery,
    CallRecord,
    LinkedTicket,
    ProviderRef,
)

Fold = Callable[[CallRecord, CallEvent], CallRecord]


class CallRepository(Protocol):
    """Persistence of call records and their events; each method is one transaction."""

    async def create(
        self, record: CallRecord, events: Sequence[CallEvent], ref: ProviderRef | None
    ) -> str:
        """Store a new call and its first events (`started`, then what happened with it,
        folded into `record`); when `ref` is already mapped, store nothing and return the id
        of the call it maps to."""

    async def append(self, call_id: str, events: Sequence[CallEvent], fold: Fold) -> CallRecord:
        """Lock the call, number `events` on from its last seq, fold them, store all at once."""

    async def link_provider(self, call_id: str, ref: ProviderRef) -> None:
        """Map one more provider id to the call (idempotent)."""

    async def find_by_provider(self, ref: ProviderRef) -> str | None:
        """The call id a provider id maps to."""

    async def record_by_provider(self, ref: ProviderRef) -> CallRecord | None:
        """The record of the call a provider id maps to (one round trip)."""

    async def get(self, call_id: str) -> CallRecord | None:
        """The stored record."""

    async def events(self, call_id: str) -> list[CallEvent]:
        """The call's events in order."""

    async def tickets(self, call_id: str) -> list[LinkedTicket]:
        """Tickets linked to the call."""

    async def search(self, query: CallQuery) -> tuple[list[CallRecord], int]:
        """Records matching `query`, newest first, and how many match in all."""
