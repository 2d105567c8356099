"""The stores the desk's campaign use cases need (SQL adapters in `callcenter.storage`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from callcenter.core.audit import Editor
from outbound.desk.models import (
    AttemptFacts,
    AttemptKey,
    Disposition,
    DispositionRecord,
    Effects,
    NewPromise,
    Promise,
    PromiseStatus,
)


class AttemptFactsReader(Protocol):
    """Reads an attempt by its key."""

    async def attempt_facts(self, key: AttemptKey) -> AttemptFacts | None:
        """The attempt, its campaign and target, and its agents; None when there is none."""


class DispositionStore(Protocol):
    """Dispositions and their effects on the campaign's attempts, in one transaction."""

    async def record(
        self,
        facts: AttemptFacts,
        disposition: Disposition,
        effects: Effects,
        promise: NewPromise | None,
        editor: Editor,
        now: datetime,
    ) -> DispositionRecord:
        """Store the disposition (`disposition-exists` when the attempt has one), its
        promise, cancel the target's pending attempts (done, `skipped`) and add the
        call-back attempt (pending, due then, for the agent who had the call), as
        `effects` say."""

    async def get(self, key: AttemptKey) -> DispositionRecord | None:
        """The attempt's disposition, or None."""


class PromiseStore(Protocol):
    """Promises to pay."""

    async def due(self, now: datetime, limit: int) -> list[Promise]:
        """Open promises due at `now`, oldest due first."""

    async def settle(self, promise_id: int, status: PromiseStatus, now: datetime) -> bool:
        """open -> `status` (compare-and-set); False when it was settled already."""

    async def open_for(self, account_id: int) -> Promise | None:
        """The account's open promise due last, or None."""


class FollowUps(Protocol):
    """Schedules the follow-up call of a broken promise."""

    async def schedule(self, promise: Promise, now: datetime) -> int | None:
        """A new pending attempt on the promise's campaign target, due `now`, when the
        campaign is running (its attempt number); None when it is not."""


class CallNotes(Protocol):
    """Writes on call records."""

    async def note(self, call_id: str, data: Mapping[str, Any]) -> None:
        """Append a `note_added` event to the call's record."""
