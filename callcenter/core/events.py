"""Business events published to the outside world (outgoing webhooks): the event, the
port that takes them, and a converter of domain objects into JSON-ready data.

The port lives in core because the feature packages that publish (tickets, outbound) may
import only core; `callcenter.webhooks.ports` re-exports it for the webhooks package.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses and mappings become objects, tuples lists,
    datetimes and dates ISO 8601 text, enums their values, decimals text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened (`type`: `ticket.created`, `call.ended`, ...) with its data."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, type: str, value: Any) -> Event:
        """An event whose data is `value` (a dataclass or a mapping) made JSON-ready."""
        data = plain(value)
        return cls(type, data if isinstance(data, dict) else {"value": data})


class EventSink(Protocol):
    """Where the use cases publish their events; never fails the use case that calls it."""

    async def publish(self, event: Event) -> None:
        """Record `event` for delivery to its subscribers."""


class NoEvents:
    """An `EventSink` that drops every event (when webhooks are not wired in)."""

    async def publish(self, event: Event) -> None:
        """Drop `event`."""


NO_EVENTS: EventSink = NoEvents()
