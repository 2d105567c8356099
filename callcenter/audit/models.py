"""The audit log's filter, its numbered entries and the export formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.audit import AuditEntry


class ExportFormat(StrEnum):
    """How an export is written."""

    CSV = "csv"
    NDJSON = "ndjson"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries: each given field must match exactly; `since` included, `until` not."""

    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor_id: int | None = None
    actor_role: str | None = None
    address: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """A stored entry with its id (ids grow with time: the page key)."""

    id: int
    entry: AuditEntry


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Entries newest first, and the `before_id` of the next page (None: no more)."""

    records: list[AuditRecord]
    next_before_id: int | None
