"""The working-day calendar in force: the shipped data files with the operators' stored
versions over them; reading, replacing and reverting a year (audited); the loud warning for
a year needed (this one, from November the next) with no calendar."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.core.audit import AuditEntry, Editor, Stamp, before_after
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError, NotFoundError
from callcenter.core.work_calendar import (
    REGION,
    CalendarDay,
    CalendarOrigin,
    StoredCalendar,
    WorkCalendar,
    YearCalendar,
    load_files,
    merged,
    missing_warning,
    to_document,
    years_needed,
)

log = logging.getLogger(__name__)
FIRST_YEAR, LAST_YEAR = 2000, 2100


class NoStoredCalendarError(NotFoundError):
    """The year has no operator's version to drop."""

    default_code = "no-stored-calendar"


class CalendarStore(Protocol):
    """Operators' versions of calendar years."""

    async def stored(self, region: str) -> list[StoredCalendar]:
        """Every stored year of the region."""

    async def save(self, calendar: YearCalendar, entry: AuditEntry) -> None:
        """Replace the stored version of the calendar's year, writing `entry`."""

    async def remove(self, region: str, year: int, entry: AuditEntry) -> bool:
        """Drop a year's stored version, writing `entry`; False when there was none."""


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """A year as the API shows it: the calendar in force (None: missing), where it comes
    from, and for a stored one when and by whom."""

    year: int
    origin: CalendarOrigin
    calendar: YearCalendar | None
    has_file: bool
    updated_at: datetime | None = None
    updated_by: int | None = None


@dataclass(frozen=True, slots=True)
class CalendarOverview:
    """The years known, and the years needed (this one, from November the next too)
    that have no calendar."""

    years: tuple[CalendarYear, ...]
    missing: tuple[int, ...]
    warning: str | None


class CalendarService:
    """The calendar in force and the operators' edits."""

    def __init__(
        self,
        store: CalendarStore,
        clock: Clock,
        timezone: str,
        files: Mapping[int, YearCalendar] | None = None,
        region: str = REGION,
    ) -> None:
        self._store = store
        self._clock = clock
        self._zone = ZoneInfo(timezone)
        self._files = dict(load_files(region) if files is None else files)
        self._region = region

    async def calendar(self) -> WorkCalendar:
        """The working-day calendar in force now (files, stored versions over them)."""
        stored = [s.calendar for s in await self._store.stored(self._region)]
        return WorkCalendar(merged(self._files, stored), self._zone)

    async def overview(self) -> CalendarOverview:
        """Every year with a calendar, and the flag for this year and the next."""
        stored = {s.calendar.year: s for s in await self._store.stored(self._region)}
        years = sorted(set(self._files) | set(stored))
        today = self._clock.now().astimezone(self._zone).date()
        missing = tuple(y for y in years_needed(today) if y not in self._files and y not in stored)
        return CalendarOverview(
            tuple(self._view(y, stored.get(y)) for y in years),
            missing,
            missing_warning(missing) if missing else None,
        )

    async def warn_missing(self) -> tuple[int, ...]:
        """Log an error when a year needed (this one, from November the next) has no
        calendar; the years missing."""
        missing = (await self.overview()).missing
        if missing:
            log.error("%s", missing_warning(missing))
        return missing

    async def year(self, year: int) -> CalendarYear:
        """One year: stored, from the file, or missing."""
        _check_year(year)
        found = [s for s in await self._store.stored(self._region) if s.calendar.year == year]
        return self._view(year, found[0] if found else None)

    async def replace(
        self, year: int, days: Sequence[CalendarDay], source: str, editor: Editor
    ) -> CalendarYear:
        """Store an operator's version of the whole year (it overrides the file)."""
        _check_year(year)
        before = await self.year(year)
        calendar = YearCalendar(
            year, tuple(sorted(days, key=lambda d: d.day)), source, None, CalendarOrigin.STORED
        )
        entry = self._entry(editor, year, "replace", before.calendar, calendar)
        await self._store.save(calendar, entry)
        return await self.year(year)

    async def revert(self, year: int, editor: Editor) -> CalendarYear:
        """Drop the operator's version of a year: its data file is in force again."""
        before = await self.year(year)
        if before.origin is not CalendarOrigin.STORED:
            raise NoStoredCalendarError(f"{year} has no stored calendar to drop")
        entry = self._entry(editor, year, "revert", before.calendar, self._files.get(year))
        if not await self._store.remove(self._region, year, entry):
            raise NoStoredCalendarError(f"{year} has no stored calendar to drop")
        return await self.year(year)

    def _view(self, year: int, stored: StoredCalendar | None) -> CalendarYear:
        has_file = year in self._files
        if stored is not None:
            return CalendarYear(
                year,
                CalendarOrigin.STORED,
                stored.calendar,
                has_file,
                stored.updated_at,
                stored.updated_by,
            )
        if has_file:
            return CalendarYear(year, CalendarOrigin.FILE, self._files[year], True)
        return CalendarYear(year, CalendarOrigin.MISSING, None, False)

    def _entry(
        self,
        editor: Editor,
        year: int,
        action: str,
        before: YearCalendar | None,
        after: YearCalendar | None,
    ) -> AuditEntry:
        data = before_after(
            to_document(before) if before else None, to_document(after) if after else None
        )
        return Stamp(self._clock.now(), editor).entry(
            "calendar", f"{self._region}-{year}", action, data
        )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInputError(
            f"a calendar year is between {FIRST_YEAR} and {LAST_YEAR}, not {year}",
            code="invalid-year",
        )
