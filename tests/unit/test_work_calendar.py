"""The working-day calendar on the real 2025 and 2026 arrangements (调休), and its edges."""

from __future__ import annotations

import fnmatch
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.checks import calendar_lines
from callcenter.core.policy import CN_2026_CALENDAR
from callcenter.core.work_calendar import (
    CalendarDay,
    CalendarOrigin,
    DayKind,
    InvalidCalendarError,
    WorkCalendar,
    YearCalendar,
    load_files,
    merged,
    missing_warning,
    parse_document,
    to_document,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
CALENDAR = WorkCalendar(load_files(), SHANGHAI)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # a Sunday worked before the Spring Festival
        (date(2025, 2, 8), True),  # a Saturday worked after it
        (date(2025, 1, 28), False),  # Spring Festival's eve, a Tuesday off
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 4, 27), True),  # Sunday worked for Labour Day
        (date(2025, 9, 28), True),  # Sunday worked for National Day
        (date(2025, 10, 11), True),  # Saturday worked for National Day
        (date(2025, 9, 30), True),
        (date(2025, 10, 9), True),
        (date(2025, 10, 12), False),  # an ordinary Sunday
        (date(2025, 10, 13), True),  # an ordinary Monday
        (date(2026, 1, 4), True),  # Sunday worked after New Year 2026
        (date(2026, 2, 16), False),
        (date(2026, 10, 10), True),
    ],
)
def test_real_tiaoxiu_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize("offset", range(8))
def test_national_day_week_2025_is_off(offset: int) -> None:
    assert not CALENDAR.is_working_day(date(2025, 10, 1) + timedelta(days=offset))


def test_the_shipped_years() -> None:
    files = load_files()
    assert {2025, 2026} <= set(files)
    assert all(
        c.origin is CalendarOrigin.FILE and "chinesecalendar" in c.source for c in files.values()
    )


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        # opened on Tuesday: the opening day does not count, the period ends at 24:00
        (local(2025, 3, 4, 10), 1, local(2025, 3, 6)),
        (local(2025, 3, 4, 23, 59), 5, local(2025, 3, 12)),
        # opened on Friday: the weekend does not count
        (local(2025, 3, 7, 9), 1, local(2025, 3, 11)),
        # opened on Sunday: Monday is the first day
        (local(2025, 3, 9, 9), 1, local(2025, 3, 11)),
        # the National Day week: 30 Sep, then 9 Oct, 10 Oct, Saturday 11 Oct (调休)
        (local(2025, 9, 29, 15), 2, local(2025, 10, 10)),
        (local(2025, 9, 29, 15), 4, local(2025, 10, 12)),
        (local(2025, 9, 29, 15), 5, local(2025, 10, 14)),
        # the Spring Festival: Sunday 26 Jan 2025 is worked
        (local(2025, 1, 24, 12), 1, local(2025, 1, 27)),
        (local(2025, 1, 27, 12), 1, local(2025, 2, 6)),
        (local(2025, 1, 27, 12), 2, local(2025, 2, 7)),
        (local(2025, 1, 27, 12), 3, local(2025, 2, 8)),
        (local(2025, 1, 27, 12), 4, local(2025, 2, 9)),  # Saturday 8 Feb is worked
        # a moment in UTC is read in local time: 2025-03-07 17:00 UTC is Saturday 01:00
        (datetime(2025, 3, 7, 17, tzinfo=UTC), 1, local(2025, 3, 11)),
    ],
)
def test_add_working_days(start: datetime, days: int, deadline: datetime) -> None:
    assert CALENDAR.add_working_days(start, days) == deadline


def test_a_period_needs_a_day() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.add_working_days(local(2025, 3, 4), 0)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (local(2025, 3, 4, 10), local(2025, 3, 4, 16), 6),
        (local(2025, 3, 4, 16), local(2025, 3, 4, 10), 0),
        (local(2025, 3, 7, 12), local(2025, 3, 10, 12), 24),  # Friday noon to Monday noon
        (local(2025, 9, 30, 0), local(2025, 10, 9, 0), 24),  # the National Day week
        (local(2025, 10, 8, 0), local(2025, 10, 12, 0), 72),  # 9, 10 and Saturday 11
        (local(2025, 10, 1, 5), local(2025, 10, 1, 6), 0),
    ],
)
def test_working_time_between(start: datetime, end: datetime, hours: int) -> None:
    assert CALENDAR.working_time_between(start, end) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "hours", "moment"),
    [
        (local(2025, 3, 4, 10), 0, local(2025, 3, 4, 10)),
        (local(2025, 3, 4, 10), 14, local(2025, 3, 5)),  # exactly at the day's end
        (local(2025, 3, 7, 12), 13, local(2025, 3, 10, 1)),
        (local(2025, 10, 1, 12), 1, local(2025, 10, 9, 1)),  # starts on a holiday
        (local(2025, 9, 30, 23), 2, local(2025, 10, 9, 1)),
    ],
)
def test_add_working_time(start: datetime, hours: int, moment: datetime) -> None:
    assert CALENDAR.add_working_time(start, timedelta(hours=hours)) == moment


def test_a_year_with_no_calendar_counts_weekends_only_and_is_named() -> None:
    calendar = WorkCalendar({}, SHANGHAI)
    assert calendar.is_working_day(date(2025, 10, 1))  # unknown holiday: a Wednesday
    assert not calendar.is_working_day(date(2025, 10, 4))
    assert calendar.missing_between(local(2025, 12, 30), local(2027, 1, 2)) == (2025, 2026, 2027)
    assert CALENDAR.missing_between(local(2025, 12, 30), local(2026, 1, 5)) == ()
    assert "2027" in missing_warning([2027]) and "calendar_missing" in missing_warning([2027])


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ((CalendarDay(date(2024, 12, 31), DayKind.HOLIDAY),), "not in 2025"),
        (
            (CalendarDay(date(2025, 1, 1), DayKind.HOLIDAY),) * 2,
            "listed twice",
        ),
        ((CalendarDay(date(2025, 1, 2), DayKind.WORKDAY),), "only a weekend day"),
    ],
)
def test_bad_days_are_refused(days: tuple[CalendarDay, ...], problem: str) -> None:
    with pytest.raises(InvalidCalendarError, match=problem):
        YearCalendar(2025, days, "test")


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"year": "x"},
        {"year": 2025, "holidays": [{"date": "2025-13-01"}]},
        {"year": 2025, "holidays": 3},
    ],
)
def test_bad_documents_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(InvalidCalendarError):
        parse_document(document, CalendarOrigin.STORED)


def test_documents_round_trip() -> None:
    year = load_files()[2025]
    assert parse_document(to_document(year), CalendarOrigin.FILE) == year


def test_stored_years_override_the_files() -> None:
    files = load_files()
    stored = YearCalendar(
        2025,
        (CalendarDay(date(2025, 3, 5), DayKind.HOLIDAY, "storm"),),
        "operator",
        None,
        CalendarOrigin.STORED,
    )
    years = merged(files, [stored])
    calendar = WorkCalendar(years, SHANGHAI)
    assert years[2026] is files[2026]
    assert not calendar.is_working_day(date(2025, 3, 5))
    assert calendar.is_working_day(date(2025, 10, 1))  # the stored year replaces the whole file


def test_the_calendar_files_ship_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["callcenter.core"]
    assert any(fnmatch.fnmatch("calendar_data/cn-2025.json", p) for p in patterns)


@pytest.mark.parametrize(
    ("today", "warning"),
    [
        (date(2025, 10, 31), None),
        (date(2026, 3, 10), None),
        (date(2026, 10, 31), None),
        (date(2026, 11, 1), "warning: no working-day calendar for 2027:"),
        (date(2026, 12, 31), "warning: no working-day calendar for 2027:"),
        (date(2027, 1, 1), "warning: no working-day calendar for 2027:"),
        (date(2028, 11, 30), "warning: no working-day calendar for 2028, 2029:"),
    ],
)
def test_what_check_says(today: date, warning: str | None) -> None:
    first, *rest = calendar_lines(load_files(), today)
    assert first == "working-day calendar cn: 2025 (file), 2026 (file)"
    assert [line[: len(warning or "")] for line in rest] == ([warning] if warning else [])


def test_the_arrears_holiday_calendar_agrees_with_the_2026_file() -> None:
    every_day = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    differ = [
        d for d in every_day if CN_2026_CALENDAR.is_working_day(d) != CALENDAR.is_working_day(d)
    ]
    assert differ == []
