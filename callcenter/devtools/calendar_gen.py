"""Generate the working-day calendar data files (`callcenter/core/calendar_data/cn-YYYY.json`)
from the maintained `chinesecalendar` library (a dev extra: the files ship, not the library).

    python -m callcenter.devtools.calendar_gen 2025 2026 2027 [--out DIR]

A year the installed library does not know is reported and skipped (exit 1): upgrade the
library once the State Council has published that year's arrangement, or enter the year
through `PUT /api/calendars/{year}`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType

from callcenter.core.work_calendar import (
    REGION,
    CalendarDay,
    CalendarOrigin,
    DayKind,
    YearCalendar,
    file_name,
    to_document,
)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "core" / "calendar_data"
NAMES_ZH = {  # the library names holidays in English only
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class UnknownYearError(Exception):
    """The installed library has no arrangement for the year."""


def _name(english: str) -> str:
    zh = NAMES_ZH.get(english)
    return f"{zh} {english}" if zh else english


def year_calendar(
    year: int,
    holidays: Mapping[date, str],
    workdays: Mapping[date, str],
    source: str,
    generated_on: date,
) -> YearCalendar:
    """A year's calendar from the library's tables of days off and make-up working days."""
    days = [
        CalendarDay(d, DayKind.HOLIDAY, _name(n)) for d, n in holidays.items() if d.year == year
    ]
    days += [
        CalendarDay(d, DayKind.WORKDAY, _name(n)) for d, n in workdays.items() if d.year == year
    ]
    return YearCalendar(
        year, tuple(sorted(days, key=lambda d: d.day)), source, generated_on, CalendarOrigin.FILE
    )


def from_library(library: ModuleType, year: int, today: date) -> YearCalendar:
    """The year from `chinese_calendar`; `UnknownYearError` when it does not cover it."""
    try:
        library.get_holiday_detail(date(year, 1, 1))
    except NotImplementedError as err:
        raise UnknownYearError(str(err)) from None
    constants = library.constants
    source = (
        f"chinesecalendar {library.__version__}: the General Office of the State Council's "
        f"notice of the {year} public holiday arrangement "
        f"(国务院办公厅关于{year}年部分节假日安排的通知)"
    )
    holidays = {d: str(h) for d, h in constants.holidays.items()}  # date -> English name
    workdays = {d: str(h) for d, h in constants.workdays.items()}
    return year_calendar(year, holidays, workdays, source, today)


def write(calendar: YearCalendar, out: Path) -> Path:
    """Write the year's data file into `out`; the path written."""
    path = out / file_name(REGION, calendar.year)
    path.write_text(dump(to_document(calendar)), encoding="utf-8")
    return path


def dump(document: Mapping[str, object]) -> str:
    """The document as JSON with one day per line, so that a diff shows the days changed."""

    def one(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in document.items():
        if isinstance(value, list):
            rows = ",\n".join(f"    {one(v)}" for v in value)
            lines.append(f"  {one(key)}: [\n{rows}\n  ]" if value else f"  {one(key)}: []")
        else:
            lines.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; 0 when every year was written, 1 when one was unknown, 2 usage."""
    parser = argparse.ArgumentParser(prog="python -m callcenter.devtools.calendar_gen")
    parser.add_argument("years", nargs="+", type=int, help="calendar years, e.g. 2025 2026")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the files")
    args = parser.parse_args(argv)
    try:
        import chinese_calendar
    except ImportError:
        print("chinesecalendar is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    status = 0
    for year in args.years:
        try:
            calendar = from_library(chinese_calendar, year, date.today())
        except UnknownYearError as err:
            print(f"{year}: skipped: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"{year}: {write(calendar, args.out)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
