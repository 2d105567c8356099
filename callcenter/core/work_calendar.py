"""The working-day calendar: public holidays and make-up working days (调休) per year.

A year comes from a data file shipped in `calendar_data/` (`cn-2025.json`, generated from the
`chinesecalendar` library by `callcenter/devtools/calendar_gen.py`) or from an operator's
stored version of that year, which overrides the file. Working days are whole local days.

A year with no calendar is never silently treated as an ordinary Monday-to-Friday year:
`WorkCalendar` still answers for it (weekends are then the only days off, since no holiday
is known), but `missing_between` names it, so every deadline that reaches it is marked
`calendar_missing`, and the services that load the calendar log an error and show a flag.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from importlib import resources
from typing import Any

from callcenter.core.errors import InvalidInputError

REGION = "cn"
DATA_DIR = "calendar_data"
NEXT_YEAR_FROM_MONTH = 11  # the next year's arrangement is published in Oct-Nov: needed then
MAX_SCAN_DAYS = 3660  # a deadline further than ten years away is a data error, not a wait


class InvalidCalendarError(InvalidInputError):
    """A calendar year's days are not usable (wrong year, duplicates, a weekday workday)."""

    default_code = "invalid-calendar"


class DayKind(StrEnum):
    """What an entry of a year's calendar says about its date."""

    HOLIDAY = "holiday"  # a day off (public holiday, or a weekday moved off by 调休)
    WORKDAY = "workday"  # a make-up working day on a Saturday or Sunday (调休上班)


class CalendarOrigin(StrEnum):
    """Where a year's calendar comes from."""

    FILE = "file"  # the data file shipped with the server
    STORED = "stored"  # an operator's version in SQL (overrides the file)
    MISSING = "missing"  # none: weekends are the only days off, deadlines are flagged


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One exception to the Monday-to-Friday week."""

    day: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """The holidays and make-up working days of one year, with where they came from."""

    year: int
    days: tuple[CalendarDay, ...]
    source: str
    generated_on: date | None = None
    origin: CalendarOrigin = CalendarOrigin.FILE
    region: str = REGION
    holidays: frozenset[date] = field(init=False, repr=False, compare=False)
    workdays: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_days(self.year, self.days)
        off = frozenset(d.day for d in self.days if d.kind is DayKind.HOLIDAY)
        on = frozenset(d.day for d in self.days if d.kind is DayKind.WORKDAY)
        object.__setattr__(self, "holidays", off)
        object.__setattr__(self, "workdays", on)


def check_days(year: int, days: Iterable[CalendarDay]) -> None:
    """`InvalidCalendarError` naming every problem: a date outside `year`, a date listed
    twice, a make-up working day that is not a Saturday or Sunday."""
    problems: list[str] = []
    seen: set[date] = set()
    for entry in days:
        if entry.day.year != year:
            problems.append(f"{entry.day.isoformat()} is not in {year}")
        if entry.day in seen:
            problems.append(f"{entry.day.isoformat()} is listed twice")
        seen.add(entry.day)
        if entry.kind is DayKind.WORKDAY and entry.day.weekday() < 5:
            problems.append(
                f"{entry.day.isoformat()} is a weekday: only a weekend day can be a workday"
            )
    if problems:
        raise InvalidCalendarError("; ".join(problems))


def parse_document(data: Mapping[str, Any], origin: CalendarOrigin) -> YearCalendar:
    """A year's calendar from its JSON document (the data file's shape)."""
    try:
        days = [
            CalendarDay(date.fromisoformat(d["date"]), kind, str(d.get("name", "")))
            for kind, key in ((DayKind.HOLIDAY, "holidays"), (DayKind.WORKDAY, "workdays"))
            for d in data.get(key, ())
        ]
        generated = data.get("generated_on")
        return YearCalendar(
            year=int(data["year"]),
            days=tuple(sorted(days, key=lambda d: d.day)),
            source=str(data.get("source", "")),
            generated_on=date.fromisoformat(generated) if generated else None,
            origin=origin,
            region=str(data.get("region", REGION)),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidCalendarError(f"not a calendar document: {err}") from None


def to_document(calendar: YearCalendar) -> dict[str, Any]:
    """The JSON document of a year's calendar (what the data files hold)."""

    def entries(kind: DayKind) -> list[dict[str, str]]:
        return [
            {"date": d.day.isoformat(), "name": d.name} for d in calendar.days if d.kind is kind
        ]

    return {
        "region": calendar.region,
        "year": calendar.year,
        "source": calendar.source,
        "generated_on": calendar.generated_on.isoformat() if calendar.generated_on else None,
        "holidays": entries(DayKind.HOLIDAY),
        "workdays": entries(DayKind.WORKDAY),
    }


def file_name(region: str, year: int) -> str:
    """The data file of a region's year: `cn-2025.json`."""
    return f"{region}-{year}.json"


def load_files(region: str = REGION) -> dict[int, YearCalendar]:
    """Every year of `region` shipped in `calendar_data/`, by year."""
    folder = resources.files("callcenter.core").joinpath(DATA_DIR)
    years: dict[int, YearCalendar] = {}
    for item in folder.iterdir():
        stem, _, year = item.name.removesuffix(".json").rpartition("-")
        if item.name.endswith(".json") and stem == region and year.isdigit():
            calendar = parse_document(json.loads(item.read_text("utf-8")), CalendarOrigin.FILE)
            years[calendar.year] = calendar
    return years


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days and working time in one time zone, over the years it knows."""

    years: Mapping[int, YearCalendar]
    timezone: tzinfo

    def has_year(self, year: int) -> bool:
        """True when the year has a calendar (a file or a stored version)."""
        return year in self.years

    def missing_between(self, start: datetime, end: datetime) -> tuple[int, ...]:
        """The years from `start`'s local year to `end`'s that have no calendar."""
        first, last = self.local_date(start).year, self.local_date(end).year
        return tuple(y for y in range(first, last + 1) if y not in self.years)

    def is_working_day(self, day: date) -> bool:
        """A make-up working day, or Monday to Friday unless a holiday. For a year with no
        calendar: Monday to Friday (see the module's note: such deadlines are flagged)."""
        year = self.years.get(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            if day in year.holidays:
                return False
        return day.weekday() < 5

    def local_date(self, moment: datetime) -> date:
        """The local calendar date of an aware moment."""
        return moment.astimezone(self.timezone).date()

    def day_start(self, day: date) -> datetime:
        """Local midnight starting `day`, in UTC."""
        return datetime.combine(day, time(0), self.timezone).astimezone(UTC)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline "within `days` working days" of `start`: the end (local 24:00) of the
        `days`-th working day after `start`'s date. The opening day itself does not count
        and a period ends at 24:00 of its last day (the Civil Code's rule for periods in
        days, articles 201 and 203)."""
        if days < 1:
            raise ValueError(f"a period in working days needs at least 1 day, not {days}")
        day = self.local_date(start)
        for _ in range(MAX_SCAN_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
                if days == 0:
                    return self.day_start(day + timedelta(days=1))
        raise ValueError(f"no deadline within {MAX_SCAN_DAYS} days of {start.isoformat()}")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The part of `[start, end)` that falls on working days (zero when end <= start)."""
        total = timedelta(0)
        if end <= start:
            return total
        day = self.local_date(start)
        while (begin := self.day_start(day)) < end:
            finish = self.day_start(day + timedelta(days=1))
            if self.is_working_day(day):
                total += min(end, finish) - max(start, begin)
            day += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed since `start` (non-working
        days pass without counting); `start` itself when `amount` is zero."""
        if amount <= timedelta(0):
            return start
        cursor, day = start.astimezone(UTC), self.local_date(start)
        for _ in range(MAX_SCAN_DAYS):
            finish = self.day_start(day + timedelta(days=1))
            if self.is_working_day(day):
                if cursor + amount <= finish:
                    return cursor + amount
                amount -= finish - cursor
            cursor, day = finish, day + timedelta(days=1)
        raise ValueError(f"no moment within {MAX_SCAN_DAYS} days of {start.isoformat()}")


def merged(
    files: Mapping[int, YearCalendar], stored: Iterable[YearCalendar]
) -> dict[int, YearCalendar]:
    """The years in force: the stored versions over the files."""
    years = dict(files)
    years.update({c.year: c for c in stored})
    return years


def years_needed(today: date) -> tuple[int, ...]:
    """The years a calendar must exist for: this one, and from November the next."""
    this = today.year
    return (this, this + 1) if today.month >= NEXT_YEAR_FROM_MONTH else (this,)


def missing_warning(years: Iterable[int]) -> str:
    """The warning shown for years with no calendar."""
    listed = ", ".join(str(y) for y in sorted(years))
    return (
        f"no working-day calendar for {listed}: deadlines in working days that reach it count "
        "only Saturdays and Sundays as days off and are marked calendar_missing; "
        "regenerate the data file or PUT /api/calendars/{year}"
    )


@dataclass(frozen=True, slots=True)
class StoredCalendar:
    """An operator's version of a year, with when and by whom it was saved."""

    calendar: YearCalendar
    updated_at: datetime
    updated_by: int | None
