"""`SqlCalendarStore`: operators' versions of a year's working-day calendar (they override
the data file of that year), each change audited in its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.audit import AuditEntry
from callcenter.core.work_calendar import (
    CalendarOrigin,
    StoredCalendar,
    YearCalendar,
    parse_document,
    to_document,
)
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import work_calendars

T = work_calendars


class SqlCalendarStore:
    """Implements `callcenter.tickets.calendar_service.CalendarStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def stored(self, region: str) -> list[StoredCalendar]:
        """Every stored year of `region`, oldest year first."""
        query = select(T).where(T.c.region == region).order_by(T.c.year)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_stored(r.document, r.updated_at, r.updated_by) for r in rows]

    async def save(self, calendar: YearCalendar, entry: AuditEntry) -> None:
        """Replace the stored version of the calendar's year."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(T).where(_year(calendar.region, calendar.year)))
            await conn.execute(
                insert(T).values(
                    region=calendar.region,
                    year=calendar.year,
                    document=to_document(calendar),
                    updated_at=entry.at,
                    updated_by=entry.editor.user_id,
                )
            )
            await write_audit(conn, entry)

    async def remove(self, region: str, year: int, entry: AuditEntry) -> bool:
        """Drop the stored version of a year (the file is in force again); False if none."""
        async with self._engine.begin() as conn:
            gone = (await conn.execute(delete(T).where(_year(region, year)))).rowcount
            if gone:
                await write_audit(conn, entry)
        return bool(gone)


def _year(region: str, year: int) -> Any:
    return (T.c.region == region) & (T.c.year == year)


def _stored(document: Any, updated_at: Any, updated_by: int | None) -> StoredCalendar:
    calendar = parse_document(document if isinstance(document, dict) else {}, CalendarOrigin.STORED)
    return StoredCalendar(calendar, updated_at, updated_by)
