"""What the call service needs from a journal: a durable, ordered log of the call writes
the database could not take."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from callcenter.calls.models import CallEvent, ProviderRef


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What one write did to one call: its numbered events (`opens`: the first is the
    call's `started` event, with the provider id `ref` the call was started with)."""

    number: int
    call_id: str
    events: tuple[CallEvent, ...]
    ref: ProviderRef | None = None
    opens: bool = False


class CallJournal(Protocol):
    """A durable, ordered log of call writes not yet in the database."""

    def pending(self) -> int:
        """How many entries wait to be written to the database."""

    def unavailable(self, error: BaseException) -> bool:
        """Whether `error` means the database cannot be reached (not a bad write)."""

    async def append(
        self,
        call_id: str,
        events: Sequence[CallEvent],
        ref: ProviderRef | None = None,
        *,
        opens: bool = False,
    ) -> None:
        """Store one entry; returns once it is on disk (its batch synced)."""

    def backlog(self) -> list[JournalEntry]:
        """The entries not yet replayed, oldest first."""

    def replayed(self, number: int) -> None:
        """Entries up to `number` are in the database (the journal may be emptied)."""
