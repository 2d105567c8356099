"""Operators' versions of a year's working-day calendar, which override the data file of
that year (migration 0008c), on the schema's one `metadata`."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from callcenter.storage.tables import Json, UtcDateTime, metadata

work_calendars = Table(
    "work_calendars",
    metadata,
    Column("region", String(8), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("document", Json, nullable=False),  # the data file's shape (holidays, workdays)
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Integer, nullable=True),
)
