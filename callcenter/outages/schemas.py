"""The outage API's shapes. Times are ISO 8601; a time without a zone is local time at the
utility (`server.timezone`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from callcenter.outages.models import OutageKind, OutageStatus


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutageQuery(_In):
    """`status`: comma-separated statuses, or `open` (scheduled and active)."""

    status: str | None = Field(default=None, max_length=64)


class OutageIn(_In):
    """A new outage: what kind, where (area text, feeders and/or service points), why, when."""

    kind: OutageKind
    area: str = Field(max_length=500)
    cause: str = Field(max_length=500)
    start_at: datetime
    estimated_restoration_at: datetime | None = None
    feeders: list[str] = Field(default_factory=list, max_length=500)
    service_points: list[int] = Field(default_factory=list, max_length=500)


class OutagePatchIn(_In):
    """Update the area, cause or ETR; or close: `status` restored (at `restored_at`, default
    now) or cancelled."""

    area: str | None = Field(default=None, max_length=500)
    cause: str | None = Field(default=None, max_length=500)
    estimated_restoration_at: datetime | None = None
    status: OutageStatus | None = None
    restored_at: datetime | None = None


class OutageOut(BaseModel):
    """An outage."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    area: str
    cause: str
    start_at: datetime
    estimated_restoration_at: datetime | None
    restored_at: datetime | None
    feeders: list[str]
    service_points: list[int]
    created_at: datetime
    updated_at: datetime | None


class OutageListOut(BaseModel):
    """Outages, newest start first."""

    outages: list[OutageOut]
