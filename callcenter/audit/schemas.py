"""The audit API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from callcenter.audit.models import AuditFilter, AuditRecord, ExportFormat


def _iso_text(value: object) -> object:
    """A time must be written as ISO 8601: pydantic would take a bare number for seconds since
    1970, which no one filtering an audit log means."""
    if value is None:
        return value
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    raise ValueError("write the time as ISO 8601 with a UTC offset, e.g. 2026-12-07T08:00+08:00")


IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class AuditFilterIn(BaseModel):
    """Filters of the audit log (exact matches); times are ISO 8601 with a UTC offset,
    `since` included, `until` excluded."""

    model_config = ConfigDict(extra="forbid")

    entity: str | None = Field(
        default=None, min_length=1, max_length=32, description="agent-state, campaign, user, …"
    )
    entity_id: str | None = Field(default=None, min_length=1, max_length=64)
    action: str | None = Field(default=None, min_length=1, max_length=32)
    actor_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    actor_role: str | None = Field(default=None, min_length=1, max_length=16)
    address: str | None = Field(default=None, min_length=1, max_length=64)
    since: IsoTime | None = None
    until: IsoTime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError("until must be after since")
        return self

    def audit_filter(self) -> AuditFilter:
        """The filter asked for."""
        return AuditFilter(
            entity=self.entity,
            entity_id=self.entity_id,
            action=self.action,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            address=self.address,
            since=self.since,
            until=self.until,
        )


class AuditQuery(AuditFilterIn):
    """A page of the audit log: newest first, ids below `before_id` (the previous page's
    `next_before_id`)."""

    before_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    limit: int = Field(default=100, ge=1, le=500)


class AuditExportQuery(AuditFilterIn):
    """An export of every matching entry, as CSV or NDJSON."""

    format: Literal["csv", "ndjson"] = "csv"  # inline in the OpenAPI query parameters

    def export_format(self) -> ExportFormat:
        """The format asked for."""
        return ExportFormat(self.format)


class AuditEntryOut(BaseModel):
    """One entry: who (role, user id, address), when, what (entity, id, action, data)."""

    id: int
    at: datetime
    actor_role: str
    actor_id: int | None
    address: str | None
    entity: str
    entity_id: str
    action: str
    data: dict[str, Any]

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntryOut:
        """The body of a stored entry."""
        e = record.entry
        return cls(
            id=record.id,
            at=e.at,
            actor_role=e.editor.role,
            actor_id=e.editor.user_id,
            address=e.editor.address,
            entity=e.entity,
            entity_id=e.entity_id,
            action=e.action,
            data=dict(e.data),
        )


class AuditListOut(BaseModel):
    """A page of entries, newest first; `next_before_id` null on the last page."""

    entries: list[AuditEntryOut]
    next_before_id: int | None
